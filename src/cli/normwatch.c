/*
 * normwatch.c - give up on a libnorm that holds its lock for good (see
 * normwatch.h).
 */
#include "cli/cli.h"
#include "cli/normwatch.h"

#include <time.h>
#include <unistd.h>

/* How often the watch looks. */
#define WATCH_TICK_NS 100000000L

static void *watch(void *arg)
{
	struct norm_watch *w = arg;
	struct timespec tick = {0, WATCH_TICK_NS};

	while (!atomic_load(&w->quit)) {
		uint64_t in = atomic_load(&w->inside), now, limit;

		nanosleep(&tick, NULL);
		if (!in || in != atomic_load(&w->inside))
			continue;
		now = cli_now_ns();
		if (__atomic_load_n(&cli_stop, __ATOMIC_RELAXED))
			limit = w->signal_ns;
		else if (w->idle_ns)
			limit = w->idle_ns > w->idle_min_ns ? w->idle_ns : w->idle_min_ns;
		else
			continue;
		if (now - in < limit)
			continue;
		cli_err("libnorm has kept mcast waiting %.1f s for its lock (a flood of "
			"NORM-shaped datagrams can do that): giving up", (double)(now - in) / 1e9);
		if (w->give_up)
			w->give_up(w->arg);
		fflush(stdout);
		_exit(EXIT_FAIL);
	}
	return NULL;
}

int mcast__norm_watch_start(struct norm_watch *w, uint64_t idle_ns)
{
	atomic_store(&w->inside, 0);
	atomic_store(&w->quit, false);
	w->idle_ns = idle_ns;
	if (!w->signal_ns)
		w->signal_ns = WATCH_SIGNAL_NS;
	if (!w->idle_min_ns)
		w->idle_min_ns = WATCH_IDLE_MIN_NS;
	w->running = pthread_create(&w->thread, NULL, watch, w) == 0;
	return w->running ? 0 : -1;
}

void mcast__norm_watch_enter(struct norm_watch *w)
{
	atomic_store(&w->inside, cli_now_ns());
}

void mcast__norm_watch_leave(struct norm_watch *w)
{
	atomic_store(&w->inside, 0);
}

void mcast__norm_watch_stop(struct norm_watch *w)
{
	if (!w->running)
		return;
	atomic_store(&w->quit, true);
	pthread_join(w->thread, NULL);
	w->running = false;
}
