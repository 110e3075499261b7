/*
 * listen.h: the master's listening socket, "unix:PATH" or "HOST:PORT".
 *
 * The socket is non-blocking and close-on-exec: workers wait for it with
 * ppoll() and then accept, so several workers can share it without a lock.
 */
#ifndef LUME_LISTEN_H
#define LUME_LISTEN_H

#include <stddef.h>

/* Open and listen. A stale unix socket file (nobody accepting) is replaced; a
 * live one is an error. Returns the fd, or -1 with a message in err. */
int lume_listen_open(const char *spec, int backlog, int mode, char *err, size_t errlen);

/* Close fd and remove the unix socket file, if spec names one. */
void lume_listen_close(int fd, const char *spec);

#endif
