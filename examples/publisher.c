/*
 * publisher.c - publish a power reading every second to a multicast
 * group.
 *
 *   publisher [-i IFACE] [-t TTL] [-n COUNT] GROUP:PORT
 *
 * Sends COUNT readings (default 10), "power kW=1.25 seq=1" and so on,
 * through IFACE (default: the route to the group) with TTL (default 1;
 * 0 keeps them on this host), and prints each one it sent.
 * Uses only the public header:
 *   cc publisher.c $(pkg-config --cflags --libs mcast)
 */
#include <mcast.h>

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

/* A whole number from an option, or exit with a usage error. */
static unsigned number(const char *text)
{
	char *end;
	unsigned long v = strtoul(text, &end, 10);

	if (*text == '\0' || *end != '\0' || v > 1000000) {
		fprintf(stderr, "publisher: bad number '%s'\n", text);
		exit(2);
	}
	return (unsigned)v;
}

int main(int argc, char **argv)
{
	const char *ifname = NULL;
	unsigned ttl = 1, count = 10;
	mcast_addr group, src;
	mcast_iface ifc;
	mcast_sock *s = NULL;
	mcast_error e;
	char msg[64];
	int c, rc = 1;

	while ((c = getopt(argc, argv, "i:t:n:h")) != -1) {
		switch (c) {
		case 'i': ifname = optarg; break;
		case 't': ttl = number(optarg); break;
		case 'n': count = number(optarg); break;
		default:
			fprintf(c == 'h' ? stdout : stderr,
				"usage: publisher [-i IFACE] [-t TTL] "
				"[-n COUNT] GROUP:PORT\n");
			return c == 'h' ? 0 : 2;
		}
	}
	if (optind != argc - 1) {
		fprintf(stderr, "publisher: give one GROUP:PORT (see -h)\n");
		return 2;
	}
	if (mcast_addr_parse_group(&group, argv[optind], &e) < 0 ||
	    mcast_sock_new(&s, mcast_addr_family(&group), &e) < 0 ||
	    mcast_sock_set_ttl(s, ttl, &e) < 0)
		goto out;
	if (ifname) {
		if (mcast_iface_find(&ifc, ifname, &e) < 0)
			goto out;
		/*
		 * For IPv4, send from the interface's own address: left to
		 * itself the kernel would send from 0.0.0.0 on lo.
		 */
		bool have_src = mcast_addr_family(&group) == AF_INET &&
				mcast_iface_address(ifc.index, AF_INET, &src,
						    NULL) == 0;
		if (mcast_sock_set_out_iface(s, ifc.index,
					     have_src ? &src : NULL, &e) < 0)
			goto out;
	}
	for (unsigned seq = 1; seq <= count; seq++) {
		/* A made-up meter: 1.25 kW, rising by 0.25 kW a second. */
		int len = snprintf(msg, sizeof(msg), "power kW=%.2f seq=%u",
				   1.0 + 0.25 * seq, seq);

		if (mcast_sock_send(s, &group, msg, (size_t)len, &e) < 0)
			goto out;
		printf("sent: %s\n", msg);
		fflush(stdout);
		if (seq < count)
			sleep(1);
	}
	rc = 0;
out:
	if (rc)
		fprintf(stderr, "publisher: %s\n", e.msg);
	mcast_sock_free(s);
	return rc;
}
