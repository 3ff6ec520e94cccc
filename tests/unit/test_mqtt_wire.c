/*
 * test_mqtt_wire.c - the QoS 0 PUBLISH packets `mcast bridge` frames itself
 * (src/cli/mqtt_wire.h).
 *
 * A broker reads these bytes as it would libmosquitto's: they are compared
 * byte for byte with the packets MQTT 3.1.1 and 5.0 define (section 3.3 of
 * each), and what the broker would refuse is refused before it is sent.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>

#include "cli/mqtt_wire.h"

static void test_v311(void **state)
{
	static const unsigned char want[] = {
		0x30, 9, 0, 3, 'a', '/', 'b', 'x', 'y', 'z', '!',
		0x31, 5, 0, 3, 'a', '/', 'b',
	};
	struct mqtt_wire w = {0};
	struct mqtt_wire_fmt f = {0};

	(void)state;
	assert_int_equal(mqtt_wire_publish(&w, &f, "a/b", "xyz!", 4), 0);
	f.retain = true;
	assert_int_equal(mqtt_wire_publish(&w, &f, "a/b", "", 0), 0);
	assert_int_equal(w.n, 2);
	assert_int_equal(w.len, sizeof(want));
	assert_memory_equal(w.buf, want, sizeof(want));
	mqtt_wire_free(&w);
}

static void test_v5_property(void **state)
{
	static const unsigned char plain[] = {0x30, 7, 0, 1, 't', 0, 'p', 'q', 'r'};
	static const unsigned char prop[] = {
		0x30, 15, 0, 1, 't', 9, 0x26, 0, 1, 'k', 0, 3, 'v', 'a', 'l', 'p', 'q',
	};
	struct mqtt_wire w = {0};
	struct mqtt_wire_fmt f = {.v5 = true};

	(void)state;
	assert_int_equal(mqtt_wire_publish(&w, &f, "t", "pqr", 3), 0);
	assert_memory_equal(w.buf, plain, sizeof(plain));
	mqtt_wire_reset(&w);
	f.prop_key = "k";
	f.prop_val = "val";
	assert_int_equal(mqtt_wire_publish(&w, &f, "t", "pq", 2), 0);
	assert_int_equal(w.len, sizeof(prop));
	assert_memory_equal(w.buf, prop, sizeof(prop));
	mqtt_wire_free(&w);
}

/* Remaining lengths of two and three bytes (MQTT's variable byte integer). */
static void test_long_payload(void **state)
{
	static unsigned char p[65507];
	struct mqtt_wire w = {0};
	struct mqtt_wire_fmt f = {0};

	(void)state;
	memset(p, 0xa5, sizeof(p));
	assert_int_equal(mqtt_wire_publish(&w, &f, "t", p, 200), 0);
	/* 2 + 1 + 200 = 203 = 0xcb: 0x4b with the continuation bit, then 1 */
	assert_int_equal(w.buf[1], 0xcb);
	assert_int_equal(w.buf[2], 0x01);
	assert_int_equal(w.len, 3 + 203);
	mqtt_wire_reset(&w);
	assert_int_equal(mqtt_wire_publish(&w, &f, "t", p, sizeof(p)), 0);
	/* 65510 = 0x66 | 0x80, 0x7f | 0x80, 3 */
	assert_int_equal(w.buf[1], 0xe6);
	assert_int_equal(w.buf[2], 0xff);
	assert_int_equal(w.buf[3], 0x03);
	assert_int_equal(w.len, 4 + 65510);
	assert_memory_equal(w.buf + 7, p, sizeof(p));
	mqtt_wire_free(&w);
}

static void test_refused(void **state)
{
	struct mqtt_wire w = {0};
	struct mqtt_wire_fmt f = {.max_packet = 20};

	(void)state;
	assert_int_equal(mqtt_wire_publish(&w, &f, "a/+", "x", 1), -EINVAL);
	assert_int_equal(mqtt_wire_publish(&w, &f, "a/#", "x", 1), -EINVAL);
	assert_int_equal(mqtt_wire_publish(&w, &f, "", "x", 1), -EINVAL);
	assert_int_equal(mqtt_wire_publish(&w, &f, "a\xff", "x", 1), -EINVAL);
	/* 1 + 1 + 2 + 1 + 15 = 20 bytes: just fits; one more does not */
	assert_int_equal(mqtt_wire_publish(&w, &f, "t", "0123456789abcde", 15), 0);
	assert_int_equal(mqtt_wire_publish(&w, &f, "t", "0123456789abcdef", 16), -EMSGSIZE);
	assert_int_equal(w.n, 1);
	mqtt_wire_free(&w);
}

/* Past MQTT_WIRE_HOLD_MAX held a publish waits; once sent it is taken. */
static void test_hold_and_send(void **state)
{
	static unsigned char p[60000], got[70000];
	struct mqtt_wire w = {0};
	struct mqtt_wire_fmt f = {0};
	int sv[2], n = 0, r;
	size_t want;

	(void)state;
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	while ((r = mqtt_wire_publish(&w, &f, "t", p, sizeof(p))) == 0)
		n++;
	assert_int_equal(r, -EAGAIN);
	/* 1 + 3 + 2 + 1 + 60000 bytes each */
	assert_int_equal(n, MQTT_WIRE_HOLD_MAX / (sizeof(p) + 7));
	want = w.len;
	/* The peer reads while the sender's buffer fills: 0 until all is out. */
	for (size_t seen = 0; seen < want;) {
		ssize_t k;

		r = mqtt_wire_send(&w, sv[0]);
		assert_true(r == 0 || r == n);
		k = read(sv[1], got, sizeof(got));
		assert_true(k > 0);
		seen += (size_t)k;
		if (seen == want)
			assert_int_equal(r == n ? 0 : mqtt_wire_send(&w, sv[0]), 0);
	}
	assert_int_equal(w.len, 0);
	assert_int_equal(w.n, 0);
	assert_int_equal(mqtt_wire_publish(&w, &f, "t", "x", 1), 0);
	close(sv[1]);
	assert_true(mqtt_wire_send(&w, sv[0]) == -EPIPE);
	close(sv[0]);
	mqtt_wire_free(&w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_v311),
		cmocka_unit_test(test_v5_property),
		cmocka_unit_test(test_long_payload),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_hold_and_send),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
