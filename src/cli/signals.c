/*
 * signals.c - SIGINT and SIGTERM end a run cleanly, SIGQUIT and SIGUSR1
 * ask for a report, SIGPIPE is ignored.
 */
#include "cli/cli.h"

#include <signal.h>
#include <string.h>

volatile sig_atomic_t cli_stop, cli_report;

static void on_signal(int sig)
{
	if (sig == SIGQUIT || sig == SIGUSR1)
		cli_report = 1;
	else
		cli_stop = 1;
}

void cli_signals(bool block, bool report, sigset_t *unblocked)
{
	static const int stops[] = {SIGINT, SIGTERM}, reports[] = {SIGQUIT, SIGUSR1};
	struct sigaction sa;
	sigset_t set;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigemptyset(&set);
	/* No SA_RESTART: a blocking call must return EINTR so we can stop. */
	for (size_t i = 0; i < 2; i++) {
		sigaction(stops[i], &sa, NULL);
		sigaddset(&set, stops[i]);
		if (report) {
			sigaction(reports[i], &sa, NULL);
			sigaddset(&set, reports[i]);
		}
	}
	signal(SIGPIPE, SIG_IGN);
	if (!block)
		return;
	sigprocmask(SIG_BLOCK, &set, unblocked);
	for (size_t i = 0; unblocked && i < 2; i++) {
		sigdelset(unblocked, stops[i]);
		sigdelset(unblocked, reports[i]);
	}
}
