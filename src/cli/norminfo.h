/*
 * norminfo.h - the NORM_INFO of a file object, as mcast sends and checks it.
 *
 * A file object's info is its name, as NRL's normCast and normApp use it,
 * so any NORM receiver stores the file under that name. mcast appends,
 * after a NUL that ends the name for those receivers, its size and SHA-256:
 *
 *   NAME [ NUL "mcast1 size=" DECIMAL " sha256=" 64 lowercase hex digits
 *          [ NUL ENVELOPE ] ]
 *
 * With --sign, ENVELOPE is an mcast envelope (signed, not encrypted) whose
 * payload is exactly the bytes before that second NUL: the name, size and
 * SHA-256 a key vouched for. This parser only finds it; checking it is the
 * receiver's (transport_norm_rxobj.c, libmcast's mcast_env_open()).
 *
 * (docs/PROTOCOL.md). A name from the network is never trusted: it must be
 * a relative path of at most NORMINFO_DEPTH components, each 1 to 255
 * bytes, none "." or "..", no control byte or NUL, the whole at most
 * NORMINFO_NAME_MAX bytes, and not inside mcast's own temporary directory.
 * This file has no I/O, so it is fuzzed (fuzz/fuzz_norminfo.c) and unit
 * tested on its own.
 */
#ifndef MCAST_CLI_NORMINFO_H
#define MCAST_CLI_NORMINFO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NORMINFO_NAME_MAX 1024
#define NORMINFO_DEPTH 16
/* The prefix of mcast's temporary directory under --output; no name from
 * the network may start with it. */
#define NORMINFO_TMP_PREFIX ".mcast-tmp-"
/* The largest info mcast reads: a name, the NUL and the checksum part,
 * and a signature part of the same again and an envelope's 96 bytes. */
#define NORMINFO_MAX (2 * (NORMINFO_NAME_MAX + 128) + 128)

/* Why a name was refused (0 = accepted); counted per kind by receivers. */
enum norminfo_bad {
	NI_OK = 0,
	NI_EMPTY,     /* no name at all */
	NI_ABSOLUTE,  /* starts with '/' */
	NI_DOTDOT,    /* a ".." component */
	NI_DOT,       /* an empty or "." component ("a//b", "./a", "a/") */
	NI_CONTROL,   /* a byte below 0x20, or 0x7f */
	NI_NUL,       /* a NUL not followed by mcast's checksum part */
	NI_TOO_LONG,  /* the name, a component, or too many components */
	NI_RESERVED,  /* inside mcast's temporary directory */
	NI_NKINDS
};

struct norminfo {
	char name[NORMINFO_NAME_MAX + 1]; /* NUL-terminated, validated */
	size_t name_len;
	bool has_sum;       /* the checksum part was present */
	uint64_t size;
	uint8_t sha256[32];
	/* The signature part (env_len 0: none): the envelope is env_len bytes
	 * at env_off in the parsed info, and what it must carry as payload is
	 * the info's first body_len bytes. */
	size_t body_len, env_off, env_len;
};

/*
 * Parse a file object's info (len bytes, not NUL-terminated) into out.
 * Returns NI_OK, or the reason the name is refused; out->name is then
 * empty. A checksum part that is malformed makes the NUL before it part of
 * the name, so it is refused as NI_NUL.
 */
enum norminfo_bad norminfo_parse(const void *info, size_t len, struct norminfo *out);

/* Check a name alone (len bytes): NI_OK or why it is refused. */
enum norminfo_bad norminfo_check_name(const char *name, size_t len);

/*
 * Write the info for a file called name (validated by the caller) of size
 * bytes with the given SHA-256 into buf (cap bytes). Returns its length,
 * or 0 when it does not fit.
 */
size_t norminfo_format(char *buf, size_t cap, const char *name, uint64_t size,
		       const uint8_t sha256[32]);

/* A short phrase for a reason ("absolute path"), and a key for JSON
 * ("absolute"). */
const char *norminfo_reason(enum norminfo_bad why);
const char *norminfo_key(enum norminfo_bad why);

#endif
