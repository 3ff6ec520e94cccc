/*
 * ifaces.c - `mcast ifaces`: the interfaces that can carry multicast, their
 * addresses, flags and MTU, and the groups joined on each (with the sources
 * of source-specific joins), on this host or network namespace.
 */
#include "cli/cli.h"
#include "cli/emit.h"
#include "cli/opt.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static const char usage_text[] =
	"Usage: mcast ifaces [OPTIONS]\n"
	"\n"
	"List the interfaces that can carry multicast (the MULTICAST flag, or\n"
	"loopback), with index, MTU, flags and addresses, and the groups joined\n"
	"on each on this host, with the source filters of each group. With -v,\n"
	"also the IGMP and MLD versions and each source filter's socket counts.\n"
	"\n"
	"Options:\n"
	"  -a, --all               every interface, multicast-capable or not\n"
	"      --json              one JSON object per interface\n"
	"      --config FILE       read settings from FILE ([ifaces] section)\n"
	"  -v, --verbose           IGMP/MLD versions, per-source socket counts\n"
	"  -q, --quiet             print errors only on stderr\n"
	"  -h, --help              show this help\n"
	"\n"
	"Exit status: 0 listed, 1 failure, 2 usage error.\n";

enum { OPT_ALL = CLI_OPT_OWN, OPT_JSON };

static const struct cli_opt ifaces_options[] = {
	CLI_FLAG("all", 'a', OPT_ALL),
	CLI_FLAG("json", 0, OPT_JSON),
	CLI_COMMON_OPTIONS,
};

struct lister {
	bool all, json;
	struct cli_config cfg;
	mcast_membership *groups;
	size_t n_groups;
	mcast_source_filter *filters;
	size_t n_filters;
};

static int apply(void *ctx, const struct cli_arg *a)
{
	struct lister *l = ctx;

	switch (a->id) {
	case OPT_ALL: l->all = true; return 0;
	case OPT_JSON: l->json = true; return 0;
	default: return cli_usage_at(a, "unknown option %s", a->opt);
	}
}

const struct cli_spec ifaces_spec = {
	.name = "ifaces", .opts = ifaces_options, .apply = apply,
	.ctx_size = sizeof(struct lister),
	.usage = usage_text, .operands = CLI_NO_OPERANDS,
};

static const struct {
	unsigned flag;
	const char *name;
} flag_names[] = {
	{IFF_UP, "UP"},	       {IFF_BROADCAST, "BROADCAST"},
	{IFF_LOOPBACK, "LOOPBACK"}, {IFF_POINTOPOINT, "POINTOPOINT"},
	{IFF_RUNNING, "RUNNING"},   {IFF_NOARP, "NOARP"},
	{IFF_PROMISC, "PROMISC"},   {IFF_ALLMULTI, "ALLMULTI"},
	{IFF_MULTICAST, "MULTICAST"},
};

/* The flags in text: "UP,BROADCAST,MULTICAST". */
static void print_flags(unsigned flags)
{
	bool first = true;

	for (size_t i = 0; i < sizeof(flag_names) / sizeof(flag_names[0]); i++) {
		if (!(flags & flag_names[i].flag))
			continue;
		printf("%s%s", first ? "" : ",", flag_names[i].name);
		first = false;
	}
}

/* Whether filter f is one of group g's, on g's interface. */
static bool filter_of(const mcast_source_filter *f, const mcast_membership *g)
{
	return f->ifindex == g->ifindex && mcast_addr_equal(&f->group, &g->group, false);
}

/*
 * One side of a source filter in text: "from S" when every user of the
 * group includes S, "1 of them from S" when only some do (the kernel
 * counts sockets per source, and a socket that does not name S may still
 * receive from it), likewise "not from S" for the sockets that block it.
 */
static void print_side(unsigned n, unsigned users, const char *what, const char *s,
		       bool *first)
{
	if (!n)
		return;
	printf("%s", *first ? " (" : ", ");
	if (n < users)
		printf("%u of them ", n);
	printf("%s %s", what, s);
	*first = false;
}

/* The source filters of one group on one interface in text; with -v, one
 * line per source with its socket counts. */
static void print_sources(const struct lister *l, const mcast_membership *g)
{
	char s[MCAST_ADDRSTRLEN];
	bool first = true;

	for (size_t k = 0; k < l->n_filters; k++) {
		const mcast_source_filter *f = &l->filters[k];

		if (!filter_of(f, g))
			continue;
		mcast_addr_format(&f->source, s, sizeof(s), 0);
		print_side(f->include, g->users, "from", s, &first);
		print_side(f->exclude, g->users, "not from", s, &first);
	}
	if (!first)
		putchar(')');
	for (size_t k = 0; cli_verbosity >= LOG_VERBOSE && k < l->n_filters; k++) {
		const mcast_source_filter *f = &l->filters[k];

		if (!filter_of(f, g))
			continue;
		mcast_addr_format(&f->source, s, sizeof(s), 0);
		printf("\n            source %s: included by %u socket%s, excluded by %u",
		       s, f->include, f->include == 1 ? "" : "s", f->exclude);
	}
}

/* With -v, IGMP and MLD on one interface, a text line. */
static void print_mcinfo(const mcast_iface *ifc)
{
	mcast_mcinfo m;

	if (cli_verbosity < LOG_VERBOSE || mcast_iface_mcinfo(ifc->index, &m, NULL) < 0)
		return;
	printf("\n    igmp: ");
	if (!m.igmp)
		printf("none (no IPv4)");
	else if (m.igmp_forced)
		printf("v%u (force_igmp_version %u)", m.igmp, m.igmp_forced);
	else if (m.igmp < 3)
		printf("v%u (an IGMPv%u querier is heard)", m.igmp, m.igmp);
	else
		printf("v3 (no older querier heard)");
	printf("; mld: ");
	if (!m.has_mld)
		printf("none (no IPv6)");
	else if (m.mld_forced)
		printf("v%u (force_mld_version %u)", m.mld_forced, m.mld_forced);
	else
		printf("v2, or v1 while an MLDv1 querier is heard");
}

/* The groups joined on one interface, in text. */
static void print_groups(const struct lister *l, const mcast_iface *ifc)
{
	char a[MCAST_ADDRSTRLEN];
	size_t shown = 0;

	printf("\n    groups:");
	for (size_t i = 0; i < l->n_groups; i++) {
		const mcast_membership *g = &l->groups[i];

		if (g->ifindex != ifc->index)
			continue;
		mcast_addr_format(&g->group, a, sizeof(a), 0);
		printf("\n        %s, %u user%s", a, g->users, g->users == 1 ? "" : "s");
		print_sources(l, g);
		shown++;
	}
	if (shown == 0)
		printf(" none");
}

/* One interface in text: a line, then its addresses, versions (-v) and
 * groups, indented. */
static void print_iface(const struct lister *l, const mcast_iface *ifc,
			const mcast_addr *addrs, size_t n_addrs)
{
	char a[MCAST_ADDRSTRLEN];

	printf("%s: index %u, mtu %u, <", ifc->name, ifc->index, ifc->mtu);
	print_flags(ifc->flags);
	printf(">\n    addresses:");
	for (size_t i = 0; i < n_addrs; i++) {
		mcast_addr_format(&addrs[i], a, sizeof(a), 0);
		printf(" %s", a);
	}
	if (n_addrs == 0)
		printf(" none");
	print_mcinfo(ifc);
	print_groups(l, ifc);
	putchar('\n');
}

/* The groups joined on one interface, each with its source filters, as
 * the array "groups". */
static void json_groups(struct emit *e, const struct lister *l, const mcast_iface *ifc)
{
	emit_arr(e, "groups");
	for (size_t i = 0; i < l->n_groups; i++) {
		const mcast_membership *g = &l->groups[i];

		if (g->ifindex != ifc->index)
			continue;
		emit_obj(e, NULL);
		emit_addr(e, "group", &g->group, false);
		emit_u64(e, "users", g->users);
		emit_arr(e, "sources");
		for (size_t k = 0; k < l->n_filters; k++) {
			const mcast_source_filter *f = &l->filters[k];

			if (!filter_of(f, g))
				continue;
			emit_obj(e, NULL);
			emit_addr(e, "source", &f->source, false);
			emit_u64(e, "include", f->include);
			emit_u64(e, "exclude", f->exclude);
			emit_obj_end(e);
		}
		emit_arr_end(e);
		emit_obj_end(e);
	}
	emit_arr_end(e);
}

/* One interface as the record "interface" (docs/JSON.md). Returns
 * emit_end()'s result. */
static int json_iface(struct emit *e, const struct lister *l, const mcast_iface *ifc,
		      const mcast_addr *addrs, size_t n_addrs)
{
	mcast_mcinfo m;

	emit_begin(e, "interface");
	emit_str(e, "name", ifc->name);
	emit_u64(e, "index", ifc->index);
	emit_u64(e, "mtu", ifc->mtu);
	emit_arr(e, "flags");
	for (size_t i = 0; i < sizeof(flag_names) / sizeof(flag_names[0]); i++)
		if (ifc->flags & flag_names[i].flag)
			emit_str(e, NULL, flag_names[i].name);
	emit_arr_end(e);
	emit_arr(e, "addresses");
	for (size_t i = 0; i < n_addrs; i++)
		emit_addr(e, NULL, &addrs[i], false);
	emit_arr_end(e);
	json_groups(e, l, ifc);
	if (mcast_iface_mcinfo(ifc->index, &m, NULL) == 0) {
		emit_obj(e, "igmp");
		emit_u64(e, "version", m.igmp);
		emit_u64(e, "forced", m.igmp_forced);
		emit_obj_end(e);
		if (m.has_mld) {
			emit_obj(e, "mld");
			emit_u64(e, "forced", m.mld_forced);
			emit_obj_end(e);
		} else {
			emit_null(e, "mld");
		}
	}
	return emit_end(e, EMIT_DATA, NULL);
}

/* Every interface the options ask for, text or JSON. Returns 0 or an exit
 * status. */
static int list(const struct lister *l, const mcast_iface *ifs, size_t n)
{
	struct emit e;
	int rc = 0;

	if (l->json && emit_init(&e, stdout, true) < 0) {
		cli_err("out of memory");
		return EXIT_FAIL;
	}
	for (size_t i = 0; rc == 0 && i < n; i++) {
		mcast_addr *addrs = NULL;
		size_t n_addrs = 0;

		if (!l->all && !(ifs[i].flags & (IFF_MULTICAST | IFF_LOOPBACK)))
			continue;
		mcast_iface_addresses(ifs[i].index, &addrs, &n_addrs, NULL);
		if (!l->json)
			print_iface(l, &ifs[i], addrs, n_addrs);
		else if (json_iface(&e, l, &ifs[i], addrs, n_addrs) < 0)
			rc = emit_failed(&e);
		free(addrs);
		if (l->json && e.closed)
			break;
	}
	if (l->json)
		emit_free(&e);
	return rc;
}

int cmd_ifaces(int argc, char **argv)
{
	struct lister l;
	mcast_iface *ifs = NULL;
	mcast_error e;
	size_t n = 0;
	int rc;

	memset(&l, 0, sizeof(l));
	rc = cli_parse_args(argc, argv, &ifaces_spec, &l, &l.cfg, NULL);
	if (rc == 0 && (mcast_iface_list(&ifs, &n, 0, &e) < 0 ||
			mcast_memberships(&l.groups, &l.n_groups, &e) < 0 ||
			mcast_source_filters(&l.filters, &l.n_filters, &e) < 0)) {
		cli_err("%s", e.msg);
		rc = EXIT_FAIL;
	}
	if (rc == 0)
		rc = list(&l, ifs, n);
	if (rc == 0 && fflush(stdout) == EOF) {
		cli_err("writing output: %s", strerror(errno));
		rc = EXIT_FAIL;
	}
	free(ifs);
	free(l.groups);
	free(l.filters);
	cli_config_free(&l.cfg);
	return rc == CLI_HELP_SHOWN ? EXIT_OK : rc;
}
