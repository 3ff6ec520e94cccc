#ifndef MCAST_CLI_NORMWATCH_H
#define MCAST_CLI_NORMWATCH_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

/* How long the main thread may stay inside libnorm after a signal, and at
 * least beyond -w, before the watch gives up. */
#define WATCH_SIGNAL_NS 5000000000ULL
#define WATCH_IDLE_MIN_NS 5000000000ULL

/*
 * The way out when libnorm will not let go. Every libnorm call takes the
 * lock of libnorm's own thread, and garbage shaped like NORM (random
 * sender ids, tests/net/t_norm_hostile.sh) can make that thread spin in
 * its timers for good with the lock held: a receiver measured so sat in
 * NormGetNextEvent() for ten minutes after the flood had ended, deaf to
 * SIGTERM and to -w. The watch is a thread of mcast's own. The main thread
 * marks when it goes into libnorm and when it comes out; when it has been
 * inside for WATCH_SIGNAL_NS after SIGINT/SIGTERM, or for -w (at least
 * WATCH_IDLE_MIN_NS), the watch says so on stderr, runs the owner's
 * clean-up (temporary files) and ends the process with exit code 1.
 */
struct norm_watch {
	pthread_t thread;
	bool running;
	_Atomic uint64_t inside; /* when the main thread went in; 0: it is out */
	_Atomic bool quit;
	uint64_t idle_ns;	 /* -w; 0: only signals count */
	uint64_t signal_ns, idle_min_ns; /* WATCH_SIGNAL_NS, WATCH_IDLE_MIN_NS */
	void (*give_up)(void *arg); /* the owner's clean-up, or NULL */
	void *arg;
};

/* Start watching (idle_ns: the receiver's -w, or 0); a limit left 0 in w
 * takes its default above. Returns 0, or -1 when no thread could be
 * started (then nothing is watched). */
int mcast__norm_watch_start(struct norm_watch *w, uint64_t idle_ns);
/* The main thread goes into libnorm, or comes out. */
void mcast__norm_watch_enter(struct norm_watch *w);
void mcast__norm_watch_leave(struct norm_watch *w);
/* Stop the watch and wait for its thread. */
void mcast__norm_watch_stop(struct norm_watch *w);

#endif
