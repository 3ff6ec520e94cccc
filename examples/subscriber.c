/*
 * subscriber.c - join a group on one interface and print readings.
 *   subscriber GROUP:PORT IFACE [COUNT]   (stop after COUNT; 0 never)
 * Uses only the public header:
 *   cc subscriber.c $(pkg-config --cflags --libs mcast)
 */
#include <mcast.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
	long count = argc > 3 ? strtol(argv[3], NULL, 10) : 0, got = 0;
	char buf[1500], from[MCAST_ADDRSTRLEN];
	mcast_addr group;
	mcast_iface ifc;
	mcast_rxinfo rx;
	mcast_sock *s = NULL;
	mcast_error e;
	ssize_t n = 0;

	if (argc < 3 || argc > 4 || count < 0) {
		fputs("usage: subscriber GROUP:PORT IFACE [COUNT]\n", stderr);
		return 2;
	}
	/* Bind to the group itself, so that no other group's traffic
	 * arrives; MCAST_BIND_REUSE lets other receivers share it. */
	if (mcast_addr_parse_group(&group, argv[1], &e) < 0 ||
	    mcast_iface_find(&ifc, argv[2], &e) < 0 ||
	    mcast_sock_new(&s, mcast_addr_family(&group), &e) < 0 ||
	    mcast_sock_bind(s, &group, MCAST_BIND_REUSE, &e) < 0 ||
	    mcast_sock_join(s, &group, ifc.index, NULL, &e) < 0)
		n = -1;
	else
		fprintf(stderr, "subscriber: joined %s on %s\n", argv[1],
			ifc.name);
	while (n >= 0 && (count == 0 || got++ < count)) {
		n = mcast_sock_recv(s, buf, sizeof(buf), &rx, 0, &e);
		/* Keep the sender's control bytes off the terminal. */
		for (ssize_t i = 0; i < n; i++)
			if ((unsigned char)buf[i] < 0x20 || buf[i] == 0x7f)
				buf[i] = '.';
		mcast_addr_format(&rx.source, from, sizeof(from), 0);
		if (n >= 0)
			printf("%s on %s: %.*s\n", from, ifc.name, (int)n, buf);
		fflush(stdout);
	}
	if (n < 0)
		fprintf(stderr, "subscriber: %s\n", e.msg);
	mcast_sock_free(s); /* leaves the group */
	return n < 0;
}
