/*
 * fuzz_norminfo.c - the info of a NORM file object, which comes from the
 * network and decides where a received file is stored (src/cli/norminfo.h).
 *
 * Properties checked for every input:
 *   - an accepted name is NUL-terminated, as long as said, and passes
 *     norminfo_check_name() on its own;
 *   - it is relative, has no ".", ".." or empty component, no control
 *     byte, at most NORMINFO_DEPTH components of at most 255 bytes, and
 *     does not start with mcast's temporary directory prefix;
 *   - with a checksum part, writing the parsed info back gives exactly the
 *     input (one spelling per info) up to the signature part, if any,
 *     which is the rest of the input after one NUL and never empty; without
 *     one the input is the name;
 *   - a refused input leaves the name empty and names a known reason.
 */
#include "fuzz.h"

#include "cli/norminfo.h"

static void check_accepted(const uint8_t *data, size_t size, const struct norminfo *ni)
{
	size_t start = 0, depth = 0;

	FUZZ_CHECK(ni->name_len <= NORMINFO_NAME_MAX, "name of %zu bytes", ni->name_len);
	FUZZ_CHECK(ni->name[ni->name_len] == '\0', "name not NUL-terminated");
	FUZZ_CHECK(strlen(ni->name) == ni->name_len, "name_len %zu, strlen %zu",
		   ni->name_len, strlen(ni->name));
	FUZZ_CHECK(norminfo_check_name(ni->name, ni->name_len) == NI_OK,
		   "accepted name fails its own check");
	FUZZ_CHECK(ni->name[0] != '/', "absolute name accepted");
	FUZZ_CHECK(strncmp(ni->name, NORMINFO_TMP_PREFIX, strlen(NORMINFO_TMP_PREFIX)) != 0,
		   "reserved name accepted");
	for (size_t i = 0; i <= ni->name_len; i++) {
		size_t n;

		if (i < ni->name_len) {
			unsigned char c = (unsigned char)ni->name[i];

			FUZZ_CHECK(c >= 0x20 && c != 0x7f, "control byte 0x%02x accepted", c);
			if (c != '/')
				continue;
		}
		n = i - start;
		FUZZ_CHECK(n > 0 && n <= 255, "component of %zu bytes", n);
		FUZZ_CHECK(!(n == 1 && ni->name[start] == '.'), "'.' component accepted");
		FUZZ_CHECK(!(n == 2 && ni->name[start] == '.' && ni->name[start + 1] == '.'),
			   "'..' component accepted");
		depth++;
		start = i + 1;
	}
	FUZZ_CHECK(depth <= NORMINFO_DEPTH, "%zu components", depth);
	if (ni->has_sum) {
		char buf[NORMINFO_MAX];
		size_t n = norminfo_format(buf, sizeof(buf), ni->name, ni->size, ni->sha256);
		size_t body = ni->env_len ? ni->body_len : size;

		FUZZ_CHECK(n == body && memcmp(buf, data, n) == 0,
			   "info does not round-trip (%zu bytes in, %zu out)", body, n);
		FUZZ_CHECK(!ni->env_len || (ni->env_off == ni->body_len + 1 &&
					    data[ni->body_len] == 0 &&
					    ni->env_off + ni->env_len == size),
			   "signature part at %zu, %zu bytes, of %zu", ni->env_off,
			   ni->env_len, size);
	} else {
		FUZZ_CHECK(ni->env_len == 0, "a signature part without a checksum part");
		FUZZ_CHECK(size == ni->name_len && memcmp(data, ni->name, size) == 0,
			   "a plain name differs from the input");
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct norminfo ni;
	enum norminfo_bad why;

	memset(&ni, FUZZ_POISON, sizeof(ni));
	why = norminfo_parse(data, size, &ni);
	FUZZ_CHECK((unsigned)why < NI_NKINDS, "reason %d", (int)why);
	FUZZ_CHECK(strcmp(norminfo_key(why), "unknown") != 0, "no key for reason %d", (int)why);
	if (why == NI_OK) {
		check_accepted(data, size, &ni);
	} else {
		FUZZ_CHECK(ni.name[0] == '\0' && ni.name_len == 0 && !ni.has_sum,
			   "refused input left a name behind");
	}
	return 0;
}
