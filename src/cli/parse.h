/*
 * parse.h - number, duration and size parsing for the mcast tool.
 *
 * Every parser takes the whole string: leading or trailing junk, an empty
 * string, a sign or an overflow is an error. They return 0, -EINVAL for
 * malformed text or -ERANGE for a value outside [min, max]; the caller names
 * the option in its message. *out is written only on success.
 */
#ifndef MCAST_CLI_PARSE_H
#define MCAST_CLI_PARSE_H

#include <stdint.h>

/* A decimal integer in [min, max]: "0", "255", "65535". */
int cli_parse_uint(const char *s, uint64_t min, uint64_t max, uint64_t *out);

/*
 * A duration in nanoseconds: a decimal number, optionally with a fraction
 * of at most nine digits,
 * and a unit "ns", "us", "ms", "s", "m" or "h"; a bare number is seconds.
 * "250ms", "1.5s", "2", "1m". Must not exceed max_ns.
 */
int cli_parse_duration(const char *s, uint64_t max_ns, uint64_t *out);

/*
 * A size in bytes: a decimal integer with an optional binary suffix "k",
 * "M" or "G" (case-insensitive, "K", "KB" and "KiB" alike mean 1024), or
 * "B" for plain bytes. "64k", "8M", "1500", "1500B". Must lie in [min, max].
 */
int cli_parse_size(const char *s, uint64_t min, uint64_t max, uint64_t *out);

/* Write a duration in the largest unit that states it exactly: "250ms",
 * "90s", "1m", "24h". Returns the length, as snprintf. */
int cli_format_duration(uint64_t ns, char *buf, unsigned long len);

#endif
