/*
 * optval.c - option values every subcommand parses the same way: groups,
 * hosts, interfaces, numbers, durations and sizes, each refused with a
 * usage error that names the option and the value.
 */
#include "cli/config.h"
#include "cli/opt.h"
#include "cli/parse.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int cli_group(const char *text, mcast_addr *out)
{
	mcast_error e;

	if (mcast_addr_parse_group(out, text, &e) < 0)
		return cli_usage("%s", e.msg);
	return 0;
}

/* At most this many destinations in one operand. */
#define GROUP_LIST_MAX 65536

/* Append the groups of one item of a list. 0 or EXIT_USAGE. */
static int add_item(const char *item, struct cli_config *cfg)
{
	mcast_addr first;
	mcast_error e;
	unsigned count;
	void *p;

	if (mcast_addr_parse_range(&first, &count, item, &e) < 0)
		return cli_usage("%s", e.msg);
	if (cfg->n_groups && mcast_addr_family(&first) != mcast_addr_family(cfg->groups))
		return cli_usage("'%s': the groups of one sender are all IPv4 or all "
				 "IPv6", item);
	if (cfg->n_groups + count > GROUP_LIST_MAX)
		return cli_usage("'%s': more than %d groups", item, GROUP_LIST_MAX);
	p = realloc(cfg->groups, (cfg->n_groups + count) * sizeof(*cfg->groups));
	if (!p)
		return cli_usage("'%s': out of memory", item);
	cfg->groups = p;
	for (unsigned i = 0; i < count; i++) {
		cfg->groups[cfg->n_groups + i] = first;
		mcast_addr_add(&cfg->groups[cfg->n_groups + i], i, NULL);
	}
	cfg->n_groups += count;
	return 0;
}

int cli_group_list(const char *text, struct cli_config *cfg)
{
	char item[256];
	const char *p = text;
	int rc = 0;

	while (rc == 0) {
		size_t n = strcspn(p, ",");

		if (n == 0 || n >= sizeof(item))
			return cli_usage("bad group list '%s'", text);
		memcpy(item, p, n);
		item[n] = '\0';
		rc = add_item(item, cfg);
		if (p[n] == '\0')
			break;
		p += n + 1;
	}
	return rc;
}

int cli_host(const char *opt, const char *text,
	     const mcast_addr *group, mcast_addr *out)
{
	mcast_error e;

	if (mcast_addr_parse_host(out, text, &e) < 0)
		return cli_usage("%s: %s", opt, e.msg);
	if (mcast_addr_family(out) != mcast_addr_family(group))
		return cli_usage("%s: '%s' is IPv%c but the group is IPv%c", opt,
				 text, mcast_addr_family(out) == AF_INET6 ? '6' : '4',
				 mcast_addr_family(group) == AF_INET6 ? '6' : '4');
	return 0;
}

bool cli_unicast(const mcast_addr *a)
{
	if (mcast_addr_is_multicast(a))
		return false;
	if (mcast_addr_family(a) == AF_INET) {
		in_addr_t v = ntohl(a->u.sin.sin_addr.s_addr);

		return v != INADDR_ANY && v != INADDR_BROADCAST;
	}
	return !IN6_IS_ADDR_UNSPECIFIED(&a->u.sin6.sin6_addr);
}

int cli_sources(const char *opt, const char *const *text, size_t n,
		const mcast_addr *group, mcast_addr *out)
{
	for (size_t i = 0; i < n; i++) {
		int rc = cli_host(opt, text[i], group, &out[i]);

		if (rc)
			return rc;
		/* The kernel takes a group or 0.0.0.0 into the filter, where it
		 * can never match a sender. */
		if (!cli_unicast(&out[i]))
			return cli_usage("%s: %s is not a unicast address", opt, text[i]);
		for (size_t k = 0; k < i; k++)
			if (mcast_addr_equal(&out[k], &out[i], false))
				return cli_usage("%s: %s is given twice", opt, text[i]);
	}
	return 0;
}

int cli_iface_check(const struct cli_arg *a)
{
	mcast_iface ifc;
	mcast_error e;

	if (mcast_iface_find(&ifc, a->value, &e) == -ENODEV)
		return cli_usage_at(a, "%s", e.msg);
	return 0;
}

int cli_iface(const char *spec, mcast_iface *out)
{
	mcast_error e;
	int rc = mcast_iface_find(out, spec, &e);

	if (rc == -ENODEV)
		return cli_usage("%s", e.msg);
	if (rc < 0) {
		cli_err("%s", e.msg);
		return EXIT_FAIL;
	}
	/*
	 * Loopback carries multicast within the host without the MULTICAST
	 * flag, so only other interfaces deserve the warning.
	 */
	if (!(out->flags & IFF_MULTICAST) && !(out->flags & IFF_LOOPBACK))
		cli_warn("interface %s does not have the MULTICAST flag", out->name);
	if (!(out->flags & IFF_UP))
		cli_warn("interface %s is down", out->name);
	return 0;
}

/* The usage error for a number or size the parser refused with rc:
 * out of [min, max] (in unit), or not what. */
static int refused(const struct cli_arg *a, int rc, uint64_t min, uint64_t max,
		   const char *unit, const char *what)
{
	if (rc == -ERANGE)
		return cli_usage_at(a, "%s: %s is out of range (%llu-%llu%s)", a->opt,
				    a->value, (unsigned long long)min,
				    (unsigned long long)max, unit);
	return cli_usage_at(a, "%s: '%s' is not %s", a->opt, a->value, what);
}

int cli_uint(const struct cli_arg *a, uint64_t min, uint64_t max, uint64_t *out)
{
	int rc = cli_parse_uint(a->value, min, max, out);

	return rc < 0 ? refused(a, rc, min, max, "", "a number") : 0;
}

int cli_duration(const struct cli_arg *a, uint64_t *ns)
{
	const uint64_t year = 366ULL * 24 * 3600 * 1000000000ULL;
	int rc = cli_parse_duration(a->value, year, ns);

	if (rc == -ERANGE)
		return cli_usage_at(a, "%s: %s is too long (at most a year)", a->opt,
				    a->value);
	if (rc < 0)
		return cli_usage_at(a, "%s: '%s' is not a duration (e.g. 250ms, 2s, 1m)",
				    a->opt, a->value);
	return 0;
}

int cli_size(const struct cli_arg *a, uint64_t min, uint64_t max, uint64_t *out)
{
	int rc = cli_parse_size(a->value, min, max, out);

	return rc < 0 ? refused(a, rc, min, max, " bytes", "a size (e.g. 1500, 64k, 8M)")
		      : 0;
}
