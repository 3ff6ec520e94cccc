/*
 * responder.c - answering senders without becoming a reflector.
 */
#include "cli/responder.h"
#include "cli/cli.h"

#include <string.h>

void responder_init(struct responder *r, uint64_t rate)
{
	memset(r, 0, sizeof(*r));
	limit_init(&r->limit, rate);
}

int responder_open(struct responder *r, int family)
{
	mcast_error e;

	if (mcast_sock_new(&r->sock, family, &e) < 0) {
		cli_err("%s", e.msg);
		return EXIT_FAIL;
	}
	return 0;
}

bool responder_allow(struct responder *r, const struct rx_msg *m)
{
	if (!limit_answerable(&m->source) ||
	    !limit_allow(&r->limit, &m->source, cli_now_ns())) {
		r->held_back++;
		return false;
	}
	return true;
}

uint64_t responder_held_back(const struct responder *r, const mcast_addr *src)
{
	return limit_held_back(&r->limit, src);
}

int responder_send(struct responder *r, const struct rx_msg *m, const void *buf,
		   size_t len, const char *what)
{
	char src[MCAST_ADDRSTRLEN];
	mcast_error e;

	if (mcast_sock_send(r->sock, &m->source, buf, len, &e) < 0) {
		cli_debug("answer not sent: %s", e.msg);
		return -1;
	}
	r->answered++;
	if (cli_verbosity >= LOG_VERBOSE) {
		mcast_addr_format(&m->source, src, sizeof(src), MCAST_FMT_PORT);
		cli_debug("answered %s with %zu bytes (%s)", src, len, what);
	}
	return 0;
}

void responder_close(struct responder *r)
{
	mcast_sock_free(r->sock);
	r->sock = NULL;
	limit_free(&r->limit);
}
