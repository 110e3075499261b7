/* listen.c: opening and closing the listening socket (see listen.h). */
#include "listen.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

static int fail(char *err, size_t errlen, const char *spec, const char *what)
{
    snprintf(err, errlen, "cannot listen on %.300s: %s: %s", spec, what, strerror(errno));
    return -1;
}

int lume_listen_group(const char *group, gid_t *gid)
{
    char buf[4096];
    struct group gr, *found = NULL;
    char *end;
    unsigned long n;

    *gid = (gid_t)-1;
    if (group[0] == '\0')
        return 0;
    if (group[0] >= '0' && group[0] <= '9') {
        errno = 0;
        n = strtoul(group, &end, 10);
        if (*end != '\0' || errno != 0 || n >= (unsigned long)(gid_t)-1)
            return -1;
        *gid = (gid_t)n;
        return 0;
    }
    if (getgrnam_r(group, &gr, buf, sizeof(buf), &found) != 0 || found == NULL)
        return -1;
    *gid = gr.gr_gid;
    return 0;
}

static int open_unix(const char *spec, const char *path, int backlog, int mode, const char *group,
                     char *err, size_t errlen)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    const char *step = NULL;
    gid_t gid;
    int fd;

    if (strlen(path) >= sizeof(sa.sun_path)) {
        errno = ENAMETOOLONG;
        return fail(err, errlen, spec, "path");
    }
    if (lume_listen_group(group, &gid) != 0) {
        snprintf(err, errlen, "cannot listen on %.300s: no group %.64s", spec, group);
        return -1;
    }
    memcpy(sa.sun_path, path, strlen(path) + 1);
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return fail(err, errlen, spec, "socket");
    if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0) {
        close(fd);
        errno = EADDRINUSE;
        return fail(err, errlen, spec, "another process is listening");
    }
    unlink(path); /* stale socket from a previous run */
    if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
        fail(err, errlen, spec, "bind");
        close(fd);
        return -1;
    }
    /* Nobody can connect before listen(): the group and mode are set first. */
    if (gid != (gid_t)-1 && lchown(path, (uid_t)-1, gid) != 0)
        step = "set its group";
    else if (chmod(path, (mode_t)mode) != 0)
        step = "chmod";
    else if (listen(fd, backlog) != 0)
        step = "listen";
    if (step != NULL) {
        fail(err, errlen, spec, step);
        close(fd);
        unlink(path);
        return -1;
    }
    return fd;
}

static int open_tcp(const char *spec, int backlog, char *err, size_t errlen)
{
    char host[256];
    const char *colon = strrchr(spec, ':');
    struct addrinfo hints = {.ai_family = AF_UNSPEC,
                             .ai_socktype = SOCK_STREAM,
                             .ai_flags = AI_PASSIVE | AI_NUMERICSERV};
    struct addrinfo *res, *ai;
    size_t hlen = (size_t)(colon - spec);
    int fd = -1, one = 1, rc;

    if (hlen >= sizeof(host))
        hlen = sizeof(host) - 1;
    memcpy(host, spec, hlen);
    host[hlen] = '\0';
    if (hlen >= 2 && host[0] == '[' && host[hlen - 1] == ']') { /* [::1]:9000 */
        memmove(host, host + 1, hlen - 2);
        host[hlen - 2] = '\0';
    }
    rc = getaddrinfo(strcmp(host, "*") == 0 ? NULL : host, colon + 1, &hints, &res);
    if (rc != 0) {
        snprintf(err, errlen, "cannot listen on %.300s: %s", spec, gai_strerror(rc));
        return -1;
    }
    for (ai = res; ai != NULL; ai = ai->ai_next) {
        fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol);
        if (fd < 0)
            continue;
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
        if (bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 && listen(fd, backlog) == 0)
            break;
        rc = errno;
        close(fd);
        errno = rc;
        fd = -1;
    }
    freeaddrinfo(res);
    if (fd < 0)
        return fail(err, errlen, spec, "bind");
    return fd;
}

int lume_listen_open(const char *spec, int backlog, int mode, const char *group, char *err,
                     size_t errlen)
{
    if (strncmp(spec, "unix:", 5) == 0)
        return open_unix(spec, spec + 5, backlog, mode, group, err, errlen);
    return open_tcp(spec, backlog, err, errlen);
}

void lume_listen_stop(int fd)
{
    if (fd >= 0)
        shutdown(fd, SHUT_RD);
}

int lume_listen_stopped(int fd)
{
    struct pollfd pfd = {.fd = fd, .events = POLLRDHUP};

    return poll(&pfd, 1, 0) == 1 && (pfd.revents & (POLLRDHUP | POLLHUP)) != 0;
}

void lume_listen_close(int fd, const char *spec)
{
    if (fd >= 0)
        close(fd);
    if (spec != NULL && strncmp(spec, "unix:", 5) == 0)
        unlink(spec + 5);
}
