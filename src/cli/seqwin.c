/*
 * seqwin.c - the sequence window: a bitmap of the numbers below the highest.
 */
#include "cli/seqwin.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int seqwin_init(struct seqwin *w, uint64_t size)
{
	uint64_t n = 8;

	memset(w, 0, sizeof(*w));
	while (n < size && n < (1ULL << 32))
		n <<= 1;
	w->seen = calloc(n / 8, 1);
	if (!w->seen)
		return -ENOMEM;
	w->size = n;
	return 0;
}

/* Mark seq seen; whether it was already. */
static bool test_and_set(struct seqwin *w, uint64_t seq)
{
	uint64_t bit = seq & (w->size - 1);
	uint8_t *byte = &w->seen[bit / 8], mask = (uint8_t)(1u << (bit % 8));
	bool was = *byte & mask;

	*byte |= mask;
	return was;
}

/* Slide the window up to seq: the numbers passed over are not seen. */
static void slide(struct seqwin *w, uint64_t seq)
{
	if (seq - w->max >= w->size) {
		memset(w->seen, 0, w->size / 8);
		return;
	}
	for (uint64_t s = w->max + 1; s < seq; s++) {
		uint64_t bit = s & (w->size - 1);

		w->seen[bit / 8] &= (uint8_t)~(1u << (bit % 8));
	}
}

enum seqwin_verdict seqwin_add(struct seqwin *w, uint64_t seq)
{
	if (w->received == 0) {
		w->first = w->max = seq;
		test_and_set(w, seq);
		w->received++;
		return SEQWIN_NEW;
	}
	if (seq > w->max) {
		slide(w, seq);
		w->max = seq;
		test_and_set(w, seq);
		w->received++;
		return SEQWIN_NEW;
	}
	if (w->max - seq >= w->size) {
		w->late++;
		w->received++;
		return SEQWIN_LATE;
	}
	if (test_and_set(w, seq)) {
		w->duplicates++;
		return SEQWIN_DUPLICATE;
	}
	w->reordered++;
	w->received++;
	if (seq < w->first)
		w->first = seq;
	return SEQWIN_REORDERED;
}

uint64_t seqwin_expected(const struct seqwin *w, uint64_t upto)
{
	return w->received && upto >= w->first ? upto - w->first + 1 : 0;
}

uint64_t seqwin_lost(const struct seqwin *w, uint64_t upto)
{
	uint64_t expected = seqwin_expected(w, upto);

	/* Answers to numbers still awaited may already be in: clamp. */
	return expected > w->received ? expected - w->received : 0;
}

uint64_t seqwin_received_above(const struct seqwin *w, uint64_t upto)
{
	uint64_t n = 0, s = upto + 1;

	if (!w->received || upto >= w->max)
		return 0;
	if (w->max - s >= w->size)
		s = w->max - w->size + 1;
	for (; s <= w->max; s++) {
		uint64_t bit = s & (w->size - 1);

		n += (w->seen[bit / 8] >> (bit % 8)) & 1;
	}
	return n;
}

void seqwin_free(struct seqwin *w)
{
	free(w->seen);
	memset(w, 0, sizeof(*w));
}
