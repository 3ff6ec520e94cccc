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
 * work is the sign. The result of strerror() for a known errno is a static
 * string in glibc and musl, which is what the contract promises.
 */
const char *mcast_strerror(int code)
{
	if (code == 0)
		return "success";
	return strerror(code < 0 ? -code : code);
}

int mcast__fail(mcast_error *err, int code, const char *fmt, ...)
{
	if (err) {
		va_list ap;

		va_start(ap, fmt);
		vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
		va_end(ap);
	}
	return code;
}

int mcast__level(int family)
{
	return family == AF_INET6 ? IPPROTO_IPV6 : IPPROTO_IP;
}
