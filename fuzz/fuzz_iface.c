/*
 * fuzz_iface.c - mcast_iface_find() on arbitrary text.
 *
 * The function only reads the host's interfaces (if_nametoindex, ioctl,
 * getifaddrs); it sends nothing. Properties checked:
 *   - it returns 0 or a negative errno; on failure err holds one printable,
 *     NUL-terminated line;
 *   - on success the interface has a NUL-terminated name and an index, and
 *     that name resolves to that index;
 *   - a name the kernel knows (if_nametoindex) is always found, as that
 *     interface (the kernel maps an alias "eth0:1" to eth0, and so do we);
 *   - no file descriptor is left open (each call opens sockets).
 */
#include "fuzz.h"

#include "mcast.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

/* The lowest free descriptor: it grows if a call leaks one. */
static int lowest_free_fd(void)
{
	int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);

	FUZZ_CHECK(fd >= 0, "cannot open /dev/null");
	close(fd);
	return fd;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *spec = fuzz_cstr(data, size);
	unsigned named = if_nametoindex(spec);
	/*
	 * Measured around the call, not once per process: libFuzzer itself
	 * keeps pipes to llvm-symbolizer open after it reports a NEW_FUNC.
	 */
	int fd_before = lowest_free_fd(), fd_after, rc;
	mcast_error err;
	mcast_iface out;
	const char *why;

	memset(&err, FUZZ_POISON, sizeof(err));
	memset(&out, FUZZ_POISON, sizeof(out));
	rc = mcast_iface_find(&out, spec, &err);
	fd_after = lowest_free_fd();
	FUZZ_CHECK(fd_after == fd_before,
		   "a file descriptor leaked: lowest free was %d, now %d",
		   fd_before, fd_after);
	if (rc == 0) {
		FUZZ_CHECK(memchr(out.name, '\0', sizeof(out.name)) != NULL,
			   "name not NUL-terminated");
		FUZZ_CHECK(out.index != 0, "index 0 for '%s'", spec);
		FUZZ_CHECK(if_nametoindex(out.name) == out.index,
			   "'%s' gave %s, index %u", spec, out.name, out.index);
	} else {
		FUZZ_CHECK(rc < 0 && rc > -4096, "returned %d", rc);
		why = fuzz_bad_message(err.msg, sizeof(err.msg));
		FUZZ_CHECK(why == NULL, "error message %s", why);
	}
	if (named)
		FUZZ_CHECK(rc == 0 && out.index == named,
			   "interface '%s' (index %u) not found: %d", spec,
			   named, rc);
	free(spec);
	return 0;
}
