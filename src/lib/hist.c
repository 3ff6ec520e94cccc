/*
 * hist.c - a log-linear latency histogram (the HdrHistogram layout).
 *
 * Values below 256 have a bucket each. Above, a value v with its top bit
 * at position b falls in one of 128 buckets that split [2^b, 2^(b+1)), so
 * a bucket is at most 1/128 (0.8%) of its values wide. Mean and deviation
 * are kept exactly with Welford's method, which does not lose precision to
 * cancellation the way sum-of-squares does.
 */
#include "lib/internal.h"

#include <stdlib.h>
#include <string.h>

#define SUB_BITS 7			/* 128 buckets per power of two */
#define SUB (1u << SUB_BITS)
#define TOP_BIT 47			/* values up to 2^48 - 1 */
#define NBUCKETS (2 * SUB + (TOP_BIT - SUB_BITS) * SUB)
#define VMAX ((1ULL << (TOP_BIT + 1)) - 1)

struct mcast_hist {
	uint64_t count, min, max;
	double mean, m2; /* Welford: running mean and sum of squared deviations */
	uint64_t bucket[NBUCKETS];
};

/* Square root by Newton's method, so the library needs no libm. */
static double root(double x)
{
	double r = x > 1 ? x / 2 : 1;

	if (x <= 0)
		return 0;
	for (int i = 0; i < 100; i++) {
		double next = (r + x / r) / 2;

		if (next == r)
			break;
		r = next;
	}
	return r;
}

static unsigned index_of(uint64_t v)
{
	unsigned shift;

	if (v < 2 * SUB)
		return (unsigned)v;
	shift = (unsigned)(63 - __builtin_clzll(v)) - SUB_BITS;
	return 2 * SUB + (shift - 1) * SUB + (unsigned)((v >> shift) - SUB);
}

/* The middle of bucket i, the value it reports. */
static uint64_t value_of(unsigned i)
{
	unsigned shift;

	if (i < 2 * SUB)
		return i;
	shift = (i - 2 * SUB) / SUB + 1;
	return (((uint64_t)((i - 2 * SUB) % SUB + SUB)) << shift) +
	       (1ULL << (shift - 1));
}

int mcast_hist_new(mcast_hist **out)
{
	*out = calloc(1, sizeof(**out));
	return *out ? 0 : -ENOMEM;
}

void mcast_hist_free(mcast_hist *h)
{
	free(h);
}

void mcast_hist_reset(mcast_hist *h)
{
	memset(h, 0, sizeof(*h));
}

void mcast_hist_add(mcast_hist *h, uint64_t ns)
{
	double d;

	if (ns > VMAX)
		ns = VMAX;
	h->bucket[index_of(ns)]++;
	if (h->count == 0 || ns < h->min)
		h->min = ns;
	if (ns > h->max)
		h->max = ns;
	h->count++;
	d = (double)ns - h->mean;
	h->mean += d / (double)h->count;
	h->m2 += d * ((double)ns - h->mean);
}

void mcast_hist_merge(mcast_hist *into, const mcast_hist *from)
{
	double n1 = (double)into->count, n2 = (double)from->count, d;

	if (from->count == 0)
		return;
	for (unsigned i = 0; i < NBUCKETS; i++)
		into->bucket[i] += from->bucket[i];
	if (into->count == 0 || from->min < into->min)
		into->min = from->min;
	if (from->max > into->max)
		into->max = from->max;
	/* Chan et al.'s formula for combining two Welford summaries. */
	d = from->mean - into->mean;
	into->mean += d * n2 / (n1 + n2);
	into->m2 += from->m2 + d * d * n1 * n2 / (n1 + n2);
	into->count += from->count;
}

void mcast_hist_stats_get(const mcast_hist *h, mcast_hist_stats *out)
{
	memset(out, 0, sizeof(*out));
	if (h->count == 0)
		return;
	out->count = h->count;
	out->min = h->min;
	out->max = h->max;
	out->mean = h->mean;
	out->mdev = root(h->m2 / (double)h->count);
}

uint64_t mcast_hist_percentile(const mcast_hist *h, double pct)
{
	uint64_t rank, seen = 0, v;

	if (h->count == 0)
		return 0;
	if (pct <= 0)
		return h->min;
	if (pct >= 100)
		return h->max;
	/* The rank of the value: ceil(pct% of count), at least 1. */
	rank = (uint64_t)(pct / 100.0 * (double)h->count);
	if ((double)rank < pct / 100.0 * (double)h->count || rank == 0)
		rank++;
	for (unsigned i = 0; i < NBUCKETS; i++) {
		seen += h->bucket[i];
		if (seen >= rank) {
			v = value_of(i);
			return v < h->min ? h->min : v > h->max ? h->max : v;
		}
	}
	return h->max;
}
