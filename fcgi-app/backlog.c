/* backlog.c: the listening socket's accept queue (see backlog.h). */
#include "backlog.h"

#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>
#include <linux/unix_diag.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#define TCP_LISTEN_STATE 10 /* TCP_LISTEN in the kernel's state numbers */

static int tcp_backlog(int fd, long *length, long *limit)
{
    struct tcp_info ti;
    socklen_t len = sizeof(ti);

    memset(&ti, 0, sizeof(ti));
    if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len) != 0 || ti.tcpi_state != TCP_LISTEN_STATE)
        return -1;
    *length = (long)ti.tcpi_unacked;
    *limit = (long)ti.tcpi_sacked;
    return 0;
}

/* Ask sock_diag about the unix socket with inode ino. */
static int unix_backlog(int fd, long *length, long *limit)
{
    struct {
        struct nlmsghdr nh;
        struct unix_diag_req req;
    } ask;
    union {
        struct nlmsghdr nh;
        char buf[1024];
    } answer;
    struct sockaddr_nl kernel = {.nl_family = AF_NETLINK};
    struct timeval tv = {0, 100000}; /* the kernel answers at once; never hang a scrape */
    struct stat st;
    ssize_t n;
    int nl, found = -1;

    if (fstat(fd, &st) != 0)
        return -1;
    memset(&ask, 0, sizeof(ask));
    ask.nh.nlmsg_len = sizeof(ask);
    ask.nh.nlmsg_type = SOCK_DIAG_BY_FAMILY;
    ask.nh.nlmsg_flags = NLM_F_REQUEST;
    ask.req.sdiag_family = AF_UNIX;
    ask.req.udiag_states = 1u << TCP_LISTEN_STATE;
    ask.req.udiag_ino = (unsigned)st.st_ino;
    ask.req.udiag_show = UDIAG_SHOW_RQLEN;
    ask.req.udiag_cookie[0] = ask.req.udiag_cookie[1] = ~0u; /* INET_DIAG_NOCOOKIE */

    nl = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
    if (nl < 0)
        return -1;
    setsockopt(nl, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    if (sendto(nl, &ask, sizeof(ask), 0, (struct sockaddr *)&kernel, sizeof(kernel)) ==
            (ssize_t)sizeof(ask) &&
        (n = recv(nl, &answer, sizeof(answer), 0)) > 0) {
        for (struct nlmsghdr *h = &answer.nh; NLMSG_OK(h, (unsigned)n); h = NLMSG_NEXT(h, n)) {
            struct unix_diag_msg *msg = NLMSG_DATA(h);
            struct rtattr *a;
            int left;

            if (h->nlmsg_type != SOCK_DIAG_BY_FAMILY || msg->udiag_ino != st.st_ino)
                break;
            left = (int)(h->nlmsg_len - NLMSG_LENGTH(sizeof(*msg)));
            for (a = (struct rtattr *)(msg + 1); RTA_OK(a, left); a = RTA_NEXT(a, left)) {
                if (a->rta_type == UNIX_DIAG_RQLEN &&
                    RTA_PAYLOAD(a) >= (int)sizeof(struct unix_diag_rqlen)) {
                    struct unix_diag_rqlen *q = RTA_DATA(a);
                    *length = (long)q->udiag_rqueue;
                    *limit = (long)q->udiag_wqueue;
                    found = 0;
                }
            }
            break;
        }
    }
    close(nl);
    return found;
}

int lume_backlog_read(int fd, long *length, long *limit)
{
    struct sockaddr_storage sa;
    socklen_t len = sizeof(sa);

    *length = *limit = -1;
    if (getsockname(fd, (struct sockaddr *)&sa, &len) != 0)
        return -1;
    if (sa.ss_family == AF_INET || sa.ss_family == AF_INET6) {
        if (tcp_backlog(fd, length, limit) == 0)
            return 0;
    } else if (sa.ss_family == AF_UNIX) {
        if (unix_backlog(fd, length, limit) == 0)
            return 0;
    }
    *length = *limit = -1;
    return -1;
}
