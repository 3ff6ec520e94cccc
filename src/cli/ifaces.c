/*
 * ifaces.c - `mcast ifaces`: the interfaces that can carry multicast, their
 * addresses, flags and MTU, and the groups joined on each (with the sources
 * of source-specific joins), on this host or network namespace.
 */
#include "cli/cli.h"
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

/* Check a setting for ifaces without keeping it. */
static int check(const struct cli_arg *a)
{
	struct lister l;

	memset(&l, 0, sizeof(l));
	return apply(&l, a);
}

const struct cli_spec ifaces_spec = {
	.name = "ifaces", .opts = ifaces_options, .apply = apply, .check = check,
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

static void print_flags(unsigned flags, const char *sep, bool quote)
{
	bool first = true;

	for (size_t i = 0; i < sizeof(flag_names) / sizeof(flag_names[0]); i++) {
		if (!(flags & flag_names[i].flag))
			continue;
		printf(quote ? "%s\"%s\"" : "%s%s", first ? "" : sep, flag_names[i].name);
		first = false;
	}
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

/* The source filters of one group on one interface, text or JSON; with
 * -v in text, one line per source with its socket counts. */
static void print_sources(const struct lister *l, const mcast_membership *g)
{
	char s[MCAST_ADDRSTRLEN];
	bool first = true;

	for (size_t k = 0; k < l->n_filters; k++) {
		const mcast_source_filter *f = &l->filters[k];

		if (f->ifindex != g->ifindex || !mcast_addr_equal(&f->group, &g->group, false))
			continue;
		mcast_addr_format(&f->source, s, sizeof(s), 0);
		if (l->json) {
			printf("%s{\"source\":\"%s\",\"include\":%u,\"exclude\":%u}",
			       first ? "" : ",", s, f->include, f->exclude);
			first = false;
			continue;
		}
		print_side(f->include, g->users, "from", s, &first);
		print_side(f->exclude, g->users, "not from", s, &first);
	}
	if (!l->json && !first)
		putchar(')');
	for (size_t k = 0; !l->json && cli_verbosity >= LOG_VERBOSE && k < l->n_filters; k++) {
		const mcast_source_filter *f = &l->filters[k];

		if (f->ifindex != g->ifindex || !mcast_addr_equal(&f->group, &g->group, false))
			continue;
		mcast_addr_format(&f->source, s, sizeof(s), 0);
		printf("\n            source %s: included by %u socket%s, excluded by %u",
		       s, f->include, f->include == 1 ? "" : "s", f->exclude);
	}
}

/* IGMP and MLD on one interface: a JSON member, or with -v a text line. */
static void print_mcinfo(const struct lister *l, const mcast_iface *ifc)
{
	mcast_mcinfo m;

	if (mcast_iface_mcinfo(ifc->index, &m, NULL) < 0)
		return;
	if (l->json) {
		printf(",\"igmp\":{\"version\":%u,\"forced\":%u},\"mld\":", m.igmp,
		       m.igmp_forced);
		if (m.has_mld)
			printf("{\"forced\":%u}", m.mld_forced);
		else
			printf("null");
		return;
	}
	if (cli_verbosity < LOG_VERBOSE)
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

/* The groups joined on one interface, text or JSON. */
static void print_groups(const struct lister *l, const mcast_iface *ifc)
{
	char a[MCAST_ADDRSTRLEN];
	size_t shown = 0;

	printf(l->json ? ",\"groups\":[" : "\n    groups:");
	for (size_t i = 0; i < l->n_groups; i++) {
		const mcast_membership *g = &l->groups[i];

		if (g->ifindex != ifc->index)
			continue;
		mcast_addr_format(&g->group, a, sizeof(a), 0);
		if (l->json) {
			printf("%s{\"group\":\"%s\",\"users\":%u,\"sources\":[",
			       shown ? "," : "", a, g->users);
			print_sources(l, g);
			printf("]}");
		} else {
			printf("\n        %s, %u user%s", a, g->users, g->users == 1 ? "" : "s");
			print_sources(l, g);
		}
		shown++;
	}
	if (!l->json && shown == 0)
		printf(" none");
	printf(l->json ? "]" : "");
}

static void print_iface(const struct lister *l, const mcast_iface *ifc)
{
	char a[MCAST_ADDRSTRLEN];
	mcast_addr *addrs = NULL;
	size_t n_addrs = 0;

	mcast_iface_addresses(ifc->index, &addrs, &n_addrs, NULL);
	if (l->json) {
		printf("{\"event\":\"interface\",\"name\":\"%s\",\"index\":%u,\"mtu\":%u,"
		       "\"flags\":[", ifc->name, ifc->index, ifc->mtu);
		print_flags(ifc->flags, ",", true);
		printf("],\"addresses\":[");
	} else {
		printf("%s: index %u, mtu %u, <", ifc->name, ifc->index, ifc->mtu);
		print_flags(ifc->flags, ",", false);
		printf(">\n    addresses:");
	}
	for (size_t i = 0; i < n_addrs; i++) {
		mcast_addr_format(&addrs[i], a, sizeof(a), 0);
		printf(l->json ? "%s\"%s\"" : "%s %s", l->json && i ? "," : "", a);
	}
	if (!l->json && n_addrs == 0)
		printf(" none");
	if (l->json)
		printf("]");
	/* Text: the versions (with -v) come before the groups; JSON: after. */
	if (!l->json)
		print_mcinfo(l, ifc);
	print_groups(l, ifc);
	if (l->json)
		print_mcinfo(l, ifc);
	printf(l->json ? "}\n" : "\n");
	free(addrs);
}

int cmd_ifaces(int argc, char **argv)
{
	struct lister l;
	mcast_iface *list = NULL;
	mcast_error e;
	size_t n = 0;
	int rc;

	memset(&l, 0, sizeof(l));
	rc = cli_parse_args(argc, argv, &ifaces_spec, &l, &l.cfg, NULL);
	if (rc == 0 && (mcast_iface_list(&list, &n, 0, &e) < 0 ||
			mcast_memberships(&l.groups, &l.n_groups, &e) < 0 ||
			mcast_source_filters(&l.filters, &l.n_filters, &e) < 0)) {
		cli_err("%s", e.msg);
		rc = EXIT_FAIL;
	}
	for (size_t i = 0; rc == 0 && i < n; i++)
		if (l.all || (list[i].flags & (IFF_MULTICAST | IFF_LOOPBACK)))
			print_iface(&l, &list[i]);
	if (rc == 0 && fflush(stdout) == EOF) {
		cli_err("writing output: %s", strerror(errno));
		rc = EXIT_FAIL;
	}
	free(list);
	free(l.groups);
	free(l.filters);
	cli_config_free(&l.cfg);
	return rc == CLI_HELP_SHOWN ? EXIT_OK : rc;
}
