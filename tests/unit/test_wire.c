/*
 * test_wire.c - the probe, answer and data messages of docs/PROTOCOL.md
 * (mcast_wire_encode() and mcast_wire_decode() in mcast.h).
 *
 * Pure code, no sockets. Every buffer handed to the decoder is a malloc'ed
 * copy exactly as long as the datagram, and every buffer handed to the
 * encoder is exactly `cap` bytes, so that a build with AddressSanitizer
 * (make sanitize) catches a read or write one byte past the end.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mcast.h"

/* A byte pattern that no encoder would write, to see what was touched. */
#define POISON 0xa5

/* Distinct byte patterns per field, so a field at the wrong offset or in
 * the wrong byte order shows. */
#define SENDER_ID 0x0102030405060708ULL
#define SEQ 0x1112131415161718ULL
#define T_SEND 0x2122232425262728ULL
#define RESPONDER_ID 0x3132333435363738ULL
#define T_RECV 0x4142434445464748ULL
#define T_ANSWER 0x5152535455565758ULL
#define HELD_BACK 0x61626364U

/* The answer of docs/PROTOCOL.md with the fields above, byte by byte. */
static const uint8_t answer_bytes[64] = {
	'M', 'C', 'S', 'T', 2, 2, 0, 0,
	0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, /* sender_id */
	0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, /* seq */
	0x21, 0x22, 0x23, 0x24, 0x25, 0x26, 0x27, 0x28, /* t_send */
	0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0x37, 0x38, /* responder_id */
	0x41, 0x42, 0x43, 0x44, 0x45, 0x46, 0x47, 0x48, /* t_recv */
	0x51, 0x52, 0x53, 0x54, 0x55, 0x56, 0x57, 0x58, /* t_answer */
	0x61, 0x62, 0x63, 0x64,				/* held_back */
	63, 1, 0, 0,					/* ttl, known, reserved */
};

static mcast_wire message(uint8_t type)
{
	mcast_wire m;

	memset(&m, 0, sizeof(m));
	m.type = type;
	m.sender_id = SENDER_ID;
	m.seq = SEQ;
	m.t_send = T_SEND;
	m.responder_id = RESPONDER_ID;
	m.t_recv = T_RECV;
	m.t_answer = T_ANSWER;
	m.held_back = HELD_BACK;
	m.ttl = 63;
	return m;
}

/* A malloc'ed copy of len bytes of src, exactly len bytes long. */
static uint8_t *copy(const void *src, size_t len)
{
	uint8_t *p = malloc(len ? len : 1);

	assert_non_null(p);
	if (len)
		memcpy(p, src, len);
	return p;
}

/* Encode m as len bytes into a fresh buffer of exactly len bytes, which
 * the encoder must fill (it starts poisoned). The caller frees it. */
static uint8_t *encode_ok(const mcast_wire *m, size_t len)
{
	uint8_t *buf = malloc(len);
	ssize_t n;

	assert_non_null(buf);
	memset(buf, POISON, len);
	n = mcast_wire_encode(m, buf, len, len);
	if (n != (ssize_t)len)
		fail_msg("encode(type %u, len %zu) = %zd", m->type, len, n);
	return buf;
}

/* Decode len bytes of src from an exact-length copy; returns the result. */
static int decode_copy(mcast_wire *m, const void *src, size_t len)
{
	uint8_t *p = copy(src, len);
	int rc = mcast_wire_decode(m, p, len);

	free(p);
	return rc;
}

static void assert_header(const mcast_wire *d, uint8_t type, size_t len)
{
	assert_int_equal(d->type, type);
	assert_int_equal(d->sender_id, SENDER_ID);
	assert_int_equal(d->seq, SEQ);
	assert_int_equal(d->t_send, T_SEND);
	assert_int_equal(d->len, len);
}

static void assert_zero(const uint8_t *p, size_t from, size_t to)
{
	for (size_t i = from; i < to; i++)
		if (p[i] != 0)
			fail_msg("byte %zu is 0x%02x, not 0", i, p[i]);
}

static void test_answer_layout(void **state)
{
	mcast_wire m = message(MCAST_WIRE_T_ANSWER), d;
	uint8_t *buf = encode_ok(&m, MCAST_WIRE_ANSWER_LEN);

	(void)state;
	assert_memory_equal(buf, answer_bytes, sizeof(answer_bytes));
	/* Decoding the documented bytes, not just our own encoding. */
	assert_int_equal(decode_copy(&d, answer_bytes, sizeof(answer_bytes)), 0);
	assert_header(&d, MCAST_WIRE_T_ANSWER, 64);
	assert_int_equal(d.responder_id, RESPONDER_ID);
	assert_int_equal(d.t_recv, T_RECV);
	assert_int_equal(d.t_answer, T_ANSWER);
	assert_int_equal(d.held_back, HELD_BACK);
	assert_int_equal(d.ttl, 63);
	free(buf);
}

/* A responder that could not tell the TTL says so; TTL 0 is a TTL. */
static void test_answer_ttl_unknown(void **state)
{
	mcast_wire m = message(MCAST_WIRE_T_ANSWER), d;
	uint8_t *buf;

	(void)state;
	m.ttl = -1;
	buf = encode_ok(&m, MCAST_WIRE_ANSWER_LEN);
	assert_int_equal(buf[60], 0);
	assert_int_equal(buf[61], 0);
	assert_int_equal(mcast_wire_decode(&d, buf, MCAST_WIRE_ANSWER_LEN), 0);
	assert_int_equal(d.ttl, -1);
	free(buf);
	m.ttl = 0;
	buf = encode_ok(&m, MCAST_WIRE_ANSWER_LEN);
	assert_int_equal(buf[61], 1);
	assert_int_equal(mcast_wire_decode(&d, buf, MCAST_WIRE_ANSWER_LEN), 0);
	assert_int_equal(d.ttl, 0);
	free(buf);
	/* Probes and data decode with no answer fields. */
	m = message(MCAST_WIRE_T_PROBE);
	buf = encode_ok(&m, 64);
	assert_int_equal(buf[4], MCAST_WIRE_VERSION);
	assert_int_equal(mcast_wire_decode(&d, buf, 64), 0);
	assert_int_equal(d.held_back, 0);
	free(buf);
}

static void test_probe_layout(void **state)
{
	mcast_wire m = message(MCAST_WIRE_T_PROBE), d;
	uint8_t *buf = encode_ok(&m, MCAST_WIRE_PROBE_MIN);
	uint8_t want[64];

	(void)state;
	/* The header as in an answer, type 1, then 32 zero bytes: the answer
	 * fields of m are not a probe's and must not leak into it. */
	memcpy(want, answer_bytes, 32);
	want[4] = MCAST_WIRE_VERSION;
	want[5] = 1;
	memset(want + 32, 0, 32);
	assert_memory_equal(buf, want, sizeof(want));
	assert_int_equal(decode_copy(&d, want, sizeof(want)), 0);
	assert_header(&d, MCAST_WIRE_T_PROBE, 64);
	assert_int_equal(d.responder_id, 0);
	assert_int_equal(d.t_recv, 0);
	assert_int_equal(d.t_answer, 0);
	free(buf);
}

static void test_data_layout(void **state)
{
	mcast_wire m = message(MCAST_WIRE_T_DATA);
	uint8_t *buf = encode_ok(&m, MCAST_WIRE_HDR_LEN);
	uint8_t want[32];

	(void)state;
	memcpy(want, answer_bytes, 32);
	want[4] = MCAST_WIRE_VERSION;
	want[5] = 3;
	assert_memory_equal(buf, want, sizeof(want));
	free(buf);
}

/* Small values: the big-endian order shows in the last byte of a field. */
static void test_big_endian(void **state)
{
	mcast_wire m, d;
	uint8_t *buf;

	(void)state;
	memset(&m, 0, sizeof(m));
	m.type = MCAST_WIRE_T_PROBE;
	m.sender_id = 1;
	m.seq = 0x0203;
	m.t_send = UINT64_MAX;
	buf = encode_ok(&m, 64);
	assert_int_equal(buf[8], 0);
	assert_int_equal(buf[15], 1);
	assert_int_equal(buf[16 + 6], 0x02);
	assert_int_equal(buf[16 + 7], 0x03);
	assert_zero(buf, 16, 16 + 6);
	for (int i = 24; i < 32; i++)
		assert_int_equal(buf[i], 0xff);
	assert_int_equal(decode_copy(&d, buf, 64), 0);
	assert_int_equal(d.sender_id, 1);
	assert_int_equal(d.seq, 0x0203);
	assert_int_equal(d.t_send, UINT64_MAX);
	free(buf);
}

static void test_probe_round_trip(void **state)
{
	static const size_t lens[] = {64, 65, 100, 1472, 9000, 65507};
	mcast_wire m = message(MCAST_WIRE_T_PROBE), d;

	(void)state;
	for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		uint8_t *buf = encode_ok(&m, lens[i]);

		/* Everything after the header is zero: reserved, then padding. */
		assert_zero(buf, 32, lens[i]);
		assert_int_equal(mcast_wire_decode(&d, buf, lens[i]), 0);
		assert_header(&d, MCAST_WIRE_T_PROBE, lens[i]);
		free(buf);
	}
}

static void test_answer_round_trip(void **state)
{
	mcast_wire m = message(MCAST_WIRE_T_ANSWER), d;
	uint8_t *buf = encode_ok(&m, MCAST_WIRE_ANSWER_LEN);

	(void)state;
	assert_int_equal(mcast_wire_decode(&d, buf, MCAST_WIRE_ANSWER_LEN), 0);
	assert_header(&d, MCAST_WIRE_T_ANSWER, 64);
	assert_int_equal(d.responder_id, RESPONDER_ID);
	assert_int_equal(d.t_recv, T_RECV);
	assert_int_equal(d.t_answer, T_ANSWER);
	assert_int_equal(d.held_back, HELD_BACK);
	assert_int_equal(d.ttl, 63);
	assert_zero(buf, 62, 64);
	free(buf);
}

static void test_data_round_trip(void **state)
{
	static const size_t lens[] = {32, 33, 64, 1400, 65507};
	mcast_wire m = message(MCAST_WIRE_T_DATA), d;

	(void)state;
	for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		uint8_t *buf = encode_ok(&m, lens[i]);

		assert_zero(buf, 32, lens[i]);
		/* A data message carries a payload after the header; whatever
		 * it holds, the header decodes the same. */
		for (size_t j = 32; j < lens[i]; j++)
			buf[j] = (uint8_t)(j * 7 + 1);
		assert_int_equal(mcast_wire_decode(&d, buf, lens[i]), 0);
		assert_header(&d, MCAST_WIRE_T_DATA, lens[i]);
		assert_int_equal(d.responder_id, 0);
		free(buf);
	}
}

/* Encoding into a buffer larger than len touches only len bytes. */
static void test_encode_writes_only_len(void **state)
{
	mcast_wire m = message(MCAST_WIRE_T_PROBE);
	uint8_t buf[200];

	(void)state;
	memset(buf, POISON, sizeof(buf));
	assert_int_equal(mcast_wire_encode(&m, buf, sizeof(buf), 100), 100);
	for (size_t i = 100; i < sizeof(buf); i++)
		assert_int_equal(buf[i], POISON);
}

struct bad_encode {
	uint8_t type;
	size_t cap, len;
	const char *why;
};

static void test_encode_rejects(void **state)
{
	static const struct bad_encode bad[] = {
		{MCAST_WIRE_T_PROBE, 100, 0, "probe of 0 bytes"},
		{MCAST_WIRE_T_PROBE, 100, 32, "probe of 32 bytes"},
		{MCAST_WIRE_T_PROBE, 100, 63, "probe of 63 bytes"},
		{MCAST_WIRE_T_ANSWER, 100, 32, "answer of 32 bytes"},
		{MCAST_WIRE_T_ANSWER, 100, 63, "answer of 63 bytes"},
		{MCAST_WIRE_T_ANSWER, 100, 65, "answer of 65 bytes"},
		{MCAST_WIRE_T_ANSWER, 100, 100, "answer of 100 bytes"},
		{MCAST_WIRE_T_DATA, 100, 0, "data of 0 bytes"},
		{MCAST_WIRE_T_DATA, 100, 31, "data of 31 bytes"},
		{MCAST_WIRE_T_PROBE, 99, 100, "probe longer than cap"},
		{MCAST_WIRE_T_PROBE, 63, 64, "probe of 64 bytes, cap 63"},
		{MCAST_WIRE_T_ANSWER, 63, 64, "answer, cap 63"},
		{MCAST_WIRE_T_DATA, 31, 32, "data of 32 bytes, cap 31"},
		{MCAST_WIRE_T_DATA, 0, 32, "data, cap 0"},
		{0, 100, 64, "type 0"},
		{4, 100, 64, "type 4"},
		{255, 100, 64, "type 255"},
	};
	int problems = 0;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		mcast_wire m = message(bad[i].type);
		/* Exactly cap bytes, so a write past cap is caught by ASan. */
		uint8_t *buf = malloc(bad[i].cap ? bad[i].cap : 1);
		ssize_t n;

		assert_non_null(buf);
		n = mcast_wire_encode(&m, buf, bad[i].cap, bad[i].len);
		if (n != -EINVAL) {
			print_error("encode %s (cap %zu, len %zu) = %zd, not -EINVAL\n",
				    bad[i].why, bad[i].cap, bad[i].len, n);
			problems++;
		}
		free(buf);
	}
	assert_int_equal(problems, 0);
}

/* A valid message of `type`, `total` bytes long, in buf (>= total). */
static void valid(uint8_t *buf, uint8_t type, size_t total)
{
	mcast_wire m = message(type);

	assert_int_equal(mcast_wire_encode(&m, buf, total, total), (ssize_t)total);
}

static const char *errname(int rc)
{
	switch (rc) {
	case 0: return "0";
	case -EBADMSG: return "-EBADMSG";
	case -EPROTONOSUPPORT: return "-EPROTONOSUPPORT";
	case -ENODATA: return "-ENODATA";
	case -EMSGSIZE: return "-EMSGSIZE";
	case -EINVAL: return "-EINVAL";
	default: return "another code";
	}
}

/* Decode len bytes of buf (copied to an exact-length buffer); count a
 * problem unless the result is `want`. */
static int expect_decode(const uint8_t *buf, size_t len, int want,
			 const char *what)
{
	mcast_wire d;
	int rc = decode_copy(&d, buf, len);

	if (rc == want)
		return 0;
	print_error("decode %s (%zu bytes) = %s (%d), not %s\n", what, len,
		    errname(rc), rc, errname(want));
	return 1;
}

static void test_decode_garbage(void **state)
{
	uint8_t buf[64];
	int problems = 0;

	(void)state;
	/* Shorter than magic, version and type: not ours, whatever it is. */
	valid(buf, MCAST_WIRE_T_PROBE, 64);
	for (size_t len = 0; len < 6; len++)
		problems += expect_decode(buf, len, -EBADMSG, "a prefix of a probe");
	problems += expect_decode((const uint8_t *)"MCST", 4, -EBADMSG, "\"MCST\"");

	/* Wrong magic, each byte in turn, and in lower case. */
	for (int i = 0; i < 4; i++) {
		valid(buf, MCAST_WIRE_T_PROBE, 64);
		buf[i] ^= 0x20;
		problems += expect_decode(buf, 64, -EBADMSG, "wrong magic");
	}
	memset(buf, 0, sizeof(buf));
	problems += expect_decode(buf, 64, -EBADMSG, "64 zero bytes");
	memset(buf, 0xff, sizeof(buf));
	problems += expect_decode(buf, 64, -EBADMSG, "64 bytes of 0xff");

	/* Unknown types, at every length a known type could have. */
	for (unsigned type = 0; type < 256; type++) {
		if (type >= MCAST_WIRE_T_PROBE && type <= MCAST_WIRE_T_DATA)
			continue;
		valid(buf, MCAST_WIRE_T_PROBE, 64);
		buf[5] = (uint8_t)type;
		problems += expect_decode(buf, 64, -EBADMSG, "an unknown type");
		problems += expect_decode(buf, 6, -EBADMSG, "an unknown type");
		problems += expect_decode(buf, 32, -EBADMSG, "an unknown type");
	}

	/* Reserved flags, any bit, for each type at a length it accepts. */
	for (uint8_t type = 1; type <= 3; type++) {
		for (int bit = 0; bit < 16; bit++) {
			valid(buf, type, 64);
			buf[6 + bit / 8] = (uint8_t)(1u << (bit % 8));
			problems += expect_decode(buf, 64, -EBADMSG, "non-zero flags");
		}
	}
	assert_int_equal(problems, 0);
}

static void test_decode_foreign_version(void **state)
{
	/* Probes and data are version 1, answers version 2 (PROTOCOL.md). */
	static const uint8_t versions[] = {0, 1, 2, 3, 0x7f, 0x80, 0xff};
	uint8_t buf[100];
	int problems = 0;

	(void)state;
	for (size_t i = 0; i < sizeof(versions); i++) {
		uint8_t v = versions[i];

		/* Another version may have another layout: its type, flags and
		 * length mean nothing to this reader. */
		valid(buf, MCAST_WIRE_T_PROBE, 100);
		buf[4] = v;
		if (v != MCAST_WIRE_VERSION) {
			problems += expect_decode(buf, 100, -EPROTONOSUPPORT, "another version");
			problems += expect_decode(buf, 6, -EPROTONOSUPPORT,
						  "another version, header only");
		}
		/* An unknown type is garbage in a version this reader knows. */
		buf[5] = 9;
		buf[6] = 0xff;
		problems += expect_decode(buf, 100, v == 1 || v == 2 ? -EBADMSG : -EPROTONOSUPPORT,
					  "unknown type and flags");
		valid(buf, MCAST_WIRE_T_ANSWER, 64);
		buf[4] = v;
		if (v != MCAST_WIRE_ANSWER_VERSION)
			problems += expect_decode(buf, 64, -EPROTONOSUPPORT,
						  "an answer of another version");
		valid(buf, MCAST_WIRE_T_DATA, 64);
		buf[4] = v;
		if (v != MCAST_WIRE_VERSION)
			problems += expect_decode(buf, 64, -EPROTONOSUPPORT,
						  "data of another version");
	}
	assert_int_equal(problems, 0);
}

static void test_decode_truncated(void **state)
{
	uint8_t buf[64];
	int problems = 0;

	(void)state;
	valid(buf, MCAST_WIRE_T_PROBE, 64);
	for (size_t len = 6; len < 64; len++)
		problems += expect_decode(buf, len, -ENODATA, "a cut probe");
	valid(buf, MCAST_WIRE_T_ANSWER, 64);
	for (size_t len = 6; len < 64; len++)
		problems += expect_decode(buf, len, -ENODATA, "a cut answer");
	valid(buf, MCAST_WIRE_T_DATA, 32);
	for (size_t len = 6; len < 32; len++)
		problems += expect_decode(buf, len, -ENODATA, "cut data");
	assert_int_equal(problems, 0);
}

static void test_decode_oversized_answer(void **state)
{
	static const size_t lens[] = {65, 72, 128, 1500, 65507};
	uint8_t *buf = calloc(1, 65507);
	int problems = 0;

	(void)state;
	assert_non_null(buf);
	valid(buf, MCAST_WIRE_T_ANSWER, 64);
	for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++)
		problems += expect_decode(buf, lens[i], -EMSGSIZE, "a long answer");
	assert_int_equal(problems, 0);
	free(buf);
}

/* The least lengths are accepted, and so is anything longer for probes
 * and data: only answers have a fixed size. */
static void test_decode_lengths_accepted(void **state)
{
	uint8_t *buf = calloc(1, 2000);
	int problems = 0;

	(void)state;
	assert_non_null(buf);
	for (size_t len = 64; len <= 2000; len += 97) {
		valid(buf, MCAST_WIRE_T_PROBE, len);
		problems += expect_decode(buf, len, 0, "a probe");
	}
	for (size_t len = 32; len <= 2000; len += 97) {
		valid(buf, MCAST_WIRE_T_DATA, len);
		problems += expect_decode(buf, len, 0, "data");
	}
	free(buf);
	assert_int_equal(problems, 0);
}

/*
 * Every prefix of every kind of message, decoded from a buffer exactly as
 * long as the prefix: under ASan any read past len aborts the test. The
 * results must also be the documented class for each length.
 */
static void test_decode_every_prefix(void **state)
{
	uint8_t buf[128];
	int problems = 0;

	(void)state;
	for (uint8_t type = 1; type <= 3; type++) {
		size_t min = type == MCAST_WIRE_T_DATA ? 32 : 64;

		memset(buf, 0, sizeof(buf));
		valid(buf, type, type == MCAST_WIRE_T_ANSWER ? 64 : sizeof(buf));
		for (size_t len = 0; len <= sizeof(buf); len++) {
			int want = len < 6 ? -EBADMSG
				 : len < min ? -ENODATA
				 : type == MCAST_WIRE_T_ANSWER && len > 64 ? -EMSGSIZE
				 : 0;

			problems += expect_decode(buf, len, want, "a prefix");
		}
	}
	assert_int_equal(problems, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_answer_layout),
		cmocka_unit_test(test_probe_layout),
		cmocka_unit_test(test_data_layout),
		cmocka_unit_test(test_big_endian),
		cmocka_unit_test(test_probe_round_trip),
		cmocka_unit_test(test_answer_round_trip),
		cmocka_unit_test(test_data_round_trip),
		cmocka_unit_test(test_encode_writes_only_len),
		cmocka_unit_test(test_encode_rejects),
		cmocka_unit_test(test_decode_garbage),
		cmocka_unit_test(test_decode_foreign_version),
		cmocka_unit_test(test_answer_ttl_unknown),
		cmocka_unit_test(test_decode_truncated),
		cmocka_unit_test(test_decode_oversized_answer),
		cmocka_unit_test(test_decode_lengths_accepted),
		cmocka_unit_test(test_decode_every_prefix),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
