/*
 * ignored.h - what every command that decodes mcast's wire format (pong,
 * ping, bench recv) does with a datagram it cannot use: it sorts it one
 * way, by the decoder's verdict, into the counters of one JSON object,
 * "ignored":{"garbage","truncated","oversized","foreign","other"}.
 */
#ifndef MCAST_CLI_IGNORED_H
#define MCAST_CLI_IGNORED_H

#include "cli/emit.h"
#include "cli/transport.h"

struct ignored {
	uint64_t garbage;   /* not ours: bad magic, unknown type, flags set */
	uint64_t truncated; /* ours, shorter than its type needs */
	uint64_t oversized; /* ours, longer than its type allows (or cut) */
	uint64_t foreign;   /* ours, another version of the format */
	uint64_t other;     /* ours and well formed, but not the type wanted */
};

/*
 * Decode m into *w. Returns true when it is a well-formed message of type
 * want (enum mcast_wire_type); otherwise counts it in ig and returns false.
 */
bool ignored_decode(struct ignored *ig, mcast_wire *w, const struct rx_msg *m,
		    unsigned want);

/* Everything counted. */
uint64_t ignored_total(const struct ignored *ig);

/*
 * The counters as fields of the object the caller opened with
 * emit_obj(e, "ignored") (so a command may add its own, as ping's stray).
 * IGNORED_TEXT renders them in a text template.
 */
void ignored_fields(struct emit *e, const struct ignored *ig);
#define IGNORED_TEXT                                                          \
	"{ignored.garbage} garbage, {ignored.truncated} truncated, "         \
	"{ignored.oversized} oversized, {ignored.foreign} of another " \
	"version, {ignored.other} other"

#endif
