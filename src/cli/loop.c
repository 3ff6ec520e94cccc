/*
 * loop.c - the event loop of the mcast tool: ppoll() over the watched
 * descriptors and a wake-up pipe, timers, a deadline and signal flags.
 */
#include "cli/cli.h"
#include "cli/loop.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

volatile sig_atomic_t cli_stop, cli_report;

/* The write end is used from the signal handler, the read end by the loop.
 * One pipe per process: every loop of the process shares it. */
static int wake_pipe[2] = {-1, -1};
static volatile sig_atomic_t got_hup;

static void on_signal(int sig)
{
	int saved = errno;
	char c = 0;

	if (sig == SIGQUIT || sig == SIGUSR1)
		cli_report = 1;
	else if (sig == SIGHUP)
		got_hup = 1;
	else
		cli_stop = 1;
	/* A full pipe already holds a wake-up: losing this byte is harmless. */
	if (wake_pipe[1] >= 0 && write(wake_pipe[1], &c, 1) < 0) {
	}
	errno = saved;
}

static int make_pipe(void)
{
	if (wake_pipe[0] >= 0)
		return 0;
	if (pipe2(wake_pipe, O_CLOEXEC | O_NONBLOCK) < 0) {
		wake_pipe[0] = wake_pipe[1] = -1;
		return -errno;
	}
	return 0;
}

static void install_handlers(void)
{
	static const int sigs[] = {SIGINT, SIGTERM, SIGQUIT, SIGUSR1, SIGHUP};
	struct sigaction sa;
	sigset_t set;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigemptyset(&set);
	/* No SA_RESTART: a blocking call must return EINTR so we can stop. */
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		sigaction(sigs[i], &sa, NULL);
		sigaddset(&set, sigs[i]);
	}
	signal(SIGPIPE, SIG_IGN);
	/* Whatever blocked them before us (an older code path), take them. */
	sigprocmask(SIG_UNBLOCK, &set, NULL);
}

int loop_init(struct loop *l)
{
	int rc;

	memset(l, 0, sizeof(*l));
	rc = make_pipe();
	if (rc < 0)
		return rc;
	install_handlers();
	return 0;
}

void loop_free(struct loop *l)
{
	l->nfds = 0;
	l->ntimers = 0;
}

int loop_fd_add(struct loop *l, int fd, unsigned events, loop_fd_fn fn, void *data)
{
	if (l->nfds >= LOOP_MAX_FDS)
		return -ENOSPC;
	l->fds[l->nfds++] = (struct loop_fd){fd, events, fn, data};
	return 0;
}

void loop_fd_events(struct loop *l, int fd, unsigned events)
{
	for (int i = 0; i < l->nfds; i++)
		if (l->fds[i].fd == fd)
			l->fds[i].events = events;
}

void loop_fd_del(struct loop *l, int fd)
{
	/* Mark only: the dispatch loop may be walking the array. */
	for (int i = 0; i < l->nfds; i++)
		if (l->fds[i].fd == fd)
			l->fds[i].fd = -1;
}

int loop_timer_new(struct loop *l, loop_timer_fn fn, void *data)
{
	if (l->ntimers >= LOOP_MAX_TIMERS)
		return -ENOSPC;
	l->timers[l->ntimers] = (struct loop_timer){0, fn, data};
	return l->ntimers++;
}

void loop_timer_at(struct loop *l, int id, uint64_t at_ns)
{
	if (id >= 0 && id < l->ntimers)
		l->timers[id].at = at_ns;
}

uint64_t loop_timer_due(const struct loop *l, int id)
{
	return id >= 0 && id < l->ntimers ? l->timers[id].at : 0;
}

void loop_deadline(struct loop *l, uint64_t at_ns)
{
	l->deadline = at_ns;
}

void loop_stop(struct loop *l, int rc)
{
	l->stopped = true;
	l->rc = rc;
}

bool loop_signalled(void)
{
	return cli_stop != 0;
}

/* Drop deleted descriptors once no callback is walking the array. */
static void compact(struct loop *l)
{
	int n = 0;

	for (int i = 0; i < l->nfds; i++)
		if (l->fds[i].fd >= 0)
			l->fds[n++] = l->fds[i];
	l->nfds = n;
}

/* Run every due timer once; returns the earliest still armed (or 0). */
static uint64_t run_timers(struct loop *l, uint64_t now)
{
	uint64_t next = 0;

	for (int i = 0; i < l->ntimers && !l->stopped && !cli_stop; i++) {
		struct loop_timer *t = &l->timers[i];

		if (t->at && t->at <= now) {
			t->at = 0;
			t->fn(l, t->data);
		}
	}
	for (int i = 0; i < l->ntimers; i++)
		if (l->timers[i].at && (!next || l->timers[i].at < next))
			next = l->timers[i].at;
	return next;
}

/* The signals that do not end the run: report and re-open requests. */
static void take_flags(struct loop *l)
{
	if (cli_report) {
		cli_report = 0;
		if (l->on_report)
			l->on_report(l, l->report_data);
	}
	if (got_hup) {
		got_hup = 0;
		if (l->on_hup)
			l->on_hup(l, l->hup_data);
	}
}

/* Wait until next (0 = no timer) or the deadline, whichever is first, and
 * dispatch what is ready. Returns false when there was nothing to wait on. */
static bool wait_and_dispatch(struct loop *l, uint64_t now, uint64_t next)
{
	struct pollfd p[LOOP_MAX_FDS + 1];
	struct timespec ts, *tsp = NULL;
	uint64_t until = next;
	int np = 0, n;

	if (l->deadline && (!until || l->deadline < until))
		until = l->deadline;
	for (int i = 0; i < l->nfds; i++) {
		p[np].fd = l->fds[i].events ? l->fds[i].fd : -1;
		p[np].events = (short)(((l->fds[i].events & LOOP_READ) ? POLLIN : 0) |
				       ((l->fds[i].events & LOOP_WRITE) ? POLLOUT : 0));
		np++;
	}
	if (!until && np == 0)
		return false;
	p[np].fd = wake_pipe[0];
	p[np].events = POLLIN;
	if (l->busy) {
		ts.tv_sec = 0, ts.tv_nsec = 0, tsp = &ts;
	} else if (until) {
		uint64_t d = until > now ? until - now : 0;

		ts.tv_sec = (time_t)(d / 1000000000ULL);
		ts.tv_nsec = (long)(d % 1000000000ULL);
		tsp = &ts;
	}
	n = ppoll(p, (nfds_t)np + 1, tsp, NULL);
	if (n <= 0)
		return true; /* a timeout or EINTR: the caller looks again */
	/* Empty the wake-up pipe only when a signal wrote to it: the flags
	 * say what happened, so a read per iteration would be wasted. */
	if (p[np].revents & POLLIN) {
		char buf[64];

		while (read(wake_pipe[0], buf, sizeof(buf)) > 0) {
		}
	}
	for (int i = 0; i < np && !l->stopped && !cli_stop; i++) {
		unsigned ev = 0;

		if (!p[i].revents || l->fds[i].fd < 0)
			continue;
		if (p[i].revents & (POLLIN | POLLHUP))
			ev |= LOOP_READ;
		if (p[i].revents & POLLOUT)
			ev |= LOOP_WRITE;
		if (p[i].revents & (POLLERR | POLLNVAL))
			ev |= LOOP_ERROR;
		l->fds[i].fn(l, l->fds[i].fd, ev, l->fds[i].data);
	}
	return true;
}

enum loop_end loop_run(struct loop *l)
{
	l->stopped = false;
	for (;;) {
		uint64_t now, next;

		take_flags(l);
		if (l->stopped)
			return LOOP_STOPPED;
		if (cli_stop)
			return LOOP_SIGNAL;
		now = cli_now_ns();
		if (l->deadline && now >= l->deadline)
			return LOOP_DEADLINE;
		next = run_timers(l, now);
		if (l->stopped)
			return LOOP_STOPPED;
		if (cli_stop)
			return LOOP_SIGNAL;
		compact(l);
		if (l->before_wait) {
			l->before_wait(l, l->before_wait_data);
			/* The hook may have handed on data that ended the run. */
			if (l->stopped)
				return LOOP_STOPPED;
			if (cli_stop)
				return LOOP_SIGNAL;
		}
		/* The clock again: the timers and the hook took time, and a wait
		 * computed from before them would oversleep by as much. */
		if (!wait_and_dispatch(l, cli_now_ns(), next))
			return LOOP_IDLE;
	}
}
