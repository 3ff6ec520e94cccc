/*
 * fuzz_template.c - tmpl_compile() and tmpl_expand() (src/cli/template.h)
 * on arbitrary template text and variables.
 *
 * The input is: 8 bytes of seconds, 4 of nanoseconds, 8 of sequence number
 * (all taken as they come, however absurd), then the template text.
 * Properties: compile either succeeds or fails with -EINVAL and a message;
 * expansion into a roomy buffer gives some length L; into every smaller
 * exact-size heap buffer it gives -ENOSPC without writing past it, and into
 * a buffer of exactly L the same bytes.
 */
#include "fuzz.h"

#include "cli/template.h"

#include <errno.h>

#define ROOM 8192

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tmpl_vars v;
	struct tmpl *t;
	char err[200], *text;
	static char big[ROOM];
	int64_t sec;
	uint32_t nsec;
	long len;
	int rc;

	if (size < 20)
		return 0;
	memcpy(&sec, data, 8);
	memcpy(&nsec, data + 8, 4);
	memset(&v, 0, sizeof(v));
	memcpy(&v.seq, data + 12, 8);
	v.now.tv_sec = (time_t)sec;
	v.now.tv_nsec = (long)nsec;
	v.host = "fuzz-host";
	v.pid = 4242;
	text = fuzz_cstr(data + 20, size - 20);
	err[0] = '\0';
	rc = tmpl_compile(text, &t, err, sizeof(err));
	FUZZ_CHECK(rc == 0 || rc == -EINVAL, "compile returned %d", rc);
	if (rc < 0) {
		FUZZ_CHECK(memchr(err, '\0', sizeof(err)) && err[0], "no message");
		free(text);
		return 0;
	}
	len = tmpl_expand(t, &v, big, sizeof(big));
	if (len >= 0 && len <= 256) {
		/* Every smaller buffer is refused; an exact one gets the same. */
		for (long cap = 0; cap <= len; cap++) {
			char *buf = malloc(cap ? (size_t)cap : 1);
			long n;

			FUZZ_CHECK(buf != NULL, "out of memory");
			n = tmpl_expand(t, &v, buf, (size_t)cap);
			if (cap < len)
				FUZZ_CHECK(n == -ENOSPC, "cap %ld of %ld gave %ld", cap, len, n);
			else
				FUZZ_CHECK(n == len && memcmp(buf, big, (size_t)len) == 0,
					   "an exact buffer gave something else");
			free(buf);
		}
	} else {
		FUZZ_CHECK(len == -ENOSPC || len >= 0, "expand returned %ld", len);
	}
	tmpl_free(t);
	free(text);
	return 0;
}
