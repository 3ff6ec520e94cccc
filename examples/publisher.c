/*
 * publisher.c - publish a power reading a second to a multicast group.
 *   publisher GROUP:PORT IFACE [COUNT]    (COUNT readings, default 10)
 * Uses only the public header:
 *   cc publisher.c $(pkg-config --cflags --libs mcast)
 */
#include <mcast.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	long count = argc > 3 ? strtol(argv[3], NULL, 10) : 10;
	mcast_addr group;
	mcast_iface ifc;
	mcast_sock *s = NULL;
	mcast_error e;
	char msg[64];
	int rc = 1;

	if (argc < 3 || argc > 4 || count < 1) {
		fputs("usage: publisher GROUP:PORT IFACE [COUNT]\n", stderr);
		return 2;
	}
	if (mcast_addr_parse_group(&group, argv[1], &e) < 0 ||
	    mcast_iface_find(&ifc, argv[2], &e) < 0 ||
	    mcast_sock_new(&s, mcast_addr_family(&group), &e) < 0 ||
	    mcast_sock_set_out_iface(s, ifc.index, NULL, &e) < 0)
		goto out;
	for (long seq = 1; seq <= count; seq++) {
		int n = snprintf(msg, sizeof(msg), "power kW=%.2f seq=%ld",
				 1.0 + seq / 4.0, seq);

		if (mcast_sock_send(s, &group, msg, (size_t)n, &e) < 0)
			goto out;
		printf("sent: %s\n", msg);
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
