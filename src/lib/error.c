/*
 * error.c - error messages and the library version.
 */
#include "lib/internal.h"

#include <stdio.h>
#include <string.h>

const char *mcast_version(void)
{
	return MCAST_VERSION;
}

/*
 * Codes are negative errno values, so strerror() knows them all; the only
 * work is the sign.
 */
const char *mcast_strerror(int code)
{
	if (code == 0)
		return "success";
	return strerror(code < 0 ? -code : code);
}

static size_t put_hex(char *out, size_t o, unsigned char c)
{
	static const char hex[] = "0123456789abcdef";

	out[o++] = '\\';
	out[o++] = 'x';
	out[o++] = hex[c >> 4];
	out[o++] = hex[c & 15];
	return o;
}

void mcast__set_msg(mcast_error *err, const char *fmt, ...)
{
	char raw[sizeof(mcast_error)];
	size_t o = 0;
	va_list ap;

	if (!err)
		return;
	va_start(ap, fmt);
	vsnprintf(raw, sizeof(raw), fmt, ap);
	va_end(ap);
	for (const unsigned char *p = (const unsigned char *)raw;
	     *p && o + 9 <= sizeof(err->msg); p++) {
		/* C1 controls (U+0080..U+009F, UTF-8 c2 80..c2 9f) act like
		 * escape sequences on terminals, as C0 controls do. */
		bool c1 = p[0] == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f;

		if (c1) {
			o = put_hex(err->msg, o, *p++);
			o = put_hex(err->msg, o, *p);
		} else if (*p < 0x20 || *p == 0x7f) {
			o = put_hex(err->msg, o, *p);
		} else {
			err->msg[o++] = (char)*p;
		}
	}
	err->msg[o] = '\0';
}

int mcast__level(int family)
{
	return family == AF_INET6 ? IPPROTO_IPV6 : IPPROTO_IP;
}
