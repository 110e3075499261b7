/*
 * backlog.h: how many connections wait in the listening socket's accept
 * queue (the backlog), and its limit. A queue that grows is the first sign
 * of a saturated pool: it builds before clients see timeouts.
 *
 * TCP: getsockopt(TCP_INFO) on the listening socket, where the kernel keeps
 * the accept queue's length in tcpi_unacked and its limit in tcpi_sacked.
 * Unix sockets: ioctl(SIOCINQ) refuses listening sockets, so the answer
 * comes from sock_diag (NETLINK_SOCK_DIAG, UNIX_DIAG_RQLEN) by the socket's
 * inode; a kernel without unix_diag gives no answer.
 */
#ifndef LUME_BACKLOG_H
#define LUME_BACKLOG_H

/* The queue's length and limit for the listening socket fd: 0, or -1 when
 * the kernel does not tell (then both are -1). */
int lume_backlog_read(int fd, long *length, long *limit);

#endif
