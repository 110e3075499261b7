/*
 * test_backlog.c: the accept queue of a listening socket (backlog.h), for
 * TCP (TCP_INFO) and unix sockets (sock_diag): connections the kernel has
 * completed but nobody accepted yet are counted, and the limit is the
 * listen() backlog. A socket that is not listening has no answer.
 */
#include "lib/unit.h"

#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "backlog.h"

#define QUEUED 3

static int tcp_listener(struct sockaddr_in *addr)
{
    socklen_t len = sizeof(*addr);
    int fd = socket(AF_INET, SOCK_STREAM, 0);

    assert_true(fd >= 0);
    memset(addr, 0, sizeof(*addr));
    addr->sin_family = AF_INET;
    addr->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(bind(fd, (struct sockaddr *)addr, sizeof(*addr)), 0);
    assert_int_equal(listen(fd, 16), 0);
    assert_int_equal(getsockname(fd, (struct sockaddr *)addr, &len), 0);
    return fd;
}

static void test_a_tcp_queue_counts_connections_nobody_accepted(void **state)
{
    struct sockaddr_in addr;
    int fd = tcp_listener(&addr), clients[QUEUED];
    long length, limit;

    (void)state;
    assert_int_equal(lume_backlog_read(fd, &length, &limit), 0);
    assert_int_equal(length, 0);
    assert_int_equal(limit, 16);
    for (int i = 0; i < QUEUED; i++) {
        clients[i] = socket(AF_INET, SOCK_STREAM, 0);
        assert_int_equal(connect(clients[i], (struct sockaddr *)&addr, sizeof(addr)), 0);
    }
    assert_int_equal(lume_backlog_read(fd, &length, &limit), 0);
    assert_int_equal(length, QUEUED);
    for (int i = 0; i < QUEUED; i++)
        close(clients[i]);
    close(fd);
}

static void test_a_unix_queue_counts_connections_nobody_accepted(void **state)
{
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    int fd = socket(AF_UNIX, SOCK_STREAM, 0), clients[QUEUED];
    long length, limit;

    (void)state;
    snprintf(addr.sun_path, sizeof(addr.sun_path), "/tmp/lume-backlog-%d.sock", (int)getpid());
    unlink(addr.sun_path);
    assert_int_equal(bind(fd, (struct sockaddr *)&addr, sizeof(addr)), 0);
    assert_int_equal(listen(fd, 16), 0);
    if (lume_backlog_read(fd, &length, &limit) != 0) { /* a kernel without unix_diag */
        assert_int_equal(length, -1);
        unlink(addr.sun_path);
        close(fd);
        skip();
    }
    assert_int_equal(length, 0);
    assert_int_equal(limit, 16);
    for (int i = 0; i < QUEUED; i++) {
        clients[i] = socket(AF_UNIX, SOCK_STREAM, 0);
        assert_int_equal(connect(clients[i], (struct sockaddr *)&addr, sizeof(addr)), 0);
    }
    assert_int_equal(lume_backlog_read(fd, &length, &limit), 0);
    assert_int_equal(length, QUEUED);
    for (int i = 0; i < QUEUED; i++)
        close(clients[i]);
    unlink(addr.sun_path);
    close(fd);
}

static void test_a_socket_that_is_not_listening_has_no_answer(void **state)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    long length = 7, limit = 7;

    (void)state;
    assert_int_equal(lume_backlog_read(fd, &length, &limit), -1);
    assert_int_equal(length, -1);
    assert_int_equal(limit, -1);
    close(fd);
    assert_int_equal(lume_backlog_read(-1, &length, &limit), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_a_tcp_queue_counts_connections_nobody_accepted),
        cmocka_unit_test(test_a_unix_queue_counts_connections_nobody_accepted),
        cmocka_unit_test(test_a_socket_that_is_not_listening_has_no_answer),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
