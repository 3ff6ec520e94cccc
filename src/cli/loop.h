/*
 * loop.h - the one event loop every subcommand runs on (after redis ae.c):
 * file descriptors with callbacks, one-shot timers, an optional deadline
 * that ends the run, and the signals that stop it or ask for a report.
 *
 * A descriptor owned by another library (libnorm's NormGetDescriptor(),
 * libmosquitto's mosquitto_socket()) is one more file event: its owner
 * changes what it waits for with loop_fd_events() (e.g. after
 * mosquitto_want_write()) from a before-wait hook, and keeps its periodic
 * work ("misc") on a timer.
 *
 * Signals are never blocked: SIGINT/SIGTERM set a flag and wake the loop
 * through a pipe, so a loop with no wait at all (an interval of 0) still
 * stops after the datagram in hand, and a blocked send returns EINTR.
 */
#ifndef MCAST_CLI_LOOP_H
#define MCAST_CLI_LOOP_H

#include <stdbool.h>
#include <stdint.h>

/* What a file event waits for and what it got (poll(2) bits). */
enum { LOOP_READ = 1, LOOP_WRITE = 2, LOOP_ERROR = 4 };

#define LOOP_MAX_FDS 16
#define LOOP_MAX_TIMERS 16

struct loop;
/* A descriptor is ready: events has LOOP_READ/LOOP_WRITE/LOOP_ERROR. */
typedef void (*loop_fd_fn)(struct loop *l, int fd, unsigned events, void *data);
/* A timer is due; it is disarmed first, so the callback may re-arm it. */
typedef void (*loop_timer_fn)(struct loop *l, void *data);
/* Called before each wait (and each spin with busy polling); it may hand
 * on data and call loop_stop(), and the loop then ends without waiting. */
typedef void (*loop_hook_fn)(struct loop *l, void *data);

/* Why loop_run() returned. */
enum loop_end {
	LOOP_STOPPED,  /* a callback called loop_stop() */
	LOOP_SIGNAL,   /* SIGINT or SIGTERM */
	LOOP_DEADLINE, /* the deadline passed */
	LOOP_IDLE,     /* nothing left to wait for: no descriptor, no timer */
};

struct loop_fd {
	int fd;
	unsigned events;
	loop_fd_fn fn;
	void *data;
};

struct loop_timer {
	uint64_t at; /* monotonic ns; 0 = disarmed */
	loop_timer_fn fn;
	void *data;
};

struct loop {
	struct loop_fd fds[LOOP_MAX_FDS];
	int nfds;
	struct loop_timer timers[LOOP_MAX_TIMERS];
	int ntimers;
	uint64_t deadline; /* monotonic ns; 0 = none */
	loop_hook_fn before_wait;
	void *before_wait_data;
	loop_hook_fn on_report; /* SIGQUIT, SIGUSR1 */
	void *report_data;
	loop_hook_fn on_hup; /* SIGHUP */
	void *hup_data;
	bool busy;     /* spin instead of sleeping (ping --busy-poll) */
	bool stopped;  /* loop_stop() was called */
	int rc;        /* what loop_stop() was given */
};

/*
 * Prepare an empty loop and install the signal handlers (SIGINT, SIGTERM,
 * SIGQUIT, SIGUSR1, SIGHUP; SIGPIPE ignored, so a closed output shows as
 * EPIPE). Returns 0, or -errno when the wake-up pipe cannot be made.
 */
int loop_init(struct loop *l);
/* Forget every event; the signal handlers stay (they only set flags). */
void loop_free(struct loop *l);

/* Watch fd for events (LOOP_READ and/or LOOP_WRITE). Returns 0 or -ENOSPC. */
int loop_fd_add(struct loop *l, int fd, unsigned events, loop_fd_fn fn, void *data);
/* Change what fd waits for (0 = nothing for now). */
void loop_fd_events(struct loop *l, int fd, unsigned events);
/* Stop watching fd (safe from inside a callback). */
void loop_fd_del(struct loop *l, int fd);

/* A new timer, disarmed. Returns its id (>= 0) or -ENOSPC. */
int loop_timer_new(struct loop *l, loop_timer_fn fn, void *data);
/* Arm timer id for monotonic time at_ns (0 disarms). */
void loop_timer_at(struct loop *l, int id, uint64_t at_ns);
/* When timer id is due (0 = disarmed). */
uint64_t loop_timer_due(const struct loop *l, int id);

/* End the run at monotonic time at_ns (0 = no deadline). */
void loop_deadline(struct loop *l, uint64_t at_ns);
/* End the run after the current callback; loop_run() returns LOOP_STOPPED
 * and l->rc holds rc. */
void loop_stop(struct loop *l, int rc);

/* Dispatch events until stopped, signalled, the deadline, or idle. */
enum loop_end loop_run(struct loop *l);

/* Whether SIGINT or SIGTERM has arrived (for work outside loop_run()). */
bool loop_signalled(void);

#endif
