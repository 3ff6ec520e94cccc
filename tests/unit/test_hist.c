/*
 * test_hist.c - the latency histogram of mcast.h (mcast_hist_*): exact
 * count, min, max, mean and standard deviation, percentiles within 1%,
 * clamping, merging and resetting.
 *
 * Pure code. The reference values are computed here the slow way (sorting,
 * two-pass variance in long double) from the same inputs. Nothing needs
 * libm: deviations are compared squared.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mcast.h"

#define VMAX ((1ULL << 48) - 1) /* the largest value counted as itself */
#define N 100000

/* Percentiles checked, in hundredths of a percent (so 9999 = 99.99%). */
static const unsigned pcts[] = {1, 10, 100, 500, 1000, 2500, 5000, 7500,
				9000, 9500, 9900, 9990, 9999, 10000};

/* A small deterministic generator (xorshift64*), the same on every run. */
static uint64_t rng_state;

static void rng_seed(uint64_t s)
{
	rng_state = s ? s : 1;
}

static uint64_t rng(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545F4914F6CDD1DULL;
}

/* A uniform double in [0, 1). */
static double unit(void)
{
	return (double)(rng() >> 11) / 9007199254740992.0;
}

static mcast_hist *hist_new(void)
{
	mcast_hist *h = NULL;

	assert_int_equal(mcast_hist_new(&h), 0);
	assert_non_null(h);
	return h;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* The exact percentile of sorted v[0..n): the nearest-rank value, the
 * smallest one with at least pct% of the values at or below it. */
static uint64_t exact_pct(const uint64_t *sorted, size_t n, unsigned pct100)
{
	size_t rank = ((size_t)pct100 * n + 9999) / 10000;

	return sorted[rank ? rank - 1 : 0];
}

static long double rel_diff(long double a, long double b)
{
	long double d = a > b ? a - b : b - a;

	return b != 0 ? d / (b > 0 ? b : -b) : d;
}

/* Check every statistic of h against the values v[0..n), computed here. */
static void check_against(const mcast_hist *h, const uint64_t *v, size_t n,
			  const char *set)
{
	uint64_t *s = malloc(n * sizeof(*s));
	long double sum = 0, mean, var = 0;
	mcast_hist_stats st;
	int problems = 0;

	assert_non_null(s);
	memcpy(s, v, n * sizeof(*s));
	qsort(s, n, sizeof(*s), cmp_u64);
	for (size_t i = 0; i < n; i++)
		sum += (long double)s[i];
	mean = sum / (long double)n;
	for (size_t i = 0; i < n; i++)
		var += ((long double)s[i] - mean) * ((long double)s[i] - mean);
	var /= (long double)n; /* the population variance */

	mcast_hist_stats_get(h, &st);
	assert_int_equal(st.count, n);
	assert_int_equal(st.min, s[0]);
	assert_int_equal(st.max, s[n - 1]);
	if (rel_diff(st.mean, mean) > 1e-9L)
		fail_msg("%s: mean %.6f, want %.6Lf", set, st.mean, mean);
	if (rel_diff((long double)st.mdev * st.mdev, var) > 1e-6L)
		fail_msg("%s: mdev^2 %.6f, want variance %.6Lf", set,
			 st.mdev * st.mdev, var);

	for (size_t i = 0; i < sizeof(pcts) / sizeof(pcts[0]); i++) {
		uint64_t want = exact_pct(s, n, pcts[i]);
		uint64_t got = mcast_hist_percentile(h, pcts[i] / 100.0);

		if (rel_diff((long double)got, (long double)want) > 0.01L) {
			print_error("%s: p%.2f = %llu, exact %llu (%.3Lf%% off)\n",
				    set, pcts[i] / 100.0, (unsigned long long)got,
				    (unsigned long long)want,
				    100 * rel_diff((long double)got, (long double)want));
			problems++;
		}
	}
	/* The ends are exact: clamped to the exact min and max. */
	assert_int_equal(mcast_hist_percentile(h, 100), s[n - 1]);
	assert_true(mcast_hist_percentile(h, 1e-9) >= s[0]);
	free(s);
	assert_int_equal(problems, 0);
}

static void test_empty(void **state)
{
	mcast_hist *h = hist_new();
	mcast_hist_stats st;

	(void)state;
	memset(&st, 0xa5, sizeof(st));
	mcast_hist_stats_get(h, &st);
	assert_int_equal(st.count, 0);
	assert_int_equal(st.min, 0);
	assert_int_equal(st.max, 0);
	assert_true(st.mean == 0);
	assert_true(st.mdev == 0);
	assert_int_equal(mcast_hist_percentile(h, 50), 0);
	assert_int_equal(mcast_hist_percentile(h, 99.9), 0);
	assert_int_equal(mcast_hist_percentile(h, 100), 0);
	mcast_hist_free(h);
	mcast_hist_free(NULL);
}

static void test_single_value(void **state)
{
	static const uint64_t values[] = {0, 1, 255, 256, 257, 12345,
					  1000000007, VMAX};

	(void)state;
	for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
		mcast_hist *h = hist_new();
		mcast_hist_stats st;

		mcast_hist_add(h, values[i]);
		mcast_hist_stats_get(h, &st);
		assert_int_equal(st.count, 1);
		assert_int_equal(st.min, values[i]);
		assert_int_equal(st.max, values[i]);
		assert_true(st.mean == (double)values[i]);
		assert_true(st.mdev == 0);
		/* One value: every percentile is that value, exactly. */
		assert_int_equal(mcast_hist_percentile(h, 0.1), values[i]);
		assert_int_equal(mcast_hist_percentile(h, 50), values[i]);
		assert_int_equal(mcast_hist_percentile(h, 99), values[i]);
		assert_int_equal(mcast_hist_percentile(h, 100), values[i]);
		mcast_hist_free(h);
	}
}

/* A small set worked out by hand: 2, 4, 4, 4, 5, 5, 7, 9 (microseconds)
 * has mean 5 and population standard deviation exactly 2. */
static void test_known_set(void **state)
{
	static const uint64_t v[] = {4000, 2000, 4000, 5000, 9000, 4000, 5000, 7000};
	mcast_hist *h = hist_new();
	mcast_hist_stats st;

	(void)state;
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		mcast_hist_add(h, v[i]);
	mcast_hist_stats_get(h, &st);
	assert_int_equal(st.count, 8);
	assert_int_equal(st.min, 2000);
	assert_int_equal(st.max, 9000);
	assert_true(rel_diff(st.mean, 5000) < 1e-12L);
	assert_true(rel_diff(st.mdev, 2000) < 1e-9L);
	/* The median (4th of 8 values by nearest rank) is 4000, to 1%. */
	assert_true(rel_diff(mcast_hist_percentile(h, 50), 4000) <= 0.01L);
	assert_true(rel_diff(mcast_hist_percentile(h, 75), 5000) <= 0.01L);
	check_against(h, v, sizeof(v) / sizeof(v[0]), "2,4,4,4,5,5,7,9");
	mcast_hist_free(h);
}

/* Every value below 256 has a bucket of its own: percentiles are exact. */
static void test_small_values_exact(void **state)
{
	uint64_t v[256];
	mcast_hist *h = hist_new();

	(void)state;
	for (uint64_t i = 0; i < 256; i++) {
		v[i] = 255 - i;
		mcast_hist_add(h, v[i]);
	}
	for (unsigned p = 1; p <= 100; p++) {
		uint64_t want = (p * 256 + 99) / 100 - 1;

		assert_int_equal(mcast_hist_percentile(h, p), want);
	}
	check_against(h, v, 256, "0..255");
	mcast_hist_free(h);
}

/* Uniform round trips from 10 us to 100 ms. */
static void test_uniform(void **state)
{
	uint64_t *v = malloc(N * sizeof(*v));
	mcast_hist *h = hist_new();

	(void)state;
	assert_non_null(v);
	rng_seed(42);
	for (size_t i = 0; i < N; i++) {
		v[i] = 10000 + rng() % 100000000;
		mcast_hist_add(h, v[i]);
	}
	check_against(h, v, N, "uniform 10us..100ms");
	mcast_hist_free(h);
	free(v);
}

/* Uniform over the whole range, small values included. */
static void test_uniform_wide(void **state)
{
	uint64_t *v = malloc(N * sizeof(*v));
	mcast_hist *h = hist_new();

	(void)state;
	assert_non_null(v);
	rng_seed(7);
	for (size_t i = 0; i < N; i++) {
		v[i] = rng() % 2000;
		mcast_hist_add(h, v[i]);
	}
	check_against(h, v, N, "uniform 0..2000 ns");
	mcast_hist_free(h);
	free(v);
}

/*
 * Log-normal-ish: the product of eight random factors (its logarithm is a
 * sum, hence near normal), around 200 us, with one value in a hundred
 * a thousand times longer, as a network stall would be.
 */
static void test_log_normal(void **state)
{
	uint64_t *v = malloc(N * sizeof(*v));
	mcast_hist *h = hist_new();

	(void)state;
	assert_non_null(v);
	rng_seed(2026);
	for (size_t i = 0; i < N; i++) {
		double x = 200000;

		for (int k = 0; k < 8; k++)
			x *= 0.4 + 1.6 * unit();
		if (rng() % 100 == 0)
			x *= 1000;
		v[i] = (uint64_t)x;
		mcast_hist_add(h, v[i]);
	}
	check_against(h, v, N, "log-normal-ish");
	mcast_hist_free(h);
	free(v);
}

static void test_clamp(void **state)
{
	static const uint64_t big[] = {VMAX + 1, 1ULL << 50, 1ULL << 63, UINT64_MAX};
	mcast_hist *h = hist_new();
	mcast_hist_stats st;

	(void)state;
	mcast_hist_add(h, VMAX);
	mcast_hist_stats_get(h, &st);
	assert_int_equal(st.max, VMAX);
	for (size_t i = 0; i < sizeof(big) / sizeof(big[0]); i++) {
		mcast_hist_add(h, big[i]);
		mcast_hist_stats_get(h, &st);
		assert_int_equal(st.count, i + 2);
		assert_int_equal(st.min, VMAX);
		assert_int_equal(st.max, VMAX);
		assert_true(st.mean == (double)VMAX);
		assert_true(st.mdev == 0);
		assert_int_equal(mcast_hist_percentile(h, 50), VMAX);
		assert_int_equal(mcast_hist_percentile(h, 100), VMAX);
	}
	/* A small value beside them: the large ones still count as 2^48 - 1. */
	mcast_hist_add(h, 1000);
	mcast_hist_stats_get(h, &st);
	assert_int_equal(st.min, 1000);
	assert_int_equal(st.max, VMAX);
	assert_true(rel_diff(st.mean, (5.0L * VMAX + 1000) / 6) < 1e-12L);
	assert_true(rel_diff(mcast_hist_percentile(h, 10), 1000) <= 0.01L);
	assert_true(rel_diff(mcast_hist_percentile(h, 99), VMAX) <= 0.01L);
	assert_int_equal(mcast_hist_percentile(h, 100), VMAX);
	mcast_hist_free(h);
}

static void assert_same(const mcast_hist *a, const mcast_hist *b)
{
	mcast_hist_stats x, y;

	mcast_hist_stats_get(a, &x);
	mcast_hist_stats_get(b, &y);
	assert_int_equal(x.count, y.count);
	assert_int_equal(x.min, y.min);
	assert_int_equal(x.max, y.max);
	if (rel_diff(x.mean, y.mean) > 1e-9L || rel_diff(x.mdev, y.mdev) > 1e-9L)
		fail_msg("mean %.6f / %.6f, mdev %.6f / %.6f", x.mean, y.mean,
			 x.mdev, y.mdev);
	for (unsigned p = 1; p <= 1000; p++)
		assert_int_equal(mcast_hist_percentile(a, p / 10.0),
				 mcast_hist_percentile(b, p / 10.0));
}

static void test_merge(void **state)
{
	mcast_hist *a = hist_new(), *b = hist_new(), *all = hist_new();
	mcast_hist *empty = hist_new(), *copy = hist_new();

	(void)state;
	rng_seed(99);
	/* Two different populations: a fast one and a slow, wider one. */
	for (int i = 0; i < 30000; i++) {
		uint64_t x = 50000 + rng() % 20000;

		mcast_hist_add(a, x);
		mcast_hist_add(all, x);
	}
	for (int i = 0; i < 7000; i++) {
		uint64_t x = 10 + rng() % 90000000;

		mcast_hist_add(b, x);
		mcast_hist_add(all, x);
	}
	mcast_hist_merge(a, b);
	assert_same(a, all);

	/* Merging an empty histogram changes nothing. */
	mcast_hist_merge(a, empty);
	assert_same(a, all);
	/* Merging into an empty one copies. */
	mcast_hist_merge(empty, all);
	assert_same(empty, all);
	/* Merging a histogram into a copy of itself doubles the counts but
	 * keeps the spread. */
	mcast_hist_merge(copy, all);
	mcast_hist_merge(copy, all);
	{
		mcast_hist_stats x, y;

		mcast_hist_stats_get(copy, &x);
		mcast_hist_stats_get(all, &y);
		assert_int_equal(x.count, 2 * y.count);
		assert_true(rel_diff(x.mean, y.mean) < 1e-9L);
		assert_true(rel_diff(x.mdev, y.mdev) < 1e-9L);
		assert_int_equal(mcast_hist_percentile(copy, 50),
				 mcast_hist_percentile(all, 50));
	}
	mcast_hist_free(a);
	mcast_hist_free(b);
	mcast_hist_free(all);
	mcast_hist_free(empty);
	mcast_hist_free(copy);
}

/* A merge with the small values in the histogram merged from: min moves. */
static void test_merge_min_max(void **state)
{
	mcast_hist *a = hist_new(), *b = hist_new();
	mcast_hist_stats st;

	(void)state;
	mcast_hist_add(a, 5000);
	mcast_hist_add(a, 6000);
	mcast_hist_add(b, 10);
	mcast_hist_add(b, 90000);
	mcast_hist_merge(a, b);
	mcast_hist_stats_get(a, &st);
	assert_int_equal(st.count, 4);
	assert_int_equal(st.min, 10);
	assert_int_equal(st.max, 90000);
	assert_true(rel_diff(st.mean, (5000 + 6000 + 10 + 90000) / 4.0L) < 1e-12L);
	/* b is left as it was. */
	mcast_hist_stats_get(b, &st);
	assert_int_equal(st.count, 2);
	assert_int_equal(st.min, 10);
	mcast_hist_free(a);
	mcast_hist_free(b);
}

static void test_reset(void **state)
{
	mcast_hist *h = hist_new();
	mcast_hist_stats st;

	(void)state;
	for (uint64_t i = 1; i <= 1000; i++)
		mcast_hist_add(h, i * 1000);
	mcast_hist_reset(h);
	mcast_hist_stats_get(h, &st);
	assert_int_equal(st.count, 0);
	assert_int_equal(st.min, 0);
	assert_int_equal(st.max, 0);
	assert_true(st.mean == 0 && st.mdev == 0);
	assert_int_equal(mcast_hist_percentile(h, 50), 0);
	/* Counting again starts afresh: nothing of the old values remains. */
	mcast_hist_add(h, 777777);
	mcast_hist_add(h, 888888);
	mcast_hist_stats_get(h, &st);
	assert_int_equal(st.count, 2);
	assert_int_equal(st.min, 777777);
	assert_int_equal(st.max, 888888);
	assert_true(rel_diff(st.mean, 833332.5) < 1e-12L);
	assert_true(rel_diff(st.mdev, 55555.5) < 1e-9L);
	assert_int_equal(mcast_hist_percentile(h, 1), 777777);
	assert_int_equal(mcast_hist_percentile(h, 100), 888888);
	mcast_hist_free(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_single_value),
		cmocka_unit_test(test_known_set),
		cmocka_unit_test(test_small_values_exact),
		cmocka_unit_test(test_uniform),
		cmocka_unit_test(test_uniform_wide),
		cmocka_unit_test(test_log_normal),
		cmocka_unit_test(test_clamp),
		cmocka_unit_test(test_merge),
		cmocka_unit_test(test_merge_min_max),
		cmocka_unit_test(test_reset),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
