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

void mcast__set_msg(mcast_error *err, const char *fmt, ...)
{
	static const char hex[] = "0123456789abcdef";
	char raw[sizeof(mcast_error)];
	size_t o = 0;
	va_list ap;

	if (!err)
		return;
	va_start(ap, fmt);
	vsnprintf(raw, sizeof(raw), fmt, ap);
	va_end(ap);
	for (const char *p = raw; *p && o + 5 <= sizeof(err->msg); p++) {
		unsigned char c = (unsigned char)*p;

		if (c < 0x20 || c == 0x7f) {
			err->msg[o++] = '\\';
			err->msg[o++] = 'x';
			err->msg[o++] = hex[c >> 4];
			err->msg[o++] = hex[c & 15];
		} else {
			err->msg[o++] = (char)c;
		}
	}
	err->msg[o] = '\0';
}

int mcast__level(int family)
{
	return family == AF_INET6 ? IPPROTO_IPV6 : IPPROTO_IP;
}
