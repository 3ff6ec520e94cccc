/*
 * subscriber.c - join a multicast group on one interface and print
 * the readings that arrive.
 *
 *   subscriber [-i IFACE] [-n COUNT] [-w SECONDS] GROUP:PORT
 *
 * Prints each datagram as "SOURCE on IFACE: PAYLOAD". Exits 0 after
 * COUNT datagrams, or 1 after SECONDS without one; 0 (the default for
 * both) means no limit. IFACE defaults to the route to the group.
 * Uses only the public header:
 *   cc subscriber.c $(pkg-config --cflags --libs mcast)
 */
#include <mcast.h>

#include <ctype.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

/* A whole number from an option, or exit with a usage error. */
static unsigned number(const char *text)
{
	char *end;
	unsigned long v = strtoul(text, &end, 10);

	if (*text == '\0' || *end != '\0' || v > 1000000) {
		fprintf(stderr, "subscriber: bad number '%s'\n", text);
		exit(2);
	}
	return (unsigned)v;
}

int main(int argc, char **argv)
{
	const char *ifname = NULL;
	unsigned count = 0, wait_s = 0, got = 0;
	mcast_addr group;
	mcast_iface ifc;
	mcast_rxinfo rx;
	mcast_sock *s = NULL;
	mcast_error e;
	char buf[1500], from[MCAST_ADDRSTRLEN];
	int c, rc = 1;

	while ((c = getopt(argc, argv, "i:n:w:h")) != -1) {
		switch (c) {
		case 'i': ifname = optarg; break;
		case 'n': count = number(optarg); break;
		case 'w': wait_s = number(optarg); break;
		default:
			fprintf(c == 'h' ? stdout : stderr,
				"usage: subscriber [-i IFACE] [-n COUNT] "
				"[-w SECONDS] GROUP:PORT\n");
			return c == 'h' ? 0 : 2;
		}
	}
	if (optind != argc - 1) {
		fprintf(stderr, "subscriber: give one GROUP:PORT (see -h)\n");
		return 2;
	}
	/*
	 * Bind to the group itself, so that no other group's traffic to
	 * the same port arrives here, and let other receivers share it.
	 */
	if (mcast_addr_parse_group(&group, argv[optind], &e) < 0 ||
	    (ifname ? mcast_iface_find(&ifc, ifname, &e)
		    : mcast_iface_route(&ifc, &group, &e)) < 0 ||
	    mcast_sock_new(&s, mcast_addr_family(&group), &e) < 0 ||
	    mcast_sock_bind(s, &group, MCAST_BIND_REUSE, &e) < 0 ||
	    mcast_sock_join(s, &group, ifc.index, NULL, &e) < 0)
		goto out;
	fprintf(stderr, "subscriber: joined %s on %s\n", argv[optind],
		ifc.name);

	struct pollfd pfd = {.fd = mcast_sock_fd(s), .events = POLLIN};
	while (count == 0 || got < count) {
		int ms = wait_s ? (int)(wait_s * 1000) : -1;

		if (poll(&pfd, 1, ms) <= 0) {
			snprintf(e.msg, sizeof(e.msg),
				 "nothing arrived for %u s", wait_s);
			goto out;
		}
		ssize_t n = mcast_sock_recv(s, buf, sizeof(buf), &rx, 0, &e);
		if (n == -EINTR)
			continue; /* not a failure: e was not written */
		if (n < 0)
			goto out;
		/* Keep the sender's control bytes off the terminal. */
		for (ssize_t i = 0; i < n; i++)
			if (!isprint((unsigned char)buf[i]))
				buf[i] = '.';
		mcast_addr_format(&rx.source, from, sizeof(from), 0);
		printf("%s on %s: %.*s\n", from, ifc.name, (int)n, buf);
		fflush(stdout);
		got++;
	}
	rc = 0;
out:
	if (rc)
		fprintf(stderr, "subscriber: %s\n", e.msg);
	mcast_sock_free(s);
	return rc;
}
