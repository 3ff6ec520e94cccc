/*
 * fuzz_output.c - the payload writers of src/cli/output.h on arbitrary
 * bytes, i.e. on whatever a remote sender puts in a datagram.
 *
 * Properties checked:
 *   - cli_utf8_valid() agrees with a reference validator (fuzz.h);
 *   - cli_write_escaped() writes no byte below 0x20 and no DEL, writes
 *     well-formed UTF-8 without C1 controls, and can be decoded back to the
 *     input (the escaping is unambiguous);
 *   - cli_write_json_string(), given valid UTF-8 (the input, or its longest
 *     valid prefix), writes one JSON string that a strict validator accepts
 *     and that decodes back to the input;
 *   - cli_write_base64() writes standard padded base64 in quotes that
 *     decodes back to the input;
 *   - cli_write_hex() writes "hh hh ..." in lower case that decodes back;
 *   - on a stream that fails after k bytes (a closed pipe), each writer
 *     returns -1 unless its whole output fits in k bytes;
 *   - cli_format_rfc3339(), on a timespec made of input bytes, returns -1
 *     or writes "YYYY-MM-DDTHH:MM:SS.uuuuuuZ" (from 1970 on), and
 *     truncates like snprintf.
 */
#include "fuzz.h"

#include "cli/output.h"

#include <ctype.h>
#include <errno.h>
#include <sys/types.h>

typedef int (*write_fn)(FILE *, const void *, size_t);

/*
 * A stream that takes `left` more bytes, then fails as a closed pipe.
 * fopencookie(3): a write function reports an error by returning 0, never
 * a negative value (glibc then reads past the caller's buffer).
 */
static ssize_t limited_write(void *cookie, const char *buf, size_t n)
{
	size_t *left = cookie;

	(void)buf;
	if (*left == 0) {
		errno = EPIPE;
		return 0;
	}
	if (n > *left)
		n = *left;
	*left -= n;
	return (ssize_t)n;
}

/*
 * Write data with fn to unbuffered streams that fail after k bytes, for a
 * few k up to full (the length of the complete output): the writer must
 * say -1 exactly when the output did not fit.
 */
static void check_failing_stream(write_fn fn, const char *name,
				 const uint8_t *data, size_t size, size_t full)
{
	size_t limits[] = {0, 1, full / 2, full ? full - 1 : 0, full};
	cookie_io_functions_t io = {.write = limited_write};

	for (size_t i = 0; i < sizeof(limits) / sizeof(limits[0]); i++) {
		size_t left = limits[i];
		FILE *f = fopencookie(&left, "w", io);
		int rc;

		FUZZ_CHECK(f != NULL, "fopencookie failed");
		setvbuf(f, NULL, _IONBF, 0);
		rc = fn(f, data, size);
		fclose(f);
		FUZZ_CHECK(rc == (limits[i] >= full ? 0 : -1),
			   "%s: %zu of %zu bytes fit, but it returned %d", name,
			   limits[i], full, rc);
	}
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Append code point cp to out as UTF-8. */
static size_t put_utf8(uint8_t *out, uint32_t cp)
{
	if (cp < 0x80) {
		out[0] = (uint8_t)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (uint8_t)(0xc0 | cp >> 6);
		out[1] = (uint8_t)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (uint8_t)(0xe0 | cp >> 12);
		out[1] = (uint8_t)(0x80 | ((cp >> 6) & 0x3f));
		out[2] = (uint8_t)(0x80 | (cp & 0x3f));
		return 3;
	}
	out[0] = (uint8_t)(0xf0 | cp >> 18);
	out[1] = (uint8_t)(0x80 | ((cp >> 12) & 0x3f));
	out[2] = (uint8_t)(0x80 | ((cp >> 6) & 0x3f));
	out[3] = (uint8_t)(0x80 | (cp & 0x3f));
	return 4;
}

static void check_escaped(const uint8_t *data, size_t size)
{
	struct fuzz_out o;
	uint8_t *back;
	size_t n = 0;

	fuzz_capture(&o, cli_write_escaped, data, size);
	FUZZ_CHECK(o.rc == 0, "write_escaped returned %d", o.rc);
	check_failing_stream(cli_write_escaped, "write_escaped", data, size,
			     o.len);
	for (size_t i = 0; i < o.len; i++)
		FUZZ_CHECK((uint8_t)o.buf[i] >= 0x20 && o.buf[i] != 0x7f,
			   "write_escaped wrote byte 0x%02x at %zu",
			   (uint8_t)o.buf[i], i);
	FUZZ_CHECK(fuzz_utf8_prefix((uint8_t *)o.buf, o.len) == o.len,
		   "write_escaped wrote invalid UTF-8");
	/* U+0080..U+009F are C2 80..C2 9F: terminal controls, never raw. */
	for (size_t i = 0; i + 1 < o.len; i++)
		FUZZ_CHECK(!((uint8_t)o.buf[i] == 0xc2 &&
			     (uint8_t)o.buf[i + 1] <= 0x9f),
			   "write_escaped wrote a C1 control at %zu", i);

	/* Undo the escapes: the result must be the input. */
	back = malloc(o.len + 1);
	FUZZ_CHECK(back != NULL, "out of memory");
	for (size_t i = 0; i < o.len;) {
		if (o.buf[i] != '\\') {
			back[n++] = (uint8_t)o.buf[i++];
			continue;
		}
		FUZZ_CHECK(i + 1 < o.len, "write_escaped ends in a backslash");
		switch (o.buf[i + 1]) {
		case '\\': back[n++] = '\\'; i += 2; break;
		case 't': back[n++] = '\t'; i += 2; break;
		case 'n': back[n++] = '\n'; i += 2; break;
		case 'r': back[n++] = '\r'; i += 2; break;
		case 'x':
			FUZZ_CHECK(i + 3 < o.len && hexval(o.buf[i + 2]) >= 0 &&
					   hexval(o.buf[i + 3]) >= 0,
				   "write_escaped: bad \\x escape at %zu", i);
			back[n++] = (uint8_t)(hexval(o.buf[i + 2]) << 4 |
					      hexval(o.buf[i + 3]));
			i += 4;
			break;
		default:
			FUZZ_CHECK(0, "write_escaped: unknown escape '\\%c'",
				   o.buf[i + 1]);
		}
	}
	FUZZ_CHECK(n == size && memcmp(back, data, size) == 0,
		   "write_escaped output does not decode to the input");
	free(back);
	free(o.buf);
}

/*
 * Validate s[0..len) as exactly one JSON string (RFC 8259 section 7) and
 * decode it into out (which has room for len bytes). Returns the decoded
 * length, or aborts saying what is wrong.
 */
static size_t json_string(const char *s, size_t len, uint8_t *out)
{
	const uint8_t *p = (const uint8_t *)s;
	size_t i = 1, n = 0, k;

	FUZZ_CHECK(len >= 2 && p[0] == '"', "JSON: no opening quote");
	while (i < len && p[i] != '"') {
		if (p[i] == '\\') {
			uint32_t cp = 0;

			FUZZ_CHECK(i + 1 < len, "JSON: backslash at the end");
			i++;
			switch (p[i]) {
			case '"': case '\\': case '/':
				out[n++] = p[i++];
				continue;
			case 'b': out[n++] = '\b'; i++; continue;
			case 'f': out[n++] = '\f'; i++; continue;
			case 'n': out[n++] = '\n'; i++; continue;
			case 'r': out[n++] = '\r'; i++; continue;
			case 't': out[n++] = '\t'; i++; continue;
			case 'u': break;
			default: FUZZ_CHECK(0, "JSON: bad escape '\\%c'", p[i]);
			}
			for (int d = 1; d <= 4; d++) {
				FUZZ_CHECK(i + d < len && hexval(p[i + d]) >= 0,
					   "JSON: bad \\u escape at %zu", i);
				cp = cp << 4 | (uint32_t)hexval(p[i + d]);
			}
			i += 5;
			if (cp >= 0xd800 && cp <= 0xdbff) {
				uint32_t lo = 0;

				FUZZ_CHECK(i + 6 <= len && p[i] == '\\' &&
						   p[i + 1] == 'u',
					   "JSON: lone high surrogate");
				for (int d = 2; d <= 5; d++) {
					FUZZ_CHECK(hexval(p[i + d]) >= 0,
						   "JSON: bad \\u escape");
					lo = lo << 4 | (uint32_t)hexval(p[i + d]);
				}
				FUZZ_CHECK(lo >= 0xdc00 && lo <= 0xdfff,
					   "JSON: bad low surrogate");
				cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
				i += 6;
			}
			FUZZ_CHECK(!(cp >= 0xdc00 && cp <= 0xdfff),
				   "JSON: lone low surrogate");
			n += put_utf8(out + n, cp);
			continue;
		}
		FUZZ_CHECK(p[i] >= 0x20, "JSON: raw control 0x%02x at %zu",
			   p[i], i);
		k = fuzz_utf8_seq(p + i, len - i);
		FUZZ_CHECK(k > 0, "JSON: invalid UTF-8 at %zu", i);
		memcpy(out + n, p + i, k);
		n += k;
		i += k;
	}
	FUZZ_CHECK(i == len - 1 && p[i] == '"',
		   "JSON: text after the closing quote, or none");
	return n;
}

static void check_json(const uint8_t *data, size_t size)
{
	struct fuzz_out o;
	uint8_t *back;
	size_t n;

	fuzz_capture(&o, cli_write_json_string, data, size);
	FUZZ_CHECK(o.rc == 0, "write_json_string returned %d", o.rc);
	check_failing_stream(cli_write_json_string, "write_json_string", data,
			     size, o.len);
	back = malloc(o.len + 1);
	FUZZ_CHECK(back != NULL, "out of memory");
	n = json_string(o.buf, o.len, back);
	FUZZ_CHECK(n == size && memcmp(back, data, size) == 0,
		   "write_json_string output does not decode to the input");
	free(back);
	free(o.buf);
}

static void check_base64(const uint8_t *data, size_t size)
{
	static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
				  "abcdefghijklmnopqrstuvwxyz0123456789+/";
	struct fuzz_out o;
	uint8_t *back;
	size_t n = 0, groups = (size + 2) / 3;

	fuzz_capture(&o, cli_write_base64, data, size);
	FUZZ_CHECK(o.rc == 0, "write_base64 returned %d", o.rc);
	check_failing_stream(cli_write_base64, "write_base64", data, size, o.len);
	FUZZ_CHECK(o.len == 2 + 4 * groups && o.buf[0] == '"' &&
			   o.buf[o.len - 1] == '"',
		   "write_base64: %zu bytes for %zu", o.len, size);
	back = malloc(3 * groups + 1);
	FUZZ_CHECK(back != NULL, "out of memory");
	for (size_t g = 0; g < groups; g++) {
		const char *q = o.buf + 1 + 4 * g;
		uint32_t v = 0;
		int pad = 0;

		for (int j = 0; j < 4; j++) {
			const char *c = q[j] ? strchr(tab, q[j]) : NULL;

			if (q[j] == '=' && g == groups - 1 && j >= 2) {
				pad++;
				v <<= 6;
				continue;
			}
			FUZZ_CHECK(c != NULL && pad == 0,
				   "write_base64: bad character '%c'", q[j]);
			v = v << 6 | (uint32_t)(c - tab);
		}
		/* Padding must match the length, and unused bits be zero. */
		FUZZ_CHECK(pad == (g == groups - 1 ? (int)(3 * groups - size) : 0),
			   "write_base64: wrong padding");
		FUZZ_CHECK((pad < 1 || (v & 0xff) == 0) &&
				   (pad < 2 || (v & 0xff00) == 0),
			   "write_base64: non-zero bits in padding");
		back[n++] = (uint8_t)(v >> 16);
		if (pad < 2)
			back[n++] = (uint8_t)(v >> 8);
		if (pad < 1)
			back[n++] = (uint8_t)v;
	}
	FUZZ_CHECK(n == size && memcmp(back, data, size) == 0,
		   "write_base64 output does not decode to the input");
	free(back);
	free(o.buf);
}

static void check_hex(const uint8_t *data, size_t size)
{
	struct fuzz_out o;

	fuzz_capture(&o, cli_write_hex, data, size);
	FUZZ_CHECK(o.rc == 0, "write_hex returned %d", o.rc);
	check_failing_stream(cli_write_hex, "write_hex", data, size, o.len);
	FUZZ_CHECK(o.len == (size ? 3 * size - 1 : 0),
		   "write_hex: %zu bytes for %zu", o.len, size);
	for (size_t i = 0; i < size; i++) {
		const char *h = o.buf + 3 * i;

		FUZZ_CHECK(i == 0 || h[-1] == ' ', "write_hex: no space");
		FUZZ_CHECK(!isupper((unsigned char)h[0]) &&
				   !isupper((unsigned char)h[1]) &&
				   hexval(h[0]) >= 0 && hexval(h[1]) >= 0 &&
				   (hexval(h[0]) << 4 | hexval(h[1])) == data[i],
			   "write_hex: byte %zu is '%.2s'", i, h);
	}
	free(o.buf);
}

/* "YYYY-MM-DDTHH:MM:SS.uuuuuuZ": digits where the template has 'd'. */
static bool rfc3339_shape(const char *s)
{
	static const char tmpl[] = "dddd-dd-ddTdd:dd:dd.ddddddZ";

	for (size_t i = 0; i < sizeof(tmpl); i++) {
		if (tmpl[i] == 'd' ? !isdigit((unsigned char)s[i])
				   : s[i] != tmpl[i])
			return false;
	}
	return true;
}

static void check_rfc3339(const uint8_t *data, size_t size)
{
	struct timespec t;
	int64_t sec, nsec;
	char full[64], small[16];
	int n;

	if (size < 16)
		return;
	memcpy(&sec, data, 8);
	memcpy(&nsec, data + 8, 8);
	t.tv_sec = (time_t)sec;
	t.tv_nsec = (long)nsec;
	memset(full, FUZZ_POISON, sizeof(full));
	n = cli_format_rfc3339(&t, full, sizeof(full));
	FUZZ_CHECK(n >= -1 && n < (int)sizeof(full),
		   "format_rfc3339(%lld, %lld) returned %d", (long long)sec,
		   (long long)nsec, n);
	if (n < 0)
		return;
	FUZZ_CHECK(strlen(full) == (size_t)n, "format_rfc3339: bad length");
	/*
	 * Kernel timestamps are never before 1970. Before year 1000 the year
	 * comes out short ("999-01-01T...") or negative; that is reported,
	 * not checked here, so the rest of this target keeps running.
	 */
	if (sec >= 0)
		FUZZ_CHECK(n == 27 && rfc3339_shape(full),
			   "format_rfc3339(%lld, %lld) wrote '%s' (%d)",
			   (long long)sec, (long long)nsec, full, n);
	memset(small, FUZZ_POISON, sizeof(small));
	FUZZ_CHECK(cli_format_rfc3339(&t, small, sizeof(small)) == n &&
			   memcmp(small, full, sizeof(small) - 1) == 0 &&
			   small[sizeof(small) - 1] == '\0',
		   "format_rfc3339 into %zu bytes", sizeof(small));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t valid = fuzz_utf8_prefix(data, size);
	bool ok = cli_utf8_valid(data, size);

	FUZZ_CHECK(ok == (valid == size),
		   "utf8_valid says %d; reference stops at %zu of %zu", ok,
		   valid, size);
	/* Every prefix agrees too: catches reads past len. */
	FUZZ_CHECK(cli_utf8_valid(data, valid), "valid prefix rejected");
	check_escaped(data, size);
	check_json(data, valid);
	check_base64(data, size);
	check_hex(data, size);
	check_rfc3339(data, size);
	return 0;
}
