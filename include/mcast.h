/*
 * mcast.h - the public interface of libmcast, an IP multicast library.
 *
 * libmcast sends to and receives from IPv4 and IPv6 multicast groups, any-
 * source or source-specific, and reports what the kernel did with each
 * datagram (arrival interface, kernel timestamp, kernel drops).
 *
 * Conventions, true of every function below unless its comment says
 * otherwise:
 *   - Functions return 0 (or a non-negative count) on success and a negative
 *     errno value on failure, e.g. -EINVAL for bad input, -ENODEV for an
 *     unknown interface. mcast_strerror() turns one into text.
 *   - The last argument, `err`, may be NULL. When it is not, a failing call
 *     writes a one-line human message into it (no trailing newline) naming
 *     the value that was wrong.
 *   - The library never prints, never exits and never installs signal
 *     handlers. It allocates only where a comment says so.
 *   - The header needs C11 or POSIX.1-2008 (struct timespec).
 *   - Functions that take a mcast_sock, mcast_watch, mcast_hist,
 *     mcast_sealer or mcast_trust are not thread-safe for the same handle;
 *     distinct handles may be used from distinct threads. Keys never change
 *     once made, so they may be shared. All other functions are
 *     thread-safe.
 */
#ifndef MCAST_H
#define MCAST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <time.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define MCAST_API __attribute__((visibility("default")))
#else
#define MCAST_API
#endif

/* ---- Version ---------------------------------------------------------- */

/*
 * The one place the version is written: the Makefile reads these three
 * lines for the shared library's file name and mcast.pc, and tests check
 * that the manuals, CHANGELOG.md and debian/changelog say the same.
 */
#define MCAST_VERSION_MAJOR 0
#define MCAST_VERSION_MINOR 2
#define MCAST_VERSION_PATCH 0
#define MCAST__STR(x) #x
#define MCAST__XSTR(x) MCAST__STR(x)
/* "0.2.0": the three numbers above, as a string. */
#define MCAST_VERSION                                                        \
	MCAST__XSTR(MCAST_VERSION_MAJOR) "." MCAST__XSTR(MCAST_VERSION_MINOR) \
	"." MCAST__XSTR(MCAST_VERSION_PATCH)
/* 0xMMmmpp, for compile-time comparisons. */
#define MCAST_VERSION_NUM                                                    \
	((MCAST_VERSION_MAJOR << 16) | (MCAST_VERSION_MINOR << 8) |          \
	 MCAST_VERSION_PATCH)

/** The version of the library actually linked, e.g. "0.2.0". Never NULL. */
MCAST_API const char *mcast_version(void);

/* ---- Errors ----------------------------------------------------------- */

/** Room for a human error message; see the conventions above. */
typedef struct mcast_error {
	char msg[256];
} mcast_error;

/**
 * Text for an error code returned by this library (negative errno), as
 * strerror(3) gives it. Never NULL; for an unknown code the text may live
 * in a per-thread buffer that the next call in the same thread reuses.
 */
MCAST_API const char *mcast_strerror(int code);

/* ---- Addresses -------------------------------------------------------- */

/** An IPv4 or IPv6 address with a port (and, for IPv6, a scope). */
typedef struct mcast_addr {
	union {
		struct sockaddr sa;
		struct sockaddr_in sin;
		struct sockaddr_in6 sin6;
		struct sockaddr_storage ss;
	} u;
} mcast_addr;

/* Large enough for "[ffff:...:ffff%ifname]:65535" and a NUL. */
#define MCAST_ADDRSTRLEN (INET6_ADDRSTRLEN + IF_NAMESIZE + 10)

/**
 * Parse a destination "GROUP:PORT": "239.1.2.3:5000", "[ff15::1]:5000" or
 * "[ff02::1%eth0]:5000" (a scope by interface name or index). The address
 * must be multicast (224.0.0.0/4 or ff00::/8) and the port 0-65535.
 * Returns 0, or -EINVAL (malformed, not multicast, bad port) or -ENODEV
 * (unknown scope interface). `out` is written only on success.
 */
MCAST_API int mcast_addr_parse_group(mcast_addr *out, const char *text,
				     mcast_error *err);

/**
 * Parse a group or a range of consecutive groups on one port: "GROUP:PORT"
 * as mcast_addr_parse_group() takes it (one group), or "GROUP+N:PORT",
 * e.g. "239.1.1.1+15:5000" or "[ff15::1]+15:5000", the group and the N
 * after it (16 groups, 239.1.1.1 to 239.1.1.16), N from 0 to 65535. The
 * first group, with the port, goes to *first and the number of groups
 * (N + 1) to *count; mcast_addr_add() gives the others. Returns 0, -EINVAL
 * or -ENODEV as mcast_addr_parse_group() (or for a bad N), or -ERANGE when
 * the range would leave the multicast range or the scope of its first
 * group (see mcast_addr_add()). Nothing is written on failure.
 */
MCAST_API int mcast_addr_parse_range(mcast_addr *first, unsigned *count,
				     const char *text, mcast_error *err);

/**
 * Advance the multicast group `a` by n addresses in place, with carry:
 * 239.1.1.255 + 1 is 239.1.2.0. The port and IPv6 scope are kept. A group
 * never leaves its scope: IPv4 224.0.0.0/24 (link-local), 232.0.0.0/8
 * (source-specific), 239.0.0.0/8 (administratively scoped) and the rest of
 * 224.0.0.0/4 below and above 232/8 are each a scope of their own; an IPv6
 * group keeps its flags and scope (ff15::/16), and one with the P flag
 * (ff3x, RFC 3306 and 4607) its prefix too (ff3e::/96). Returns 0, -EINVAL
 * when `a` is not a multicast group, or -ERANGE (a unchanged) when the
 * result would lie past the end of the range or in another scope.
 */
MCAST_API int mcast_addr_add(mcast_addr *a, uint32_t n, mcast_error *err);

/**
 * Parse a host address without a port: "10.0.0.1", "fe80::1%eth0",
 * "[2001:db8::1]". Any unicast or multicast address is accepted; the port
 * is set to 0. Returns 0, -EINVAL or -ENODEV as mcast_addr_parse_group().
 */
MCAST_API int mcast_addr_parse_host(mcast_addr *out, const char *text,
				    mcast_error *err);

/* Flags for mcast_addr_format(). */
#define MCAST_FMT_PORT 0x1 /* append ":PORT", bracketing IPv6 */

/**
 * Write `a` as text into buf (at most len bytes, always NUL-terminated when
 * len > 0): "239.1.2.3", "ff15::1", "fe80::1%eth0", or with MCAST_FMT_PORT
 * "239.1.2.3:5000", "[ff15::1]:5000". Returns the length written, or
 * -ENOSPC when buf is too small, -EAFNOSUPPORT for an unknown family.
 */
MCAST_API int mcast_addr_format(const mcast_addr *a, char *buf, size_t len,
				unsigned flags);

/** AF_INET or AF_INET6 (or AF_UNSPEC for a zeroed address). */
MCAST_API int mcast_addr_family(const mcast_addr *a);
/** The port in host byte order. */
MCAST_API uint16_t mcast_addr_port(const mcast_addr *a);
/** Set the port (host byte order). */
MCAST_API void mcast_addr_set_port(mcast_addr *a, uint16_t port);
/** Length of the sockaddr inside `a`, for bind(2)/sendto(2). */
MCAST_API socklen_t mcast_addr_len(const mcast_addr *a);
/** True for 224.0.0.0/4 and ff00::/8. */
MCAST_API bool mcast_addr_is_multicast(const mcast_addr *a);
/** True for the source-specific ranges 232.0.0.0/8 and ff3x::/32. */
MCAST_API bool mcast_addr_is_ssm(const mcast_addr *a);
/** True when family and address are equal (and the port, if with_port). */
MCAST_API bool mcast_addr_equal(const mcast_addr *a, const mcast_addr *b,
				bool with_port);

/* ---- Interfaces ------------------------------------------------------- */

/** A network interface as the kernel reports it. */
typedef struct mcast_iface {
	char name[IF_NAMESIZE];
	unsigned index;
	unsigned flags; /* IFF_UP, IFF_MULTICAST, IFF_LOOPBACK, ... */
	unsigned mtu;   /* 0 when the kernel would not say */
} mcast_iface;

/**
 * Find an interface by name ("eth0"), index ("2") or one of its IPv4 or
 * IPv6 addresses ("10.0.0.1"). Returns 0, or -ENODEV when no interface
 * matches (or the kernel could not be asked).
 */
MCAST_API int mcast_iface_find(mcast_iface *out, const char *spec,
			       mcast_error *err);

/** Like mcast_iface_find() for a known index. */
MCAST_API int mcast_iface_by_index(mcast_iface *out, unsigned index,
				   mcast_error *err);

/**
 * List the interfaces that have every flag in `need` (e.g. IFF_UP |
 * IFF_MULTICAST; 0 lists all), ordered by index. On success *out is a
 * malloc'ed array of *n entries that the caller frees with free(); *out is
 * NULL when *n is 0. Returns 0 or a negative errno.
 */
MCAST_API int mcast_iface_list(mcast_iface **out, size_t *n, unsigned need,
			       mcast_error *err);

/**
 * The first address of `family` on interface `ifindex`, in *out (port 0).
 * For IPv6 a global address is preferred over a link-local one. Returns 0,
 * -EADDRNOTAVAIL when the interface has no such address, or -errno.
 */
MCAST_API int mcast_iface_address(unsigned ifindex, int family,
				  mcast_addr *out, mcast_error *err);

/**
 * The interface the kernel routes `group` through, i.e. the one an
 * any-interface join or send would use. Sends nothing. Returns 0,
 * -ENETUNREACH when there is no route for the group, or another negative
 * errno.
 */
MCAST_API int mcast_iface_route(mcast_iface *out, const mcast_addr *group,
				mcast_error *err);

/**
 * Every address of interface `ifindex`, IPv4 first, then IPv6, in *out
 * (malloc'ed, *n entries, port 0; the caller frees it with free(); NULL
 * when there are none). Returns 0 or a negative errno.
 */
MCAST_API int mcast_iface_addresses(unsigned ifindex, mcast_addr **out,
				    size_t *n, mcast_error *err);

/** A group joined on this host (in this network namespace). */
typedef struct mcast_membership {
	unsigned ifindex;
	mcast_addr group; /* port 0 */
	unsigned users;	  /* sockets (and kernel users) that hold it */
} mcast_membership;

/** A source filter of a joined group (IGMPv3/MLDv2 source lists). */
typedef struct mcast_source_filter {
	unsigned ifindex;
	mcast_addr group, source; /* port 0 */
	unsigned include;	  /* sockets that include the source (SSM) */
	unsigned exclude;	  /* sockets that exclude (block) it */
} mcast_source_filter;

/**
 * The groups joined on this host, IPv4 then IPv6, as the kernel lists them
 * (/proc/net/igmp and igmp6 on Linux), in *out: malloc'ed, *n entries, the
 * caller frees it with free(). Returns 0, -ENOTSUP where the system cannot
 * say, or a negative errno.
 */
MCAST_API int mcast_memberships(mcast_membership **out, size_t *n,
				mcast_error *err);

/**
 * The source filters of the groups joined on this host (/proc/net/mcfilter
 * and mcfilter6 on Linux), as mcast_memberships() returns groups.
 */
MCAST_API int mcast_source_filters(mcast_source_filter **out, size_t *n,
				   mcast_error *err);

/** IGMP and MLD on one interface, as the kernel says. */
typedef struct mcast_mcinfo {
	/*
	 * The IGMP version the interface runs: 3, or 1 or 2 while a querier
	 * of that older version is heard (or forced); 0 when the kernel does
	 * not list the interface (no IPv4 on it).
	 */
	unsigned igmp;
	unsigned igmp_forced; /* net.ipv4.conf.IF.force_igmp_version; 0 none */
	bool has_mld;	      /* IPv6 is on the interface */
	unsigned mld_forced;  /* net.ipv6.conf.IF.force_mld_version; 0 none */
} mcast_mcinfo;

/**
 * What the kernel says about IGMP and MLD on interface ifindex
 * (/proc/net/igmp and the force_igmp_version and force_mld_version
 * sysctls on Linux) in *out. The kernel does not say which MLD version a
 * querier spoke, only whether one is forced. Returns 0 or -ENODEV.
 */
MCAST_API int mcast_iface_mcinfo(unsigned ifindex, mcast_mcinfo *out,
				 mcast_error *err);

/** Watches interfaces for removal; see mcast_watch_new(). */
typedef struct mcast_watch mcast_watch;

/**
 * Start watching the kernel's interface events (rtnetlink link messages).
 * Poll mcast_watch_fd() for readability and call mcast_watch_gone() then.
 * Returns 0 or a negative errno. Free with mcast_watch_free().
 */
MCAST_API int mcast_watch_new(mcast_watch **out, mcast_error *err);
MCAST_API int mcast_watch_fd(const mcast_watch *w);
/**
 * Read the pending events. Returns the interface index (one of the n
 * values in `ifindex`) of an interface that was removed, 0 if none was, or
 * a negative errno.
 */
MCAST_API int mcast_watch_gone(mcast_watch *w, const unsigned *ifindex,
			       size_t n);
MCAST_API void mcast_watch_free(mcast_watch *w);

/* ---- Sockets ---------------------------------------------------------- */

/** An opaque UDP socket for multicast; see mcast_sock_new(). */
typedef struct mcast_sock mcast_sock;

/**
 * Open a UDP socket of `family` (AF_INET or AF_INET6) in *out. The socket
 * reports arrival interface, destination address, kernel timestamps and
 * kernel drops with each datagram, and does not receive groups that other
 * sockets joined (IP_MULTICAST_ALL off). Free it with mcast_sock_free().
 */
MCAST_API int mcast_sock_new(mcast_sock **out, int family, mcast_error *err);

/**
 * Leave every group still joined through `s`, close it and free it.
 * NULL is a no-op.
 */
MCAST_API void mcast_sock_free(mcast_sock *s);

/** The file descriptor, for poll(2). Owned by `s`: do not close it. */
MCAST_API int mcast_sock_fd(const mcast_sock *s);

/* Flags for mcast_sock_bind(). */
#define MCAST_BIND_REUSE 0x1 /* let other sockets bind the same address */

/**
 * Bind to `local`. A receiver binds to the group address itself, so that
 * it never sees another group's traffic on the same port; port 0 lets the
 * kernel choose (read it back with mcast_sock_local()). A sender may bind
 * to choose its source address and port. Returns 0 or a negative errno
 * (-EADDRINUSE, -EADDRNOTAVAIL, ...).
 */
MCAST_API int mcast_sock_bind(mcast_sock *s, const mcast_addr *local,
			      unsigned flags, mcast_error *err);

/** The local address and port `s` is bound to. Returns 0 or -errno. */
MCAST_API int mcast_sock_local(const mcast_sock *s, mcast_addr *out);

/**
 * Join `group` on interface `ifindex` (which must not be 0: choose one with
 * mcast_iface_route() for the kernel's choice). With `source` non-NULL the
 * join is source-specific (IGMPv3/MLDv2 INCLUDE); joining several sources
 * of one group is allowed. Returns 0 or a negative errno (-EADDRINUSE when
 * already joined, -ENODEV, ...). A kernel limit shows as -ENOBUFS (IPv4:
 * groups per socket, net.ipv4.igmp_max_memberships, or sources per group,
 * net.ipv4.igmp_max_msf; IPv6: sources per group, net.ipv6.mld_max_msf) or
 * -ENOMEM (the socket's option memory, net.core.optmem_max, which bounds
 * IPv6 groups per socket); the message then names the setting, its value
 * and the sysctl command that raises it.
 */
MCAST_API int mcast_sock_join(mcast_sock *s, const mcast_addr *group,
			      unsigned ifindex, const mcast_addr *source,
			      mcast_error *err);

/**
 * Block `source` for an any-source membership of `group` on `ifindex`
 * (IGMPv3/MLDv2 EXCLUDE), which must already be joined. Returns 0 or -errno.
 */
MCAST_API int mcast_sock_block(mcast_sock *s, const mcast_addr *group,
			       unsigned ifindex, const mcast_addr *source,
			       mcast_error *err);

/**
 * Leave a membership made by mcast_sock_join() with the same arguments.
 * Returns 0, -ENOENT when there is no such membership, or -errno.
 */
MCAST_API int mcast_sock_leave(mcast_sock *s, const mcast_addr *group,
			       unsigned ifindex, const mcast_addr *source,
			       mcast_error *err);

/** What the kernel made of a buffer size request. */
typedef struct mcast_bufinfo {
	size_t requested; /* the size asked for */
	size_t granted;   /* what the kernel set (without its overhead) */
	size_t max;       /* the kernel's limit for unprivileged sockets */
	bool forced;      /* the limit was passed (needs CAP_NET_ADMIN) */
} mcast_bufinfo;

/**
 * Set the receive buffer to `bytes`. Past the kernel's limit
 * (net.core.rmem_max) the library tries SO_RCVBUFFORCE, which works for
 * privileged processes; otherwise the kernel caps the size silently, and
 * `info` (may be NULL) says what was granted. Returns 0 or -errno.
 */
MCAST_API int mcast_sock_set_rcvbuf(mcast_sock *s, size_t bytes,
				    mcast_bufinfo *info, mcast_error *err);

/** Set the IPv4 TTL or IPv6 hop limit of multicast sends (0-255). */
MCAST_API int mcast_sock_set_ttl(mcast_sock *s, unsigned ttl,
				 mcast_error *err);

/** Whether this host's own receivers see what `s` sends (default on). */
MCAST_API int mcast_sock_set_loop(mcast_sock *s, bool on, mcast_error *err);

/**
 * Send multicast through interface `ifindex`. For IPv4, `source` picks the
 * source address among the interface's addresses; NULL means its first
 * address (so that loopback sends from 127.0.0.1, not 0.0.0.0).
 */
MCAST_API int mcast_sock_set_out_iface(mcast_sock *s, unsigned ifindex,
				       const mcast_addr *source,
				       mcast_error *err);

/**
 * Refuse to fragment: a send larger than the path MTU fails with -EMSGSIZE
 * instead of leaving as IP fragments (on by default for new sockets).
 */
MCAST_API int mcast_sock_set_dontfrag(mcast_sock *s, bool on,
				      mcast_error *err);

/** The largest UDP payload of one datagram for `family` (65507, 65527). */
MCAST_API size_t mcast_max_payload(int family);

/**
 * Send one datagram of `len` bytes to `dst`. Returns the number of bytes
 * sent, or a negative errno: -EMSGSIZE (larger than the path allows),
 * -EAGAIN (non-blocking socket full), -ENETUNREACH, ...
 */
MCAST_API ssize_t mcast_sock_send(mcast_sock *s, const mcast_addr *dst,
				  const void *buf, size_t len,
				  mcast_error *err);

/** What the kernel said about one received datagram. */
typedef struct mcast_rxinfo {
	mcast_addr source;    /* sender address and port */
	mcast_addr dest;      /* destination address (the group), local port */
	unsigned ifindex;     /* arrival interface, 0 when unknown */
	struct timespec time; /* receive time, CLOCK_REALTIME */
	bool kernel_time;     /* time is the kernel's (else read after recv) */
	size_t len;           /* full datagram length, even if truncated */
	bool truncated;       /* the datagram did not fit in the buffer */
	uint32_t drops;       /* kernel drops on this socket so far */
	int ttl;              /* the IPv4 TTL or IPv6 hop limit it arrived
				 with (0-255), -1 when unknown */
} mcast_rxinfo;

/**
 * The number of datagrams the kernel dropped for `s` because its receive
 * buffer was full, read now (so drops after the last datagram received
 * count too). Returns 0, or -ENOTSUP where the kernel cannot say.
 */
MCAST_API int mcast_sock_drops(const mcast_sock *s, uint32_t *out);

/* Flags for mcast_sock_recv(). */
#define MCAST_RECV_NOWAIT 0x1 /* return -EAGAIN instead of blocking */

/**
 * Receive one datagram into buf (cap bytes) and describe it in `info`
 * (may be NULL). Returns the number of bytes stored (at most cap), or a
 * negative errno: -EAGAIN, -EINTR (a signal arrived), ...
 */
MCAST_API ssize_t mcast_sock_recv(mcast_sock *s, void *buf, size_t cap,
				  mcast_rxinfo *info, unsigned flags,
				  mcast_error *err);

/* ---- Batches and segmentation offload ---------------------------------- */

/* The most datagrams one batch call moves. */
#define MCAST_BATCH_MAX 64

/**
 * Send n datagrams (iov[i] each, n <= MCAST_BATCH_MAX) to dst in one
 * system call (sendmmsg). Returns how many were sent, which may be fewer
 * than n, or a negative errno (-ENOBUFS when the device queue is full).
 */
MCAST_API int mcast_sock_send_batch(mcast_sock *s, const mcast_addr *dst,
				    const struct iovec *iov, size_t n,
				    mcast_error *err);

/**
 * Send buf (len bytes) as datagrams of seg bytes each (the last may be
 * shorter) with one system call, letting the kernel cut it up (UDP GSO,
 * UDP_SEGMENT). At most 64 segments and 65507 (IPv4) bytes in all.
 * Returns len, or a negative errno: -EOPNOTSUPP or -EIO where the kernel
 * or device cannot segment (send them one by one instead), -EINVAL, ...
 */
MCAST_API ssize_t mcast_sock_send_segments(mcast_sock *s, const mcast_addr *dst,
					   const void *buf, size_t len,
					   size_t seg, mcast_error *err);

/**
 * Let the kernel hand over several datagrams of one flow at once (UDP
 * GRO). A coalesced buffer then holds datagrams of mcast_rxmsg.seg bytes
 * each, back to back. Returns 0 or -ENOPROTOOPT where the kernel lacks it.
 */
MCAST_API int mcast_sock_set_gro(mcast_sock *s, bool on, mcast_error *err);

/** One slot of a receive batch. */
typedef struct mcast_rxmsg {
	void *buf;	   /* in: where to put the datagram */
	size_t cap;	   /* in: its size */
	size_t len;	   /* out: bytes stored */
	size_t seg;	   /* out: with GRO, the size of each datagram in buf
			      (the last may be shorter); 0 for one datagram */
	mcast_rxinfo info; /* out: as mcast_sock_recv() reports it */
} mcast_rxmsg;

/**
 * Receive up to n (<= MCAST_BATCH_MAX) datagrams in one system call
 * (recvmmsg); waits for the first unless flags has MCAST_RECV_NOWAIT.
 * Returns how many slots were filled, or a negative errno (-EAGAIN,
 * -EINTR, ...).
 */
MCAST_API int mcast_sock_recv_batch(mcast_sock *s, mcast_rxmsg *msgs, size_t n,
				    unsigned flags, mcast_error *err);

/* ---- Wire format (docs/PROTOCOL.md) ------------------------------------- */

/*
 * The datagrams of `mcast ping`/`pong` and `mcast bench`: a fixed header in
 * network byte order, "MCST", a version and a type. Each type has its
 * version: probes and data MCAST_WIRE_VERSION, answers
 * MCAST_WIRE_ANSWER_VERSION. A probe is at least
 * MCAST_WIRE_PROBE_MIN bytes, the size of an answer, so an answer is never
 * larger than the probe it answers.
 */
#define MCAST_WIRE_VERSION 1        /* of probes and data */
#define MCAST_WIRE_ANSWER_VERSION 2 /* of answers (the arrival TTL, held back) */
#define MCAST_WIRE_HDR_LEN 32	 /* magic .. t_send: every message */
#define MCAST_WIRE_ANSWER_LEN 64 /* an answer, exactly */
#define MCAST_WIRE_PROBE_MIN 64 /* the smallest probe */

enum mcast_wire_type {
	MCAST_WIRE_T_PROBE = 1, /* ping: please answer */
	MCAST_WIRE_T_ANSWER = 2, /* pong: the answer to a probe */
	MCAST_WIRE_T_DATA = 3   /* bench: sequenced data, not answered */
};

/** One message, decoded. Times are CLOCK_REALTIME nanoseconds. */
typedef struct mcast_wire {
	uint8_t type;	       /* enum mcast_wire_type */
	uint64_t sender_id;    /* the prober or bench sender (random per run) */
	uint64_t seq;	       /* its sequence number */
	uint64_t t_send;       /* when it sent the probe or data */
	uint64_t responder_id; /* answers: the responder (random per run) */
	uint64_t t_recv;       /* answers: when the responder received it */
	uint64_t t_answer;     /* answers: when the responder answered */
	uint32_t held_back;    /* answers: probes of this prober the responder
				  held back so far (its rate limit) */
	int ttl;	       /* answers: the TTL or hop limit the probe arrived
				  with (0-255), -1 when the responder could not tell */
	size_t len;	       /* the datagram's length */
} mcast_wire;

/**
 * Encode m into buf as a message of `len` bytes (the rest of a probe or
 * data message is zero padding). len must be at least the minimum for
 * the type (MCAST_WIRE_PROBE_MIN, MCAST_WIRE_ANSWER_LEN exactly, or
 * MCAST_WIRE_HDR_LEN) and at most cap. Returns len, or -EINVAL.
 */
MCAST_API ssize_t mcast_wire_encode(const mcast_wire *m, void *buf, size_t cap,
				    size_t len);

/**
 * Rewrite the sequence number and send time of an encoded message in place
 * (buf holds at least MCAST_WIRE_HDR_LEN bytes), so a sender can encode a
 * datagram once and stamp it for each send.
 */
MCAST_API void mcast_wire_stamp(void *buf, uint64_t seq, uint64_t t_send);

/**
 * Decode a received datagram of len bytes into m. Never reads past len.
 * Returns 0, or: -EBADMSG (not ours: wrong magic, unknown type, non-zero
 * reserved bits), -EPROTONOSUPPORT (ours, but another version), -ENODATA
 * (truncated: shorter than its type needs) or -EMSGSIZE (oversized: an
 * answer longer than MCAST_WIRE_ANSWER_LEN).
 */
MCAST_API int mcast_wire_decode(mcast_wire *m, const void *buf, size_t len);

/* ---- Keys for envelopes (docs/PROTOCOL.md, "Key files") ----------------- */

/*
 * A signing key is an Ed25519 key pair: its owner seals with the secret
 * half, receivers trust the public half. A group key is a 256-bit secret
 * shared by a sender and the receivers meant to read its payloads
 * (XChaCha20-Poly1305). Both live in text files of one line a person can
 * copy and compare: "mcast-ed25519-secret BASE64 [comment]",
 * "mcast-ed25519-public BASE64 [comment]", "mcast-group-key BASE64
 * [comment]". A key's id is the first MCAST_KEY_ID_LEN bytes of the
 * SHA-256 of its public key (of the group key's, see PROTOCOL.md); its
 * fingerprint is that hash in lower-case hex, and the short fingerprint
 * the first 16 hex digits of it, which is the key id. These functions need
 * libsodium, which libmcast links. Key objects are wiped when freed, and
 * no function here ever copies key bytes into an error message.
 */
#define MCAST_KEY_ID_LEN 8	    /* bytes of a key id */
#define MCAST_KEY_FPR_LEN 65	    /* a fingerprint: 64 hex digits and a NUL */
#define MCAST_KEY_SHORT_FPR_LEN 17 /* a short fingerprint: 16 and a NUL */
#define MCAST_KEY_COMMENT_MAX 64   /* longest comment on a key line, bytes */
#define MCAST_KEY_LINE_MAX 160	    /* room for any key line, "\n" and a NUL */

/** An Ed25519 key pair (secret and public half); see mcast_signkey_new(). */
typedef struct mcast_signkey mcast_signkey;
/** A symmetric group key; see mcast_groupkey_new(). */
typedef struct mcast_groupkey mcast_groupkey;

/**
 * A new random signing key in *out (from the system's random source).
 * Returns 0, -ENOMEM, or -EIO when libsodium cannot initialise. Free it
 * with mcast_signkey_free().
 */
MCAST_API int mcast_signkey_new(mcast_signkey **out, mcast_error *err);

/**
 * Read a signing key from the text of a secret key file (len bytes, need
 * not be NUL-terminated): exactly one "mcast-ed25519-secret" line, and any
 * number of blank lines and lines starting with "#". Returns 0 with a new
 * key in *out, -EINVAL (the message says what is wrong and on which line,
 * never quoting the key), -ENOMEM or -EIO.
 */
MCAST_API int mcast_signkey_parse(mcast_signkey **out, const char *text,
				  size_t len, mcast_error *err);

/**
 * Write the secret key file line of k, "mcast-ed25519-secret BASE64
 * COMMENT\n", into buf (cap bytes, MCAST_KEY_LINE_MAX is always enough),
 * NUL-terminated. comment may be NULL or "" for none; else it is at most
 * MCAST_KEY_COMMENT_MAX bytes without control bytes or leading or trailing
 * blanks. Returns the length (without the NUL), -EINVAL for a bad comment,
 * or -ENOSPC. buf then holds a secret: wipe it when done.
 */
MCAST_API ssize_t mcast_signkey_format_secret(const mcast_signkey *k,
					      const char *comment, char *buf,
					      size_t cap);

/** As mcast_signkey_format_secret(), the public key line of k. */
MCAST_API ssize_t mcast_signkey_format_public(const mcast_signkey *k,
					      const char *comment, char *buf,
					      size_t cap);

/**
 * The fingerprint of k's public key, 64 lower-case hex digits of its
 * SHA-256, into out (MCAST_KEY_FPR_LEN bytes). The first 16 digits are the
 * short fingerprint, the key id that envelopes carry.
 */
MCAST_API void mcast_signkey_fingerprint(const mcast_signkey *k, char *out);

/** Wipe and free k. NULL is a no-op. */
MCAST_API void mcast_signkey_free(mcast_signkey *k);

/** A new random group key in *out, as mcast_signkey_new(). */
MCAST_API int mcast_groupkey_new(mcast_groupkey **out, mcast_error *err);

/**
 * Read a group key from the text of a group key file: exactly one
 * "mcast-group-key" line, blank lines and "#" comments. As
 * mcast_signkey_parse().
 */
MCAST_API int mcast_groupkey_parse(mcast_groupkey **out, const char *text,
				   size_t len, mcast_error *err);

/** The group key file line of k, as mcast_signkey_format_secret(). */
MCAST_API ssize_t mcast_groupkey_format(const mcast_groupkey *k,
					const char *comment, char *buf,
					size_t cap);

/**
 * The fingerprint of k (MCAST_KEY_FPR_LEN bytes into out): the hex SHA-256
 * of "mcast-group-key" and the key, which tells copies of a group key
 * apart without revealing it.
 */
MCAST_API void mcast_groupkey_fingerprint(const mcast_groupkey *k, char *out);

/** Wipe and free k. NULL is a no-op. */
MCAST_API void mcast_groupkey_free(mcast_groupkey *k);

/* ---- Signed and encrypted envelopes (docs/PROTOCOL.md) ------------------ */

/*
 * An envelope wraps one datagram's payload: a 32-byte header ("MCSE",
 * version, flags, key id, sequence number, time), the payload (or, when
 * encrypted, a random 24-byte nonce and the XChaCha20-Poly1305 ciphertext
 * with the header as associated data), then an Ed25519 signature over
 * everything before it. The overhead is fixed: MCAST_ENV_OVERHEAD bytes
 * signed, MCAST_ENV_OVERHEAD_ENC signed and encrypted, so an envelope of
 * at most MCAST_ENV_PAYLOAD_MAX (or _ENC) payload bytes fits one IPv4 UDP
 * datagram of 65507 bytes.
 */
#define MCAST_ENV_VERSION 1
#define MCAST_ENV_HDR_LEN 32
#define MCAST_ENV_NONCE_LEN 24
#define MCAST_ENV_TAG_LEN 16
#define MCAST_ENV_SIG_LEN 64
#define MCAST_ENV_OVERHEAD 96	    /* header and signature */
#define MCAST_ENV_OVERHEAD_ENC 136 /* and nonce and tag */
#define MCAST_ENV_MAX 65507	    /* the largest envelope sealed */
#define MCAST_ENV_PAYLOAD_MAX 65411	/* MCAST_ENV_MAX - MCAST_ENV_OVERHEAD */
#define MCAST_ENV_PAYLOAD_MAX_ENC 65371 /* MCAST_ENV_MAX - ..._OVERHEAD_ENC */
#define MCAST_ENV_WINDOW 1024 /* the anti-replay window, sequence numbers */
#define MCAST_ENV_MAX_AGE 30000000000ull /* default max age, ns (30 s) */

/** Seals payloads with one signing key; see mcast_sealer_new(). */
typedef struct mcast_sealer mcast_sealer;

/**
 * A sealer in *out that signs with `sign` and, when `encrypt` is not NULL,
 * also encrypts with that group key. Both are copied: the caller may free
 * them at once. Returns 0, -EINVAL (sign is NULL), -ENOMEM or -EIO. Free it
 * with mcast_sealer_free(). Use one sealer per signing key in a process,
 * and one process per signing key: two senders with one key make each
 * other's datagrams look replayed.
 */
MCAST_API int mcast_sealer_new(mcast_sealer **out, const mcast_signkey *sign,
			       const mcast_groupkey *encrypt, mcast_error *err);

/** Wipe and free s. NULL is a no-op. */
MCAST_API void mcast_sealer_free(mcast_sealer *s);

/** The bytes an envelope of s adds to a payload (96 or 136). */
MCAST_API size_t mcast_sealer_overhead(const mcast_sealer *s);

/**
 * Seal len payload bytes into out (cap bytes): the envelope carries s's key
 * id, the next sequence number and now_ns (CLOCK_REALTIME nanoseconds; 0
 * reads the clock). Sequence numbers start at the clock in microseconds at
 * the first seal and go up by one per envelope after that, so they never
 * start over when a sender restarts: a new run starts above every number
 * an earlier run used, as long as that run sealed fewer than a million
 * envelopes a second on average (signing alone allows far fewer) and the
 * clock did not step back across the restart. Returns the envelope's
 * length (len + mcast_sealer_overhead()), or -EMSGSIZE (len above
 * MCAST_ENV_PAYLOAD_MAX, or _ENC when encrypting), -ENOSPC (cap too small)
 * or -EINVAL. payload and out must not overlap.
 */
MCAST_API ssize_t mcast_env_seal(mcast_sealer *s, const void *payload,
				 size_t len, void *out, size_t cap,
				 uint64_t now_ns, mcast_error *err);

/** What mcast_env_open() and mcast_env_parse() make of a datagram. */
enum mcast_env_verdict {
	MCAST_ENV_OK = 0,	    /* signed by a trusted key, fresh, new */
	MCAST_ENV_UNSIGNED = 1,	    /* not an envelope (no "MCSE" magic) */
	MCAST_ENV_MALFORMED = 2,    /* "MCSE", but cut short, of another
				       version, or with reserved bits set */
	MCAST_ENV_UNKNOWN_KEY = 3,  /* signed by a key not trusted */
	MCAST_ENV_BAD_SIGNATURE = 4, /* the signature does not verify */
	MCAST_ENV_REPLAYED = 5,	    /* sequence number seen, or below the
				       window, for this key */
	MCAST_ENV_TOO_OLD = 6,	    /* time more than max age in the past */
	MCAST_ENV_TOO_NEW = 7,	    /* time more than max age in the future */
	MCAST_ENV_UNDECRYPTABLE = 8 /* encrypted, and no group key opens it */
};
#define MCAST_ENV_VERDICTS 9 /* the number of verdicts */

/** An envelope's fields, as far as mcast_env_open() got. */
typedef struct mcast_env_info {
	uint8_t key_id[MCAST_KEY_ID_LEN];
	char key_hex[MCAST_KEY_SHORT_FPR_LEN]; /* key id in hex */
	const char *signer;  /* the trusted key's name (owned by the trust
				set), NULL unless the signature verified */
	uint64_t seq;	     /* the sender's sequence number */
	uint64_t time_ns;    /* the sender's clock when sealing */
	bool encrypted;	     /* the payload was encrypted */
	const void *payload; /* the plaintext, inside env or (encrypted) in
				`out`; NULL unless the verdict is OK */
	size_t payload_len;  /* its length */
} mcast_env_info;

/**
 * The name of a verdict: "ok", "unsigned", "malformed", "unknown_key",
 * "bad_signature", "replayed", "too_old", "too_new", "undecryptable"
 * (usable as JSON keys); "unknown" for any other value. Never NULL.
 */
MCAST_API const char *mcast_env_verdict_name(int verdict);

/**
 * Read an envelope's header without verifying anything, never reading past
 * len: for showing a signed datagram as "signed, not verified". Returns
 * MCAST_ENV_OK with info filled (for an encrypted envelope, payload NULL
 * and payload_len the plaintext's length), MCAST_ENV_UNSIGNED or
 * MCAST_ENV_MALFORMED. info must not be NULL.
 */
MCAST_API int mcast_env_parse(const void *env, size_t len,
			      mcast_env_info *info);

/** Public keys to verify envelopes against; see mcast_trust_new(). */
typedef struct mcast_trust mcast_trust;

/**
 * An empty trust set in *out: no keys, no group key, max age
 * MCAST_ENV_MAX_AGE. Returns 0, -ENOMEM or -EIO. Free with
 * mcast_trust_free(). A trust set keeps an anti-replay window per key, so
 * mcast_env_open() changes it: it is not thread-safe.
 */
MCAST_API int mcast_trust_new(mcast_trust **out, mcast_error *err);

/** Wipe and free t (and the names it handed out). NULL is a no-op. */
MCAST_API void mcast_trust_free(mcast_trust *t);

/**
 * Add the public keys in text (len bytes): "mcast-ed25519-public" lines,
 * blank lines and "#" comments, as a .pub file or a list of keys holds.
 * Each key is named by its comment, else by `source` (e.g. the file name;
 * may be NULL), else by its short fingerprint. A key already in t keeps
 * its name and window. Returns the number of keys the text holds, those
 * already in t included (0 for a text of comments only), or -EINVAL for a
 * malformed line ("SOURCE:LINE: ..."), -EEXIST for a key with the key id
 * of another, -ENOMEM; nothing is added after a failure.
 */
MCAST_API int mcast_trust_add_text(mcast_trust *t, const char *text,
				   size_t len, const char *source,
				   mcast_error *err);

/** The number of keys in t. */
MCAST_API size_t mcast_trust_count(const mcast_trust *t);

/**
 * Key i of t (0 <= i < mcast_trust_count(), ordered by key id): its name in
 * *name (owned by t; may be NULL) and its fingerprint in fpr
 * (MCAST_KEY_FPR_LEN bytes; may be NULL). Returns 0 or -ENOENT.
 */
MCAST_API int mcast_trust_key(const mcast_trust *t, size_t i,
			      const char **name, char *fpr);

/**
 * Accept only envelopes whose time is within ns of the receiver's clock,
 * either way (default MCAST_ENV_MAX_AGE); 0 turns the check off.
 */
MCAST_API void mcast_trust_set_max_age(mcast_trust *t, uint64_t ns);

/** Decrypt with a copy of g from now on (NULL: decrypt nothing). */
MCAST_API void mcast_trust_set_groupkey(mcast_trust *t,
					const mcast_groupkey *g);

/**
 * Open the envelope env (len bytes, never read past): check, in this
 * order, that it is one (MCAST_ENV_UNSIGNED, MCAST_ENV_MALFORMED), that its
 * key is in t (MCAST_ENV_UNKNOWN_KEY), the signature (..._BAD_SIGNATURE),
 * the time against now_ns, CLOCK_REALTIME nanoseconds such as the kernel's
 * receive time, 0 to read the clock (..._TOO_OLD, ..._TOO_NEW), the key's
 * anti-replay window of MCAST_ENV_WINDOW sequence numbers below the highest
 * accepted (..._REPLAYED), and for an encrypted envelope that t's group key
 * opens it (..._UNDECRYPTABLE), its plaintext going into out (cap bytes; may
 * be NULL when nothing is encrypted). Only an envelope that passes every
 * check enters the window. Returns the verdict (MCAST_ENV_OK is 0), with
 * info (may be NULL) filled as far as the checks got; or a negative errno
 * for a caller's mistake: -ENOSPC when out cannot hold the plaintext of an
 * encrypted envelope that t could decrypt, -EINVAL for a NULL t or env.
 */
MCAST_API int mcast_env_open(mcast_trust *t, const void *env, size_t len,
			     void *out, size_t cap, uint64_t now_ns,
			     mcast_env_info *info, mcast_error *err);

/* ---- Statistics: a latency histogram in fixed memory -------------------- */

/**
 * Log-linear buckets (as HdrHistogram) over 0 .. 2^48 nanoseconds: each
 * value lands in a bucket less than 1% wide, so percentiles are accurate
 * to 1%; min, max, mean and deviation are exact. About 43 KiB each.
 */
typedef struct mcast_hist mcast_hist;

/** A new empty histogram in *out, or -ENOMEM. Free with mcast_hist_free(). */
MCAST_API int mcast_hist_new(mcast_hist **out);
MCAST_API void mcast_hist_free(mcast_hist *h);
/** Count one value (larger values count as 2^48 - 1). */
MCAST_API void mcast_hist_add(mcast_hist *h, uint64_t ns);
/** Add every value counted in `from` to `into`. */
MCAST_API void mcast_hist_merge(mcast_hist *into, const mcast_hist *from);
MCAST_API void mcast_hist_reset(mcast_hist *h);

/** A summary of the values counted; all zero when there are none. */
typedef struct mcast_hist_stats {
	uint64_t count;
	uint64_t min, max; /* exact */
	double mean, mdev; /* exact; mdev is the standard deviation */
} mcast_hist_stats;

MCAST_API void mcast_hist_stats_get(const mcast_hist *h, mcast_hist_stats *out);

/**
 * The value below which pct percent of the values lie (0 < pct <= 100),
 * within 1%, clamped to the exact min and max; 0 for an empty histogram.
 */
MCAST_API uint64_t mcast_hist_percentile(const mcast_hist *h, double pct);

#ifdef __cplusplus
}
#endif

#endif /* MCAST_H */
