/*
 * join.c - choose interfaces, bind to the group, join, announce, leave.
 */
#include "cli/join.h"
#include "cli/emit.h"

#include <stdlib.h>
#include <string.h>

/* A list given on the command line replaces the settings file's: the
 * option parser does not apply the file's then (they share a setting). */
static int add_spec(const char **list, size_t *n, const char *spec, const char *opt)
{
	if (*n == JOIN_MAX)
		return cli_usage("%s: at most %d", opt, JOIN_MAX);
	list[(*n)++] = spec;
	return 0;
}

int join_option(struct join *j, const struct cli_arg *a)
{
	switch (a->id) {
	case JOIN_OPT_IFACE:
		if (strcmp(a->value, "all") != 0 && cli_iface_check(a))
			return EXIT_USAGE;
		return add_spec(j->iface_spec, &j->n_iface_spec, a->value, "--interface");
	case JOIN_OPT_SOURCE:
		return add_spec(j->source_spec, &j->n_source, a->value, "--source");
	case JOIN_OPT_EXCLUDE:
		return add_spec(j->exclude_spec, &j->n_exclude, a->value, "--exclude");
	case JOIN_OPT_RCVBUF:
		return cli_size(a, 1024, 1ULL << 30, &j->rcvbuf);
	default:
		return 1;
	}
}

int join_parse(struct join *j, const mcast_addr *group)
{
	int rc = 0;

	j->group = *group;
	rc = cli_sources("--source", j->source_spec, j->n_source, &j->group, j->source);
	if (rc == 0)
		rc = cli_sources("--exclude", j->exclude_spec, j->n_exclude, &j->group,
				 j->exclude);
	if (rc == 0 && j->n_source && j->n_exclude)
		rc = cli_usage("--source and --exclude do not mix: a join "
			       "either names its sources or excludes some");
	return rc;
}

static int add_iface(struct join *j, const mcast_iface *ifc)
{
	for (size_t i = 0; i < j->n_iface; i++)
		if (j->iface[i].index == ifc->index)
			return 0;
	if (j->n_iface == JOIN_MAX)
		return cli_usage("too many interfaces (at most %d)", JOIN_MAX);
	j->iface[j->n_iface++] = *ifc;
	return 0;
}

/*
 * -i all: every interface that is up and multicast-capable as mcast ifaces
 * counts it, with the MULTICAST flag or loopback (which carries multicast
 * without the flag).
 */
static int add_all(struct join *j)
{
	mcast_iface *all;
	mcast_error e;
	size_t n, added = 0;
	int rc = 0;

	if (mcast_iface_list(&all, &n, IFF_UP, &e) < 0) {
		cli_err("%s", e.msg);
		return EXIT_FAIL;
	}
	for (size_t k = 0; rc == 0 && k < n; k++) {
		if (!(all[k].flags & (IFF_MULTICAST | IFF_LOOPBACK)))
			continue;
		rc = add_iface(j, &all[k]);
		added++;
	}
	free(all);
	if (rc == 0 && added == 0) {
		cli_err("-i all: no interface is up and multicast-capable");
		return EXIT_FAIL;
	}
	return rc;
}

/* Turn the -i options (or their absence) into a list of interfaces. */
static int choose_ifaces(struct join *j)
{
	mcast_iface ifc;
	mcast_error e;
	int rc = 0;

	for (size_t i = 0; rc == 0 && i < j->n_iface_spec; i++) {
		if (strcmp(j->iface_spec[i], "all") != 0) {
			rc = cli_iface(j->iface_spec[i], &ifc);
			if (rc == 0)
				rc = add_iface(j, &ifc);
			continue;
		}
		rc = add_all(j);
	}
	if (rc || j->n_iface_spec)
		return rc;
	if (mcast_iface_route(&ifc, &j->group, &e) < 0) {
		cli_err("%s; choose an interface with -i", e.msg);
		return EXIT_FAIL;
	}
	j->kernel_choice = true;
	return add_iface(j, &ifc);
}

static void warn_ssm(const struct join *j)
{
	char g[MCAST_ADDRSTRLEN];

	mcast_addr_format(&j->group, g, sizeof(g), 0);
	if (j->n_source && !mcast_addr_is_ssm(&j->group))
		cli_warn("%s is outside the source-specific ranges (232.0.0.0/8, "
			 "ff3x::/32); joining it source-specifically all the same", g);
	if (!j->n_source && mcast_addr_is_ssm(&j->group))
		cli_warn("%s is in a source-specific range: routers forward it only "
			 "to joins that name their sources (-S)", g);
}

static void log_membership(const char *verb, const mcast_addr *group,
			   const mcast_iface *ifc, const mcast_addr *src)
{
	char g[MCAST_ADDRSTRLEN], s[MCAST_ADDRSTRLEN];

	if (cli_verbosity < LOG_VERBOSE)
		return;
	mcast_addr_format(group, g, sizeof(g), 0);
	if (src)
		mcast_addr_format(src, s, sizeof(s), 0);
	if (strcmp(verb, "blocked") == 0)
		cli_debug("blocked source %s of %s on %s", s, g, ifc->name);
	else if (src)
		cli_debug("%s %s source %s on %s", verb, g, s, ifc->name);
	else
		cli_debug("%s %s on %s", verb, g, ifc->name);
}

/* The i-th group asked for (one, or each of several). */
static const mcast_addr *group_at(const struct join *j, size_t i)
{
	return j->n_groups ? &j->groups[i] : &j->group;
}

static size_t group_count(const struct join *j)
{
	return j->n_groups ? j->n_groups : 1;
}

/* Bind to the group, so that no other group's traffic arrives. */
static int bind_group(struct join *j, mcast_error *e)
{
	mcast_addr local = j->group;

	/*
	 * A link-local IPv6 group can only be bound with a scope, which ties
	 * the socket to one interface; with several interfaces bind the
	 * wildcard and rely on IPV6_MULTICAST_ALL being off instead.
	 */
	if (j->n_groups > 1) {
		/* Several groups on one socket: bind the port on the wildcard
		 * address; IP_MULTICAST_ALL off keeps other groups out. */
		if (mcast_addr_family(&local) == AF_INET6)
			local.u.sin6.sin6_addr = in6addr_any;
		else
			local.u.sin.sin_addr.s_addr = htonl(INADDR_ANY);
	} else if (mcast_addr_family(&local) == AF_INET6 && !local.u.sin6.sin6_scope_id &&
	    (IN6_IS_ADDR_MC_LINKLOCAL(&local.u.sin6.sin6_addr) ||
	     IN6_IS_ADDR_MC_NODELOCAL(&local.u.sin6.sin6_addr))) {
		if (j->n_iface == 1)
			local.u.sin6.sin6_scope_id = j->iface[0].index;
		else
			local.u.sin6.sin6_addr = in6addr_any;
	}
	if (mcast_sock_bind(j->sock, &local, MCAST_BIND_REUSE, e) < 0)
		return -1;
	j->bound = j->group;
	if (mcast_sock_local(j->sock, &local) == 0)
		mcast_addr_set_port(&j->bound, mcast_addr_port(&local));
	return 0;
}

int join_open(struct join *j)
{
	mcast_bufinfo bi;
	mcast_error e;
	int rc = choose_ifaces(j);

	if (rc)
		return rc;
	warn_ssm(j);
	if (mcast_sock_new(&j->sock, mcast_addr_family(&j->group), &e) < 0 ||
	    bind_group(j, &e) < 0)
		goto fail;
	if (j->rcvbuf) {
		if (mcast_sock_set_rcvbuf(j->sock, j->rcvbuf, &bi, &e) < 0)
			goto fail;
		cli_info("receive buffer: asked %zu bytes, granted %zu bytes (kernel "
			 "maximum %zu bytes%s)%s", bi.requested, bi.granted, bi.max,
			 bi.forced ? ", forced past the maximum" : "",
			 bi.granted < bi.requested
				 ? "; raise net.core.rmem_max or run as root for more"
				 : "");
	}
	/* Without a watch a vanished interface just goes quiet: not fatal. */
	if (mcast_watch_new(&j->watch, &e) < 0)
		cli_debug("%s", e.msg);
	return join_again(j);
fail:
	cli_err("%s", e.msg);
	return EXIT_FAIL;
}

/* Join one group on one interface, with its sources or exclusions. */
static int join_one(struct join *j, const mcast_addr *g, const mcast_iface *ifc,
		    mcast_error *e)
{
	for (size_t k = 0; k < j->n_source; k++) {
		if (mcast_sock_join(j->sock, g, ifc->index, &j->source[k], e) < 0)
			return -1;
		log_membership("joined", g, ifc, &j->source[k]);
	}
	if (j->n_source)
		return 0;
	if (mcast_sock_join(j->sock, g, ifc->index, NULL, e) < 0)
		return -1;
	log_membership("joined", g, ifc, NULL);
	for (size_t k = 0; k < j->n_exclude; k++) {
		if (mcast_sock_block(j->sock, g, ifc->index, &j->exclude[k], e) < 0)
			return -1;
		log_membership("blocked", g, ifc, &j->exclude[k]);
	}
	return 0;
}

int join_again(struct join *j)
{
	mcast_error e;

	for (size_t g = 0; g < group_count(j); g++)
		for (size_t i = 0; i < j->n_iface; i++)
			if (join_one(j, group_at(j, g), &j->iface[i], &e) < 0) {
				cli_err("%s", e.msg);
				/* Nothing stays joined after a failure. */
				join_leave(j);
				return EXIT_FAIL;
			}
	return 0;
}

int join_leave(struct join *j)
{
	for (size_t g = 0; g < group_count(j); g++) {
		const mcast_addr *grp = group_at(j, g);

		for (size_t i = 0; i < j->n_iface; i++) {
			const mcast_iface *ifc = &j->iface[i];
			size_t n = j->n_source ? j->n_source : 1;

			for (size_t k = 0; k < n; k++) {
				const mcast_addr *src = j->n_source ? &j->source[k] : NULL;

				if (mcast_sock_leave(j->sock, grp, ifc->index, src, NULL) == 0)
					log_membership("left", grp, ifc, src);
			}
		}
	}
	return 0;
}

int join_pollfds(const struct join *j, struct pollfd p[2])
{
	p[0] = (struct pollfd){.fd = mcast_sock_fd(j->sock), .events = POLLIN};
	if (!j->watch)
		return 1;
	p[1] = (struct pollfd){.fd = mcast_watch_fd(j->watch), .events = POLLIN};
	return 2;
}

int join_events(struct join *j, const struct pollfd p[2])
{
	unsigned idx[JOIN_MAX];
	int gone;

	if (!j->watch || !(p[1].revents & POLLIN))
		return 0;
	for (size_t i = 0; i < j->n_iface; i++)
		idx[i] = j->iface[i].index;
	gone = mcast_watch_gone(j->watch, idx, j->n_iface);
	if (gone <= 0)
		return 0;
	for (size_t i = 0; i < j->n_iface; i++)
		if (j->iface[i].index == (unsigned)gone)
			cli_err("interface %s disappeared; leaving the group and stopping",
				j->iface[i].name);
	return EXIT_FAIL;
}

void join_announce(const struct join *j, struct emit *e)
{
	char where[MCAST_ADDRSTRLEN], list[JOIN_MAX * (IF_NAMESIZE + 2)] = "";
	const char *names[JOIN_MAX] = {NULL};
	size_t used = 0;

	for (size_t i = 0; i < j->n_iface; i++)
		names[i] = j->iface[i].name;
	if (e && e->json) {
		emit_begin(e, "listening");
		emit_addr(e, "group", &j->bound, false);
		emit_u64(e, "port", mcast_addr_port(&j->bound));
		emit_strv(e, "interfaces", names, j->n_iface);
		emit_u64(e, "groups", group_count(j));
		emit_end(e, EMIT_DATA, NULL);
	}
	mcast_addr_format(&j->bound, where, sizeof(where), MCAST_FMT_PORT);
	for (size_t i = 0; i < j->n_iface; i++)
		used += (size_t)snprintf(list + used, sizeof(list) - used, "%s%s",
					 i ? ", " : "", names[i]);
	if (j->n_groups > 1)
		cli_info("listening on %s and %zu more group%s on port %u, joined on %s%s",
			 where, j->n_groups - 1, j->n_groups > 2 ? "s" : "",
			 mcast_addr_port(&j->bound), list,
			 j->kernel_choice ? " (chosen by the kernel)" : "");
	else
		cli_info("listening on %s, joined on %s%s", where, list,
			 j->kernel_choice ? " (chosen by the kernel)" : "");
}

void join_close(struct join *j)
{
	if (!j->sock)
		return;
	join_leave(j);
	mcast_sock_free(j->sock);
	j->sock = NULL;
	mcast_watch_free(j->watch);
	j->watch = NULL;
}

const char *join_iface_name(struct join *j, unsigned index)
{
	size_t slot;

	for (size_t i = 0; i < j->n_names; i++)
		if (j->names[i].index == index)
			return j->names[i].name;
	slot = j->n_names < 16 ? j->n_names++ : index % 16;
	j->names[slot].index = index;
	if (!if_indextoname(index, j->names[slot].name))
		snprintf(j->names[slot].name, IF_NAMESIZE, "%u", index);
	return j->names[slot].name;
}
