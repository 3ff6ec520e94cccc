/*
 * fuzz_mqtt_url.c - mqtt_url_parse() and the topic expanders
 * (src/cli/mqtt_url.h) on arbitrary text: the broker URL of `mcast bridge`
 * comes from the command line or a settings file, and its topic comes back
 * from the broker as a subscription filter.
 *
 * Properties: parsing succeeds or fails with -EINVAL and a message; a
 * parsed URL has a host, a port and a topic, all NUL-terminated, and no
 * password; its topic expands and (when it has no placeholder inside a
 * level) filters without error into a roomy buffer, and into every smaller
 * buffer gives -ENOSPC without writing past it; an expansion holds no
 * wildcard the pattern did not have.
 */
#include "fuzz.h"

#include "cli/mqtt_url.h"

#include <errno.h>

#define ROOM 4096

static const struct mqtt_topic_vars vars = {
	"239.1.2.3", "5000", "10.0.0.1", "40000", "eth0+/#",
};

/* Expanding into each buffer smaller than the full length is refused. */
static void smaller(const char *pat, long len)
{
	for (long cap = 0; cap <= len && cap <= 64; cap++) {
		char *buf = malloc(cap ? (size_t)cap : 1);
		long n;

		FUZZ_CHECK(buf != NULL, "out of memory");
		n = mqtt_topic_expand(pat, &vars, buf, (size_t)cap);
		FUZZ_CHECK(n == -ENOSPC, "cap %ld of %ld gave %ld", cap, len + 1, n);
		free(buf);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char big[ROOM], err[200];
	struct mqtt_url u;
	char *text = fuzz_cstr(data, size);
	long n;
	int rc;

	err[0] = '\0';
	rc = mqtt_url_parse(&u, text, err, sizeof(err));
	FUZZ_CHECK(rc == 0 || rc == -EINVAL, "parse returned %d", rc);
	if (rc < 0) {
		FUZZ_CHECK(err[0] != '\0', "no message");
		free(text);
		return 0;
	}
	FUZZ_CHECK(u.host[0] && u.port && u.topic[0], "empty part");
	FUZZ_CHECK(memchr(u.user, '\0', sizeof(u.user)) && memchr(u.host, '\0', sizeof(u.host)) &&
			   memchr(u.topic, '\0', sizeof(u.topic)),
		   "unterminated part");
	n = mqtt_topic_expand(u.topic, &vars, big, sizeof(big));
	FUZZ_CHECK(n >= 0 && (size_t)n == strlen(big), "expand gave %ld", n);
	FUZZ_CHECK(!mqtt_topic_has_wildcard(big) || mqtt_topic_has_wildcard(u.topic),
		   "a value added a wildcard: %s", big);
	smaller(u.topic, n);
	n = mqtt_topic_filter(u.topic, &vars, big, sizeof(big), err, sizeof(err));
	FUZZ_CHECK(n >= 0 || n == -EINVAL, "filter gave %ld", n);
	FUZZ_CHECK(n < 0 || mqtt_topic_varies(u.topic) || strchr(big, '+') == NULL ||
			   strchr(u.topic, '+'),
		   "a fixed pattern became a wildcard");
	free(text);
	return 0;
}
