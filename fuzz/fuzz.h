/*
 * fuzz.h - what the libFuzzer targets in this folder share: a checked
 * assertion, NUL-terminated copies of the input, capturing what a function
 * writes to a FILE, and a reference UTF-8 validator.
 *
 * Everything here is static so each target is a single translation unit
 * plus the library and tool objects.
 */
#ifndef MCAST_FUZZ_H
#define MCAST_FUZZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The libFuzzer entry point; declared so -Wmissing-prototypes is happy. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A byte pattern no function under test writes, to see what it touched. */
#define FUZZ_POISON 0xa5

/*
 * Abort with a message when a property does not hold. libFuzzer catches
 * the SIGABRT and saves the input as a crash artifact, so a broken property
 * is reported exactly like a memory error.
 */
#define FUZZ_CHECK(cond, ...)                                                \
	do {                                                                 \
		if (!(cond)) {                                               \
			fprintf(stderr, "%s:%d: check failed: %s: ",         \
				__FILE__, __LINE__, #cond);                  \
			fprintf(stderr, __VA_ARGS__);                        \
			fputc('\n', stderr);                                 \
			abort();                                             \
		}                                                            \
	} while (0)

/*
 * A heap copy of data with a NUL after it. The copy is exactly size + 1
 * bytes, so AddressSanitizer catches a parser that reads past the NUL.
 * Input with an embedded NUL simply gives a shorter string.
 */
static inline char *fuzz_cstr(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	FUZZ_CHECK(s != NULL, "out of memory");
	if (size)
		memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

/* What a FILE-writing function produced: malloc'ed bytes and their count. */
struct fuzz_out {
	char *buf;
	size_t len;
	int rc;
};

/*
 * Run fn(f, data, len) on an in-memory stream and collect the bytes.
 * The caller frees out->buf. open_memstream keeps embedded NULs.
 */
static inline void fuzz_capture(struct fuzz_out *out,
				int (*fn)(FILE *, const void *, size_t),
				const void *data, size_t len)
{
	FILE *f;

	out->buf = NULL;
	out->len = 0;
	f = open_memstream(&out->buf, &out->len);
	FUZZ_CHECK(f != NULL, "open_memstream failed");
	out->rc = fn(f, data, len);
	FUZZ_CHECK(fclose(f) == 0, "fclose of a memstream failed");
}

/*
 * Length of the well-formed UTF-8 sequence at p (n bytes left), or 0.
 * Written from the byte ranges of RFC 3629 section 4 rather than by
 * decoding, so it does not share its mistakes with src/cli/output.c.
 */
static inline size_t fuzz_utf8_seq(const uint8_t *p, size_t n)
{
#define IN(b, lo, hi) ((b) >= (lo) && (b) <= (hi))
	if (n >= 1 && p[0] <= 0x7f)
		return 1;
	if (n >= 2 && IN(p[0], 0xc2, 0xdf) && IN(p[1], 0x80, 0xbf))
		return 2;
	if (n >= 3 && IN(p[2], 0x80, 0xbf) &&
	    ((p[0] == 0xe0 && IN(p[1], 0xa0, 0xbf)) ||
	     (IN(p[0], 0xe1, 0xec) && IN(p[1], 0x80, 0xbf)) ||
	     (p[0] == 0xed && IN(p[1], 0x80, 0x9f)) ||
	     (IN(p[0], 0xee, 0xef) && IN(p[1], 0x80, 0xbf))))
		return 3;
	if (n >= 4 && IN(p[2], 0x80, 0xbf) && IN(p[3], 0x80, 0xbf) &&
	    ((p[0] == 0xf0 && IN(p[1], 0x90, 0xbf)) ||
	     (IN(p[0], 0xf1, 0xf3) && IN(p[1], 0x80, 0xbf)) ||
	     (p[0] == 0xf4 && IN(p[1], 0x80, 0x8f))))
		return 4;
	return 0;
#undef IN
}

/* Length of the longest well-formed UTF-8 prefix of data[0..len). */
static inline size_t fuzz_utf8_prefix(const uint8_t *data, size_t len)
{
	size_t i = 0, n;

	while (i < len && (n = fuzz_utf8_seq(data + i, len - i)) != 0)
		i += n;
	return i;
}

/*
 * True when msg (a mcast_error's buffer of cap bytes) holds one printable
 * line: NUL-terminated inside the buffer, not empty, and free of control
 * bytes. Returns a reason for the first problem, or NULL.
 */
static inline const char *fuzz_bad_message(const char *msg, size_t cap)
{
	const char *nul = memchr(msg, '\0', cap);

	if (!nul)
		return "not NUL-terminated";
	if (nul == msg)
		return "empty";
	for (const char *p = msg; p < nul; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return "contains a control byte";
	return NULL;
}

#endif
