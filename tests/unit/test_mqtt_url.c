/*
 * test_mqtt_url.c - the broker URL and topic patterns of `mcast bridge`
 * (src/cli/mqtt_url.h).
 *
 * A URL a user types either names a broker, a port and a topic exactly as
 * below, or is refused with the sentence `mcast bridge` prints (exit 2).
 * Topics are what dashboards subscribe to, so expansions are compared
 * byte for byte.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "cli/mqtt_url.h"

struct good {
	const char *text;
	bool tls;
	const char *user, *host;
	unsigned port;
	const char *topic;
};

static void test_good(void **state)
{
	static const struct good cases[] = {
		{"mqtt://broker/plant", false, "", "broker", 1883, "plant"},
		{"mqtts://broker/plant", true, "", "broker", 8883, "plant"},
		{"MQTT://b.example.org:1884/a/b", false, "", "b.example.org", 1884, "a/b"},
		{"mqtt://meter@10.0.0.1/p/{group}", false, "meter", "10.0.0.1", 1883,
		 "p/{group}"},
		{"mqtt://me%40site@[fd00::1]:65535/x", false, "me@site", "fd00::1", 65535,
		 "x"},
		{"mqtt://[fe80::1%eth0]/x", false, "", "fe80::1%eth0", 1883, "x"},
		{"mqtt://h/a/+/b/#", false, "", "h", 1883, "a/+/b/#"},
		{"mqtt://h/#", false, "", "h", 1883, "#"},
		{"mqtt://h/a//b/", false, "", "h", 1883, "a//b/"},
		{"mqtt://h/100%/caf\xc3\xa9", false, "", "h", 1883, "100%/caf\xc3\xa9"},
		{"mqtt://h/a/b@c:d", false, "", "h", 1883, "a/b@c:d"},
		{"mqtt://h/{{x}}", false, "", "h", 1883, "{{x}}"},
	};
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct good *c = &cases[i];
		struct mqtt_url u;
		char err[200] = "";

		if (mqtt_url_parse(&u, c->text, err, sizeof(err)) != 0)
			fail_msg("\"%s\" refused: %s", c->text, err);
		assert_int_equal(u.tls, c->tls);
		assert_string_equal(u.user, c->user);
		assert_string_equal(u.host, c->host);
		assert_int_equal(u.port, c->port);
		assert_string_equal(u.topic, c->topic);
	}
}

struct bad {
	const char *text;
	const char *why; /* a part of the message */
};

static void test_bad(void **state)
{
	static const struct bad cases[] = {
		{"", "must start with mqtt://"},
		{"http://h/t", "must start with mqtt://"},
		{"mqtt:/h/t", "must start with mqtt://"},
		{"mqtt://h", "no topic"},
		{"mqtt://h/", "no topic"},
		{"mqtt:///t", "no host"},
		{"mqtt://:1883/t", "no host"},
		{"mqtt://user:secret@h/t", "--password-file"},
		{"mqtt://:secret@h/t", "--password-file"},
		{"mqtt://@h/t", "empty user"},
		{"mqtt://a%4@h/t", "bad user"},
		{"mqtt://a%00@h/t", "bad user"},
		{"mqtt://h:0/t", "port '0'"},
		{"mqtt://h:65536/t", "port '65536'"},
		{"mqtt://h:99999999999999999999/t", "port"},
		{"mqtt://h:/t", "empty port"},
		{"mqtt://h:1x/t", "port '1x'"},
		{"mqtt://h h/t", "not a host name"},
		{"mqtt://[fd00::1/t", "unclosed '['"},
		{"mqtt://[fd00::1]x/t", "junk after ']'"},
		{"mqtt://[zz::1]/t", "not an IPv6 address"},
		{"mqtt://[10.0.0.1]/t", "not an IPv6 address"},
		{"mqtt://h/a+/b", "whole topic level"},
		{"mqtt://h/a/#/b", "whole topic level"},
		{"mqtt://h/a#", "whole topic level"},
		{"mqtt://h/{nope}", "unknown placeholder"},
		{"mqtt://h/{group", "unknown placeholder"},
		{"mqtt://h/a}b", "unmatched brace"},
		{"mqtt://h/caf\xc3", "UTF-8"},
		{"mqtt://h/a\tb", "control character"},
	};
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct mqtt_url u;
		char err[200] = "";
		int rc;

		memset(&u, 0x5a, sizeof(u));
		rc = mqtt_url_parse(&u, cases[i].text, err, sizeof(err));
		if (rc != -EINVAL)
			fail_msg("\"%s\": rc %d, want -EINVAL", cases[i].text, rc);
		if (!strstr(err, cases[i].why))
			fail_msg("\"%s\": message \"%s\" lacks \"%s\"", cases[i].text, err,
				 cases[i].why);
		/* Nothing is written on failure. */
		assert_int_equal((unsigned char)u.host[0], 0x5a);
	}
}

static void test_long_parts(void **state)
{
	char text[MQTT_TOPIC_MAX + 64], err[200];
	struct mqtt_url u;

	(void)state;
	memset(text, 0, sizeof(text));
	memcpy(text, "mqtt://h/", 9);
	memset(text + 9, 't', MQTT_TOPIC_MAX - 1);
	assert_int_equal(mqtt_url_parse(&u, text, err, sizeof(err)), 0);
	assert_int_equal(strlen(u.topic), MQTT_TOPIC_MAX - 1);
	text[9 + MQTT_TOPIC_MAX - 1] = 't';
	assert_int_equal(mqtt_url_parse(&u, text, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "topic longer"));

	memset(text, 0, sizeof(text));
	memcpy(text, "mqtt://", 7);
	memset(text + 7, 'h', MQTT_HOST_MAX);
	text[7 + MQTT_HOST_MAX] = '/';
	text[8 + MQTT_HOST_MAX] = 't';
	assert_int_equal(mqtt_url_parse(&u, text, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "host name too long"));
}

static const struct mqtt_topic_vars vars = {
	"239.1.2.3", "5000", "10.0.0.7", "40001", "eth0",
};

static void test_expand(void **state)
{
	static const char *cases[][2] = {
		{"plant", "plant"},
		{"plant/{group}/{source}", "plant/239.1.2.3/10.0.0.7"},
		{"{group}:{port}/{source}:{source_port}@{iface}",
		 "239.1.2.3:5000/10.0.0.7:40001@eth0"},
		{"a{{b}}c", "a{b}c"},
		{"{{group}}", "{group}"},
	};
	char out[128];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		long n = mqtt_topic_expand(cases[i][0], &vars, out, sizeof(out));

		assert_int_equal(n, (long)strlen(cases[i][1]));
		assert_string_equal(out, cases[i][1]);
	}
	/* Exactly enough room, then one byte less. */
	assert_int_equal(mqtt_topic_expand("p/{group}", &vars, out, 12), 11);
	assert_int_equal(mqtt_topic_expand("p/{group}", &vars, out, 11), -ENOSPC);
	assert_int_equal(mqtt_topic_expand("x", &vars, out, 0), -ENOSPC);
	assert_int_equal(mqtt_topic_expand("{bad}", &vars, out, sizeof(out)), -EINVAL);
}

/* A value never adds a level or a wildcard: an interface named "a/+#"
 * publishes under one level "a___". */
static void test_expand_sanitises(void **state)
{
	struct mqtt_topic_vars v = vars;
	char out[64];

	(void)state;
	v.iface = "a/+#";
	assert_int_equal(mqtt_topic_expand("x/{iface}/y", &v, out, sizeof(out)), 8);
	assert_string_equal(out, "x/a___/y");
}

static void test_filter(void **state)
{
	char out[128], err[200];

	(void)state;
	assert_int_equal(mqtt_topic_filter("plant/{group}/{source}", &vars, out, sizeof(out),
					   err, sizeof(err)),
			 17);
	assert_string_equal(out, "plant/239.1.2.3/+");
	assert_int_equal(mqtt_topic_filter("{iface}/{source_port}/#", &vars, out,
					   sizeof(out), err, sizeof(err)),
			 5);
	assert_string_equal(out, "+/+/#");
	assert_int_equal(mqtt_topic_filter("p/x{source}", &vars, out, sizeof(out), err,
					   sizeof(err)),
			 -EINVAL);
	assert_non_null(strstr(err, "whole topic level"));
	assert_true(mqtt_topic_varies("a/{source}"));
	assert_false(mqtt_topic_varies("a/{group}/{{source}}"));
	assert_true(mqtt_topic_has_wildcard("a/+"));
	assert_false(mqtt_topic_has_wildcard("a/{source}"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good),
		cmocka_unit_test(test_bad),
		cmocka_unit_test(test_long_parts),
		cmocka_unit_test(test_expand),
		cmocka_unit_test(test_expand_sanitises),
		cmocka_unit_test(test_filter),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
