/*
 * seqwin.h - one sequence window for every command that numbers its
 * datagrams (ping's answers, bench's data): what was received, lost,
 * duplicated, reordered or late, counted the same way everywhere.
 *
 * The window remembers which of the last `size` sequence numbers below the
 * highest one seen have arrived (a bitmap, like the anti-replay window of
 * RFC 4303). A number above the highest slides the window; one inside it
 * is a duplicate when already seen, else reordered (it fills a hole); one
 * below the window can no longer be told from a duplicate and is late.
 * Late ones count as received, duplicates do not.
 */
#ifndef MCAST_CLI_SEQWIN_H
#define MCAST_CLI_SEQWIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* What one sequence number was. */
enum seqwin_verdict {
	SEQWIN_NEW,       /* the highest so far, or the first */
	SEQWIN_REORDERED, /* below the highest, filling a hole in the window */
	SEQWIN_DUPLICATE, /* seen before, inside the window */
	SEQWIN_LATE,      /* below the window: received, not checked */
};

struct seqwin {
	uint64_t first;    /* the lowest number received (late ones aside) */
	uint64_t max;      /* the highest number received */
	uint64_t received; /* distinct numbers, late ones included */
	uint64_t duplicates, reordered, late;
	uint64_t size;     /* numbers remembered: a power of two */
	uint8_t *seen;     /* size bits */
};

/*
 * An empty window remembering size sequence numbers (rounded up to a
 * power of two, at least 8). Returns 0 or -ENOMEM.
 */
int seqwin_init(struct seqwin *w, uint64_t size);

/* Count sequence number seq and say what it was. */
enum seqwin_verdict seqwin_add(struct seqwin *w, uint64_t seq);

/*
 * How many of first..upto were expected and how many of those never came
 * (numbers not yet received count as lost, so pass upto = the last number
 * whose arrival is no longer awaited; upto = w->max for "so far").
 */
uint64_t seqwin_expected(const struct seqwin *w, uint64_t upto);
uint64_t seqwin_lost(const struct seqwin *w, uint64_t upto);

/*
 * How many numbers above upto (up to the highest) were received, as far as
 * the window remembers: what a table "so far" leaves out when it counts
 * only the numbers up to upto.
 */
uint64_t seqwin_received_above(const struct seqwin *w, uint64_t upto);

void seqwin_free(struct seqwin *w);

#endif
