/*
 * transport_norm.c - the NORM session both ends share (node id, interface,
 * TTL, loopback, SSM, socket buffers) and the sender: messages as data
 * objects, a stream from a descriptor, files as file objects, and the
 * positive acknowledgement that tells who has everything.
 *
 * Tuning (docs/PROTOCOL.md and /work/shared/NORM-NOTES.md measured it on a
 * bridge of namespaces): an initial round-trip estimate of 10 ms and a
 * ceiling of 5 ms so that an unpaced sender, whose timers run late, does not
 * talk itself into waiting seconds for repairs; NACK back-off 0 (right for
 * a LAN with few receivers, configurable for large groups); no parity by
 * default (libnorm computes Reed-Solomon parity for every block as it
 * sends, 35% of its CPU); 1400-byte segments (a NACK is 36 bytes longer
 * than a segment, so 1436 is the most that fits an MTU of 1500); socket
 * buffers of 8 MiB set after the sender or receiver starts, forced past
 * net.core.wmem_max/rmem_max when privileged. The sender's datagrams leave
 * in UDP GSO trains (normgso.c): the kernel's send path, not libnorm, was
 * what bound it.
 */
#include "cli/cli.h"
#include "cli/filestore.h"
#include "cli/normapi.h"
#include "cli/normcount.h"
#include "cli/normgso.h"

#include <dirent.h>
#include <linux/filter.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

void norm_opts_init(struct norm_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->ttl = -1;
	o->loop = -1;
	o->segment = 1400;
	o->block = 64;
	o->grtt = 0.01;
	o->grtt_max = 0.005;
	o->buffer = 16u << 20;
	o->sockbuf = 8u << 20;
	o->wait_ns = 10 * 1000000000ULL;
	o->outdir = ".";
}

/*
 * A node id that differs per process: libnorm's default comes from the
 * host name, the same in every namespace of a lab. The low 16 bits of the
 * interface's address keep ids readable; the rest is random.
 */
static NormNodeId node_id(const struct norm_opts *o)
{
	uint32_t low = 0, id;
	mcast_iface ifc;
	mcast_addr a;
	mcast_error e;

	if (o->ifname && mcast_iface_find(&ifc, o->ifname, &e) == 0 &&
	    mcast_iface_address(ifc.index, mcast_addr_family(&o->group), &a, &e) == 0) {
		const unsigned char *p = mcast_addr_family(&a) == AF_INET
			? (const unsigned char *)&a.u.sin.sin_addr + 2
			: (const unsigned char *)&a.u.sin6.sin6_addr + 14;

		low = (uint32_t)p[0] << 8 | p[1];
	}
	do {
		id = (uint32_t)cli_random_u64();
		if (low)
			id = (id & 0xffff0000u) | low;
	} while (id == NORM_NODE_NONE || id == NORM_NODE_ANY);
	return id;
}

int mcast__norm_sess_open(struct norm_sess *s, const struct norm_opts *o,
			  void (*give_up)(void *arg), void *arg)
{
	char src[MCAST_ADDRSTRLEN];

	memset(s, 0, sizeof(*s));
	s->o = o;
	s->fd = -1;
	mcast_addr_format(&o->group, s->group, sizeof(s->group), 0);
	s->inst = NormCreateInstance(false);
	if (s->inst == NORM_INSTANCE_INVALID) {
		cli_err("cannot start libnorm (NormCreateInstance failed)");
		return EXIT_FAIL;
	}
	/* Set before the watch's thread can read them. */
	s->watch.give_up = give_up, s->watch.arg = arg;
	if (mcast__norm_watch_start(&s->watch, o->timeout_ns) < 0)
		cli_debug("no watch on libnorm's lock (no thread)");
	s->id = node_id(o);
	s->sess = NormCreateSession(s->inst, s->group, mcast_addr_port(&o->group), s->id);
	if (s->sess == NORM_SESSION_INVALID) {
		cli_err("cannot make a NORM session for %s:%u", s->group,
			mcast_addr_port(&o->group));
		return EXIT_FAIL;
	}
	s->fd = NormGetDescriptor(s->inst);
	/* Several receivers of one group and port on one host, as plain
	 * mcast recv allows. */
	NormSetRxPortReuse(s->sess, true, NULL, NULL, 0);
	/*
	 * A receiver takes every object the sender still holds, a stream
	 * from its beginning. With NORM_SYNC_CURRENT a receiver starts at the
	 * first packet it happens to hear: one that lost the first message
	 * of a transfer never asked for it (and acknowledged the rest as
	 * complete), one that lost a stream's first packet started reading
	 * after it, silently. A late receiver gets what came before it too;
	 * for a stream that needs the sender's active flushes (stream_pump).
	 */
	NormSetDefaultSyncPolicy(s->sess, NORM_SYNC_ALL);
	NormSetMulticastLoopback(s->sess, o->loop != 0);
	if (o->ifname && !NormSetMulticastInterface(s->sess, o->ifname)) {
		cli_err("NORM cannot use interface %s", o->ifname);
		return EXIT_FAIL;
	}
	if (o->ttl >= 0 && !NormSetTTL(s->sess, (unsigned char)o->ttl)) {
		cli_err("NORM cannot set TTL %d", o->ttl);
		return EXIT_FAIL;
	}
	if (o->ssm) {
		mcast_addr_format(&o->source, src, sizeof(src), 0);
		if (!NormSetSSM(s->sess, src)) {
			cli_err("NORM cannot join %s from source %s", s->group, src);
			return EXIT_FAIL;
		}
	}
	cli_debug("NORM node id %08x on %s:%u", (unsigned)s->id, s->group,
		  mcast_addr_port(&o->group));
	return 0;
}

void mcast__norm_sess_close(struct norm_sess *s)
{
	/* What is held goes out before libnorm closes its sockets. */
	mcast__normgso_enable(false);
	mcast__norm_watch_enter(&s->watch);
	if (s->sess && s->sess != NORM_SESSION_INVALID)
		NormDestroySession(s->sess);
	if (s->inst && s->inst != NORM_INSTANCE_INVALID)
		NormDestroyInstance(s->inst);
	mcast__norm_watch_stop(&s->watch);
	s->sess = NORM_SESSION_INVALID;
	s->inst = NORM_INSTANCE_INVALID;
}

bool mcast__norm_next_event(struct norm_sess *s, NormEvent *ev)
{
	bool got;

	mcast__norm_watch_enter(&s->watch);
	got = NormGetNextEvent(s->inst, ev, false);
	mcast__norm_watch_leave(&s->watch);
	return got;
}

/*
 * Keep only NORM version 1 (RFC 5740: the high nibble of the first byte)
 * on libnorm's sockets. libnorm 1.5.9 does not check the version itself,
 * and a flood of random datagrams on the port corrupts the files it
 * assembles (tests/net/t_norm_hostile.sh measured half a megabyte of a
 * 4 MiB file wrong); the SHA-256 catches what is left. A UDP socket's
 * filter sees the UDP header first, so the payload starts at offset 8.
 */
static void version_filter(int fd)
{
	static struct sock_filter code[] = {
		BPF_STMT(BPF_LD | BPF_B | BPF_ABS, 8),
		BPF_STMT(BPF_ALU | BPF_AND | BPF_K, 0xf0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0x10, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, 0xffffffff),
		BPF_STMT(BPF_RET | BPF_K, 0),
	};
	struct sock_fprog prog = {sizeof(code) / sizeof(code[0]), code};

	if (setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof(prog)) < 0)
		cli_debug("NORM socket %d: no version filter (%s)", fd, strerror(errno));
}

void mcast__norm_sockbufs(struct norm_sess *s, uint64_t bytes, bool rcv)
{
	int v = bytes > (1u << 30) ? 1 << 30 : (int)bytes;
	DIR *d = opendir("/proc/self/fd");
	struct dirent *de;

	if (rcv)
		NormSetRxSocketBuffer(s->sess, (unsigned)v);
	else
		NormSetTxSocketBuffer(s->sess, (unsigned)v);
	/*
	 * libnorm asks with SO_RCVBUF/SO_SNDBUF, which the kernel caps at
	 * net.core.rmem_max/wmem_max (and that cannot be raised inside a
	 * network namespace). The only UDP sockets of this process are
	 * libnorm's, so force the size on each, when privileged.
	 */
	while (d && (de = readdir(d)) != NULL) {
		int fd = (int)strtol(de->d_name, NULL, 10), type = 0;
		socklen_t len = sizeof(type);

		if (fd <= 2 || fd == dirfd(d) ||
		    getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) < 0 || type != SOCK_DGRAM)
			continue;
		if (setsockopt(fd, SOL_SOCKET, rcv ? SO_RCVBUFFORCE : SO_SNDBUFFORCE,
			       &v, sizeof(v)) < 0)
			cli_debug("NORM socket %d: %s buffer stays at the kernel's cap (%s)",
				  fd, rcv ? "receive" : "send", strerror(errno));
		version_filter(fd);
		mcast__normcount_watch(fd);
	}
	if (d)
		closedir(d);
	/* The sender's data in trains (normgso.c); receivers send little. */
	if (!rcv)
		mcast__normgso_enable(true);
}

bool mcast__norm_node_addr(NormNodeHandle node, mcast_addr *out)
{
	char raw[16];
	unsigned len = sizeof(raw);
	UINT16 port = 0;

	memset(out, 0, sizeof(*out));
	if (node == NORM_NODE_INVALID || !NormNodeGetAddress(node, raw, &len, &port))
		return false;
	if (len == 4) {
		out->u.sin.sin_family = AF_INET;
		memcpy(&out->u.sin.sin_addr, raw, 4);
	} else if (len == 16) {
		out->u.sin6.sin6_family = AF_INET6;
		memcpy(&out->u.sin6.sin6_addr, raw, 16);
	} else {
		return false;
	}
	mcast_addr_set_port(out, port);
	return true;
}
