/*
 * listen.h: the master's listening socket, "unix:PATH" or "HOST:PORT".
 *
 * The socket is non-blocking and close-on-exec: workers wait for it with
 * ppoll() and then accept, so several workers can share it without a lock.
 */
#ifndef LUME_LISTEN_H
#define LUME_LISTEN_H

#include <stddef.h>
#include <sys/types.h>

/* Open and listen. A unix socket gets the permissions mode and the group
 * group (a name or a number; "" leaves the master's) before anyone can
 * connect. A stale unix socket file (nobody accepting) is replaced; a live
 * one is an error. Returns the fd, or -1 with a message in err. */
int lume_listen_open(const char *spec, int backlog, int mode, const char *group, char *err,
                     size_t errlen);

/* The group id of group, a name or a number; (gid_t)-1 for "". Returns 0, or
 * -1 when no such group exists. */
int lume_listen_group(const char *group, gid_t *gid);

/* Take no more connections on the listening socket fd, for every process
 * that holds it: a connect is refused from now on. On a unix socket the
 * connections already queued can still be accepted (until accept says
 * EAGAIN) and the listener then polls readable with POLLRDHUP; a TCP
 * listener resets its queue, and accept fails with EINVAL. */
void lume_listen_stop(int fd);

/* Is fd a listening socket that lume_listen_stop() stopped? Does not wait. */
int lume_listen_stopped(int fd);

/* Close fd and remove the unix socket file, if spec names one. */
void lume_listen_close(int fd, const char *spec);

#endif
