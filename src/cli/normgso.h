/*
 * normgso.h - the NORM sender's datagrams in trains through UDP GSO
 * (normgso.c), for the sockets normcount.c watches.
 */
#ifndef MCAST_CLI_NORMGSO_H
#define MCAST_CLI_NORMGSO_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

/* Batch the watched sockets' datagrams from now on (on), or send what is
 * held and stop (off: before libnorm's sockets close). */
void mcast__normgso_enable(bool on);
/*
 * Take a datagram libnorm sends with sendto() on a watched socket into the
 * current train. Returns true when taken (it is sent with the train, its
 * length counts as sent), false when the caller sends it itself (batching
 * off or failed, flags, no address, too large, or a thread that does not
 * wait in epoll_wait()); the train held is sent first then.
 */
bool mcast__normgso_send(int fd, const void *buf, size_t len, int flags,
			 const struct sockaddr *to, socklen_t tolen);
/* Send the train held, if any. Called before libnorm's thread waits, and
 * before a datagram is sent on a watched socket some other way. */
void mcast__normgso_flush(void);

#endif
