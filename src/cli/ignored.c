/*
 * ignored.c - one way to sort what the wire decoder refuses.
 */
#include "cli/ignored.h"

#include <errno.h>

bool ignored_decode(struct ignored *ig, mcast_wire *w, const struct rx_msg *m,
		    unsigned want)
{
	/* The buffer holds any UDP datagram, so a cut one is oversized. */
	int rc = m->truncated ? -EMSGSIZE : mcast_wire_decode(w, m->data, m->len);

	switch (rc) {
	case 0:
		if (w->type == want)
			return true;
		ig->other++;
		return false;
	case -EPROTONOSUPPORT: ig->foreign++; return false;
	case -ENODATA: ig->truncated++; return false;
	case -EMSGSIZE: ig->oversized++; return false;
	default: ig->garbage++; return false;
	}
}

uint64_t ignored_total(const struct ignored *ig)
{
	return ig->garbage + ig->truncated + ig->oversized + ig->foreign + ig->other;
}

void ignored_fields(struct emit *e, const struct ignored *ig)
{
	emit_u64(e, "garbage", ig->garbage);
	emit_u64(e, "truncated", ig->truncated);
	emit_u64(e, "oversized", ig->oversized);
	emit_u64(e, "foreign", ig->foreign);
	emit_u64(e, "other", ig->other);
}
