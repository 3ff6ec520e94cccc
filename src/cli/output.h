/*
 * output.h - how the mcast tool writes payloads: escaped text, hex, JSON
 * strings, base64 and RFC 3339 times. Pure functions over FILE streams; they
 * return 0 or -1 with errno set by the stream (EPIPE for a closed pipe).
 */
#ifndef MCAST_CLI_OUTPUT_H
#define MCAST_CLI_OUTPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <time.h>

/* True when data[0..len) is well-formed UTF-8 (no overlongs, no
 * surrogates, nothing above U+10FFFF). */
bool cli_utf8_valid(const void *data, size_t len);

/*
 * Write a payload as one line of text: printable ASCII and well-formed
 * UTF-8 sequences as they are; backslash as "\\"; tab, newline and carriage
 * return as "\t", "\n", "\r"; every other byte (controls, DEL, C1 controls,
 * invalid UTF-8) as "\xHH". The output never contains a raw control byte.
 */
int cli_write_escaped(FILE *f, const void *data, size_t len);

/* Lower-case hex bytes separated by single spaces: "48 65 6c". */
int cli_write_hex(FILE *f, const void *data, size_t len);

/* A JSON string literal, quotes included; data must be valid UTF-8. */
int cli_write_json_string(FILE *f, const void *data, size_t len);

/* Standard base64 (RFC 4648, with padding), quotes included. */
int cli_write_base64(FILE *f, const void *data, size_t len);

/* "2026-11-24T13:08:00.123456Z": UTC, microseconds (cut, not rounded; an
 * out-of-range tv_nsec prints as .000000). Returns the length written
 * (like snprintf), or -1 for a year outside 0000-9999. */
int cli_format_rfc3339(const struct timespec *t, char *buf, size_t len);

#endif
