/*
 * groups.c - several groups in one receiver (recv): operands and ranges,
 * one socket per family and port, counts per group.
 *
 * Groups that share a family and port share one socket bound to the
 * wildcard address: the kernel's per-socket membership limit
 * (net.ipv4.igmp_max_memberships) then applies, and libmcast's message
 * names it when a join passes it.
 */
#include "cli/groups.h"
#include "cli/emit.h"
#include "cli/loop.h"

#include <stdlib.h>
#include <string.h>

/* Order of groups: family, address bytes, port (the scope is ignored). */
static int addr_cmp(const mcast_addr *a, const mcast_addr *b)
{
	int fa = mcast_addr_family(a), fb = mcast_addr_family(b), c;

	if (fa != fb)
		return fa < fb ? -1 : 1;
	if (fa == AF_INET6)
		c = memcmp(&a->u.sin6.sin6_addr, &b->u.sin6.sin6_addr, 16);
	else
		c = memcmp(&a->u.sin.sin_addr, &b->u.sin.sin_addr, 4);
	if (c)
		return c;
	return (int)mcast_addr_port(a) - (int)mcast_addr_port(b);
}

/* qsort has no context argument: the array being sorted, for the
 * comparison of indices (groups_parse runs once, single-threaded). */
static const mcast_addr *sort_base;

static int index_cmp(const void *x, const void *y)
{
	return addr_cmp(&sort_base[*(const size_t *)x], &sort_base[*(const size_t *)y]);
}

/* Append the groups of one operand. 0 or EXIT_USAGE. */
static int add_operand(struct groups *g, const char *text)
{
	mcast_addr first;
	mcast_error e;
	unsigned count;
	void *p;

	if (mcast_addr_parse_range(&first, &count, text, &e) < 0)
		return cli_usage("bad group '%s': %s", text, e.msg);
	if (g->n + count > GROUPS_MAX)
		return cli_usage("'%s': more than %d groups in all", text, GROUPS_MAX);
	p = realloc(g->addr, (g->n + count) * sizeof(*g->addr));
	if (!p)
		return cli_usage("'%s': out of memory", text);
	g->addr = p;
	for (unsigned i = 0; i < count; i++) {
		g->addr[g->n + i] = first;
		mcast_addr_add(&g->addr[g->n + i], i, NULL);
	}
	g->n += count;
	return 0;
}

/* Sort the index and reject what one process cannot join. */
static int check_set(struct groups *g)
{
	char a[MCAST_ADDRSTRLEN];

	g->sorted = malloc(g->n * sizeof(*g->sorted));
	g->count = calloc(g->n, sizeof(*g->count));
	if (!g->sorted || !g->count)
		return cli_usage("%zu groups: out of memory", g->n);
	for (size_t i = 0; i < g->n; i++)
		g->sorted[i] = i;
	sort_base = g->addr;
	qsort(g->sorted, g->n, sizeof(*g->sorted), index_cmp);
	for (size_t i = 0; g->n > 1 && i < g->n; i++) {
		const mcast_addr *x = &g->addr[g->sorted[i]];

		mcast_addr_format(x, a, sizeof(a), MCAST_FMT_PORT);
		if (mcast_addr_port(x) == 0)
			return cli_usage("%s: port 0 picks a free port for one group "
					 "only", a);
		if (i && addr_cmp(x, &g->addr[g->sorted[i - 1]]) == 0)
			return cli_usage("%s: given twice", a);
	}
	return 0;
}

int groups_parse(struct groups *g, int argc, char **argv, const char *cfg_group)
{
	int rc = 0;

	memset(g, 0, sizeof(*g));
	if (argc == 0 && !cfg_group)
		return cli_usage("missing GROUP:PORT");
	if (argc == 0)
		rc = add_operand(g, cfg_group);
	for (int i = 0; rc == 0 && i < argc; i++)
		rc = add_operand(g, argv[i]);
	return rc ? rc : check_set(g);
}

/* Where the run of groups with the family and port of by_addr[i] ends. */
static size_t run_end(const struct groups *g, size_t i)
{
	size_t k = i + 1;

	while (k < g->n && mcast_addr_family(&g->by_addr[k]) ==
				   mcast_addr_family(&g->by_addr[i]) &&
	       mcast_addr_port(&g->by_addr[k]) == mcast_addr_port(&g->by_addr[i]))
		k++;
	return k;
}

/* Sorted order keeps each family and port together: one join each. */
static int make_joins(struct groups *g, const struct join *tmpl)
{
	size_t n = 0;

	g->by_addr = malloc(g->n * sizeof(*g->by_addr));
	if (!g->by_addr) {
		cli_err("out of memory");
		return EXIT_FAIL;
	}
	for (size_t i = 0; i < g->n; i++)
		g->by_addr[i] = g->addr[g->sorted[i]];
	for (size_t i = 0; i < g->n; i = run_end(g, i))
		n++;
	g->joins = calloc(n, sizeof(*g->joins));
	if (!g->joins) {
		cli_err("out of memory");
		return EXIT_FAIL;
	}
	for (size_t i = 0, k; i < g->n; i = k) {
		struct join *j = &g->joins[g->n_joins++];
		int rc;

		k = run_end(g, i);
		*j = *tmpl;
		if (k - i > 1) {
			j->groups = &g->by_addr[i];
			j->n_groups = k - i;
		}
		rc = join_parse(j, &g->by_addr[i]);
		if (rc)
			return rc;
	}
	return 0;
}

int groups_open(struct groups *g, const struct join *tmpl)
{
	int rc = make_joins(g, tmpl);

	if (rc)
		return rc;
	g->rx = calloc(g->n_joins, sizeof(*g->rx));
	if (!g->rx) {
		cli_err("out of memory");
		return EXIT_FAIL;
	}
	for (size_t i = 0; i < g->n_joins; i++) {
		if (udp_rx_init(&g->rx[i], &g->joins[i], false) < 0) {
			cli_err("out of memory");
			return EXIT_FAIL;
		}
		rc = join_open(&g->joins[i]);
		if (rc)
			return rc;
	}
	return 0;
}

int groups_attach(struct groups *g, struct loop *l, rx_fn fn, void *owner)
{
	for (size_t i = 0; i < g->n_joins; i++) {
		int rc = g->rx[i].t.attach(&g->rx[i].t, l, fn, owner);

		if (rc < 0)
			return rc;
	}
	return 0;
}

long groups_find(const struct groups *g, const mcast_addr *dst)
{
	size_t lo = 0, hi = g->n;

	if (g->n == 1)
		return 0;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = addr_cmp(&g->addr[g->sorted[mid]], dst);

		if (c == 0)
			return (long)g->sorted[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

void groups_leave(struct groups *g)
{
	for (size_t i = 0; i < g->n_joins; i++)
		join_leave(&g->joins[i]);
}

int groups_join(struct groups *g)
{
	for (size_t i = 0; i < g->n_joins; i++)
		if (join_again(&g->joins[i]))
			return EXIT_FAIL;
	return 0;
}

void groups_announce(const struct groups *g, struct emit *e)
{
	for (size_t i = 0; i < g->n_joins; i++)
		join_announce(&g->joins[i], e);
}

void groups_summary(const struct groups *g, struct emit *e)
{
	char to[MCAST_ADDRSTRLEN];

	for (size_t i = 0; g->n > 1 && i < g->n; i++) {
		mcast_addr_format(&g->addr[i], to, sizeof(to), MCAST_FMT_PORT);
		emit_begin(e, "group_summary");
		emit_addr(e, "group", &g->addr[i], false);
		emit_u64(e, "port", mcast_addr_port(&g->addr[i]));
		emit_u64(e, "datagrams", g->count[i].datagrams);
		emit_u64(e, "bytes", g->count[i].bytes);
		emit_text(e, "to", to);
		emit_end(e, EMIT_INFO, "{to}: {datagrams} datagram{datagrams?:s}, "
				       "{bytes} bytes");
	}
}

uint32_t groups_drops(const struct groups *g)
{
	uint32_t sum = 0;

	for (size_t i = 0; g->rx && i < g->n_joins; i++)
		sum += udp_rx_drops(&g->rx[i]);
	return sum;
}

void groups_free(struct groups *g)
{
	for (size_t i = 0; g->joins && i < g->n_joins; i++) {
		if (g->rx && g->rx[i].t.close)
			g->rx[i].t.close(&g->rx[i].t);
		join_close(&g->joins[i]);
	}
	free(g->joins);
	free(g->rx);
	free(g->addr);
	free(g->sorted);
	free(g->by_addr);
	free(g->count);
	memset(g, 0, sizeof(*g));
}
