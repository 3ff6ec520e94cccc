/*
 * test_emit.c - the record writer (src/cli/emit.h): the same record as a
 * JSON line and as text from a template, nested objects, plurals, payloads
 * that are not UTF-8, and the buffer sink the MQTT bridge uses.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/emit.h"

/* Build one record with every kind of field into e. */
static void sample(struct emit *e, uint64_t n)
{
	mcast_addr a;
	mcast_error err;
	struct timespec t = {1764000000, 123456789};

	assert_int_equal(mcast_addr_parse_group(&a, "239.1.2.3:5000", &err), 0);
	emit_begin(e, "summary");
	emit_u64(e, "datagrams", n);
	emit_i64(e, "delta", -3);
	emit_dbl(e, "loss_pct", 12.3456, 2);
	emit_bool(e, "final", true);
	emit_addr(e, "group", &a, false);
	emit_addr(e, "to", &a, true);
	emit_time(e, "time", &t);
	emit_id(e, "sender_id", 0xabcdefULL);
	emit_text(e, "only_text", "at least ");
	emit_obj(e, "ignored");
	emit_u64(e, "garbage", 4);
	emit_u64(e, "foreign", 1);
	emit_obj_end(e);
	emit_null(e, "rtt_ms");
	emit_data(e, "hi\n", 3);
}

static char *run(bool json, const char *tmpl, uint64_t n)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct emit e;

	assert_non_null(f);
	assert_int_equal(emit_init(&e, f, json), 0);
	sample(&e, n);
	assert_int_equal(emit_end(&e, EMIT_DATA, tmpl), 0);
	emit_free(&e);
	fclose(f);
	return buf;
}

static void json_line(void **state)
{
	char *s = run(true, "ignored", 2);

	(void)state;
	assert_string_equal(s,
		"{\"event\":\"summary\",\"datagrams\":2,\"delta\":-3,\"loss_pct\":12.35,"
		"\"final\":true,\"group\":\"239.1.2.3\",\"to\":\"239.1.2.3:5000\","
		"\"time\":\"2025-11-24T16:00:00.123456Z\",\"sender_id\":\"0000000000abcdef\","
		"\"ignored\":{\"garbage\":4,\"foreign\":1},\"rtt_ms\":null,\"data\":\"hi\\n\"}\n");
	free(s);
}

static void text_template(void **state)
{
	char *s = run(false, "{only_text}{datagrams} datagram{datagrams?:s} "
			     "repl{datagrams?y:ies} to {to} {{x}} {ignored.garbage}/"
			     "{ignored.foreign} {loss_pct}% {final} {rtt_ms} {nosuch}: {data}", 1);

	(void)state;
	assert_string_equal(s, "at least 1 datagram reply to 239.1.2.3:5000 {x} 4/1 "
			       "12.35% yes - : hi\\n\n");
	free(s);
	s = run(false, "{datagrams} datagram{datagrams?:s}", 7);
	assert_string_equal(s, "7 datagrams\n");
	free(s);
}

static void column_widths(void **state)
{
	char *s = run(false, "[{to,-16}|{datagrams,4}|{loss_pct,7}|{final,-4}]", 12);

	(void)state;
	assert_string_equal(s, "[239.1.2.3:5000  |  12|  12.35|yes ]\n");
	free(s);
}

static void binary_payload_and_hex(void **state)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct emit e;

	(void)state;
	assert_int_equal(emit_init(&e, f, true), 0);
	emit_begin(&e, "message");
	emit_data(&e, "\xff\x00", 2);
	assert_int_equal(emit_end(&e, EMIT_DATA, NULL), 0);
	e.json = false;
	e.payload = EMIT_HEX;
	emit_begin(&e, "message");
	emit_data(&e, "\xff\x00", 2);
	assert_int_equal(emit_end(&e, EMIT_DATA, "{data}"), 0);
	emit_free(&e);
	fclose(f);
	assert_string_equal(buf, "{\"event\":\"message\",\"data_base64\":\"/wA=\"}\nff 00\n");
	free(buf);
}

static void buffer_sink(void **state)
{
	struct emit e;
	size_t len;
	const char *r;

	(void)state;
	assert_int_equal(emit_init(&e, NULL, true), 0);
	for (int i = 0; i < 3; i++) {
		emit_begin(&e, i == 2 ? "x" : "a-longer-event-name");
		emit_u64(&e, "n", (uint64_t)i);
		assert_int_equal(emit_end(&e, EMIT_DATA, NULL), 0);
	}
	r = emit_record(&e, &len);
	assert_string_equal(r, "{\"event\":\"x\",\"n\":2}");
	assert_int_equal(len, strlen(r));
	emit_free(&e);
}

static void too_many_fields_are_dropped_not_overrun(void **state)
{
	struct emit e;
	const char *r;

	(void)state;
	assert_int_equal(emit_init(&e, NULL, true), 0);
	emit_begin(&e, "big");
	for (int i = 0; i < EMIT_MAX_FIELDS + 10; i++)
		emit_u64(&e, "k", 1);
	for (int i = 0; i < 100; i++)
		emit_id(&e, "id", 1);
	assert_true(e.overflow);
	assert_int_equal(emit_end(&e, EMIT_DATA, NULL), 0);
	r = emit_record(&e, NULL);
	assert_non_null(strstr(r, "\"k\":1}"));
	emit_free(&e);
}

/* A list of strings: a JSON array; joined with ", " in text. */
static void string_list(void **state)
{
	static const char *const names[] = {"eth0", "lo"};
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct emit e;

	(void)state;
	assert_int_equal(emit_init(&e, f, true), 0);
	emit_begin(&e, "listening");
	emit_strv(&e, "interfaces", names, 2);
	emit_strv(&e, "none", names, 0);
	assert_int_equal(emit_end(&e, EMIT_DATA, NULL), 0);
	emit_free(&e);
	assert_int_equal(emit_init(&e, f, false), 0);
	emit_begin(&e, "listening");
	emit_strv(&e, "interfaces", names, 2);
	assert_int_equal(emit_end(&e, EMIT_DATA, "on {interfaces}."), 0);
	emit_free(&e);
	fclose(f);
	assert_string_equal(buf, "{\"event\":\"listening\",\"interfaces\":[\"eth0\",\"lo\"],"
				 "\"none\":[]}\non eth0, lo.\n");
	free(buf);
}

/* Arrays: unnamed values, objects inside them, arrays inside those; a
 * template names none of it, but still reaches the fields after it. */
static void arrays_of_records(void **state)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct emit e;

	(void)state;
	for (int json = 1; json >= 0; json--) {
		assert_int_equal(emit_init(&e, f, json), 0);
		emit_begin(&e, "interface");
		emit_str(&e, "name", "eth0");
		emit_arr(&e, "flags");
		emit_str(&e, NULL, "UP");
		emit_str(&e, NULL, "MULTICAST");
		emit_arr_end(&e);
		emit_arr(&e, "groups");
		for (unsigned g = 0; g < 2; g++) {
			emit_obj(&e, NULL);
			emit_str(&e, "group", g ? "232.1.1.1" : "239.1.1.1");
			emit_arr(&e, "sources");
			for (unsigned k = 0; k < g; k++) {
				emit_obj(&e, NULL);
				emit_str(&e, "source", "10.0.0.1");
				emit_u64(&e, "include", 1);
				emit_obj_end(&e);
			}
			emit_arr_end(&e);
			emit_obj_end(&e);
		}
		emit_arr_end(&e);
		emit_arr(&e, "none");
		emit_arr_end(&e);
		emit_null(&e, "mld");
		assert_int_equal(emit_end(&e, EMIT_DATA, "{name}: [{flags}{groups}{group}] {mld}"), 0);
		emit_free(&e);
	}
	fclose(f);
	assert_string_equal(buf,
		"{\"event\":\"interface\",\"name\":\"eth0\",\"flags\":[\"UP\",\"MULTICAST\"],"
		"\"groups\":[{\"group\":\"239.1.1.1\",\"sources\":[]},{\"group\":\"232.1.1.1\","
		"\"sources\":[{\"source\":\"10.0.0.1\",\"include\":1}]}],\"none\":[],"
		"\"mld\":null}\n"
		"eth0: [] -\n");
	free(buf);
}

/* A record far larger than the first field table and scratch space (an
 * interface with a thousand groups) is written whole. */
static void large_records_grow(void **state)
{
	struct emit e;
	mcast_addr a;
	mcast_error err;
	const char *r;

	(void)state;
	assert_int_equal(mcast_addr_parse_group(&a, "[ff15::1234:5678:9abc]:5000", &err), 0);
	assert_int_equal(emit_init(&e, NULL, true), 0);
	for (int round = 0; round < 2; round++) {
		emit_begin(&e, "big");
		emit_arr(&e, "groups");
		for (int i = 0; i < 1000; i++) {
			emit_obj(&e, NULL);
			emit_addr(&e, "group", &a, false);
			emit_u64(&e, "users", (uint64_t)i);
			emit_obj_end(&e);
		}
		emit_arr_end(&e);
		assert_false(e.overflow);
		assert_int_equal(emit_end(&e, EMIT_DATA, NULL), 0);
	}
	r = emit_record(&e, NULL);
	assert_non_null(strstr(r, "{\"event\":\"big\",\"groups\":[{\"group\":\"ff15::1234:5678:9abc\","
				  "\"users\":0},"));
	assert_non_null(strstr(r, "{\"group\":\"ff15::1234:5678:9abc\",\"users\":999}]}"));
	emit_free(&e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(json_line),
		cmocka_unit_test(text_template),
		cmocka_unit_test(column_widths),
		cmocka_unit_test(binary_payload_and_hex),
		cmocka_unit_test(buffer_sink),
		cmocka_unit_test(string_list),
		cmocka_unit_test(too_many_fields_are_dropped_not_overrun),
		cmocka_unit_test(arrays_of_records),
		cmocka_unit_test(large_records_grow),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
