/*
 * internal.h - what the library's modules share and nothing outside sees.
 * Internal non-static names start with mcast__.
 */
#ifndef MCAST_INTERNAL_H
#define MCAST_INTERNAL_H

#include "mcast.h"

#include <errno.h>
#include <stdarg.h>

/*
 * Write a formatted message into err (if not NULL). Messages quote what
 * users typed, so control bytes are written as \xHH: a message stays one
 * printable line whatever the input was.
 */
void mcast__set_msg(mcast_error *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * Set the message and yield code, so a failure reads
 * `return mcast__fail(err, -EINVAL, "bad port '%s'", p);`. A macro, so that
 * readers and static analysers see the value returned.
 */
#define mcast__fail(err, code, ...) (mcast__set_msg((err), __VA_ARGS__), (code))

/* One group joined on one interface, from one source or from any. */
struct membership {
	mcast_addr group;
	mcast_addr source; /* family AF_UNSPEC for any-source */
	unsigned ifindex;
};

struct mcast_sock {
	int fd;
	int family;
	uint16_t local_port; /* host order, once bound */
	struct membership *m;
	size_t n, cap;
};

/* -EAFNOSUPPORT (with a message naming what) unless a is of s's family. */
int mcast__check_family(const mcast_sock *s, const mcast_addr *a,
			const char *what, mcast_error *err);

/* The socket option level for a family: IPPROTO_IP or IPPROTO_IPV6. */
int mcast__level(int family);

/*
 * Platform specifics (os_linux.c, and os_linux_proc.c for /proc). Everything
 * that names a Linux-only socket option or reads /proc lives behind these,
 * so a port replaces those two files.
 */

/* The value of the sysctl `name` ("net.core.rmem_max"), as this network
 * namespace sees it, or -1 when it cannot be read. */
long mcast__os_sysctl(const char *name);

/* Explain a join that failed with rc by the kernel limit it ran into: into
 * buf, which setting, its value here and how to raise it. `source` says
 * whether the join named a source, `new_group` whether the socket had not
 * joined the group on that interface before. Returns false when rc is not
 * how a limit shows. */
bool mcast__os_join_limit(int family, int rc, bool source, bool new_group,
			  char *buf, size_t len);

/* Turn on what a receiving socket reports with each datagram: arrival
 * interface and destination (PKTINFO), kernel timestamps, kernel drops,
 * the TTL or hop limit. Also turns off IP_MULTICAST_ALL. Returns 0 or
 * -errno. */
int mcast__os_rx_setup(int fd, int family);

/* Fill info (and *seg, the GRO segment size, if seg is not NULL) from the
 * control messages of one received datagram; info->ttl is -1 when they do
 * not carry it. */
void mcast__os_rx_cmsg(struct msghdr *msg, int family, mcast_rxinfo *info,
		       size_t *seg);

/* Ask for (on) coalesced receives; fills in rx seg from the control data. */
int mcast__os_set_gro(int fd, bool on);
/* Attach a GSO segment size to an outgoing message's control buffer
 * (at least MCAST__CMSG_SPACE bytes). Returns the control length used. */
size_t mcast__os_gso_cmsg(void *control, size_t seg);

/* The control buffer size that mcast__os_rx_cmsg() needs. */
#define MCAST__CMSG_SPACE 256

/* Set the receive buffer, forcing past the limit when the process may.
 * Fills info. Returns 0 or -errno. */
int mcast__os_set_rcvbuf(int fd, size_t bytes, mcast_bufinfo *info);

/* The socket's drop counter (SO_MEMINFO). Returns 0 or -errno. */
int mcast__os_drops(int fd, uint32_t *out);

/* Refuse (on) or allow (off) fragmentation of outgoing datagrams. */
int mcast__os_set_dontfrag(int fd, int family, bool on);

/* The interface index the routing table sends dst through. Returns 0,
 * -ENETUNREACH or -errno. */
int mcast__os_route_ifindex(const mcast_addr *dst, unsigned *ifindex);

/*
 * Keys and envelopes (keys.c, envelope.c). The structures hold raw key
 * bytes in libsodium's layout; only those two files include <sodium.h>.
 */
#define MCAST__PK_LEN 32 /* Ed25519 public key */
#define MCAST__SK_LEN 64 /* Ed25519 secret key: seed, then public key */
#define MCAST__GK_LEN 32 /* XChaCha20-Poly1305 key */

struct mcast_signkey {
	uint8_t sk[MCAST__SK_LEN];
	uint8_t pk[MCAST__PK_LEN];
	uint8_t id[MCAST_KEY_ID_LEN];
};

struct mcast_groupkey {
	uint8_t key[MCAST__GK_LEN];
};

/* Initialise libsodium once (safe to call from every constructor). Returns
 * 0 or -EIO with a message. */
int mcast__sodium_init(mcast_error *err);

/* The key id of an Ed25519 public key: SHA-256(pk), first 8 bytes. */
void mcast__key_id(const uint8_t *pk, uint8_t *id);

/* n bytes as 2n lower-case hex digits and a NUL into out. */
void mcast__hex(const uint8_t *in, size_t n, char *out);

/* One key line, as mcast__key_next() found it. */
struct mcast__keyline {
	unsigned line;		  /* its line number, from 1 */
	uint8_t key[32];	  /* the decoded key (wipe it after use) */
	char comment[MCAST_KEY_COMMENT_MAX + 1]; /* "" for none */
};

/* The key types of key lines. */
#define MCAST__SECRET_WORD "mcast-ed25519-secret"
#define MCAST__PUBLIC_WORD "mcast-ed25519-public"
#define MCAST__GROUP_WORD "mcast-group-key"

/*
 * The next key line of type `word` in text[*pos..len), skipping blank lines
 * and "#" comments; *line counts lines (start it at 0). Returns 1 with kl
 * filled, 0 at the end of the text, or -EINVAL with a message "PREFIX
 * line N: ..." (prefix may be NULL; SOURCE: when given as "SOURCE:") that
 * never quotes the line, which may hold a secret.
 */
int mcast__key_next(const char *text, size_t len, size_t *pos, unsigned *line,
		    const char *word, const char *source,
		    struct mcast__keyline *kl, mcast_error *err);

/* A trusted public key and its anti-replay window (RFC 4303, 3.4.3): the
 * highest sequence number accepted and a bitmap of the MCAST_ENV_WINDOW
 * numbers up to it, bit (seq % MCAST_ENV_WINDOW) for seq. */
struct mcast__tkey {
	uint8_t id[MCAST_KEY_ID_LEN];
	uint8_t pk[MCAST__PK_LEN];
	char *name;
	bool any;     /* an envelope was accepted: top is valid */
	uint64_t top; /* the highest sequence number accepted */
	uint64_t seen[MCAST_ENV_WINDOW / 64];
};

struct mcast_trust {
	struct mcast__tkey *keys; /* sorted by id */
	size_t n;
	uint64_t max_age; /* ns; 0: no time check */
	bool has_group;
	struct mcast_groupkey group;
};

/* The key with this id in t, or NULL. */
struct mcast__tkey *mcast__trust_find(mcast_trust *t, const uint8_t *id);
/* Whether seq was accepted already or lies below k's window. */
bool mcast__window_seen(const struct mcast__tkey *k, uint64_t seq);
/* Record seq as accepted, moving the window up when it is the highest. */
void mcast__window_add(struct mcast__tkey *k, uint64_t seq);

/* CLOCK_REALTIME in nanoseconds. */
uint64_t mcast__realtime_ns(void);

#endif
