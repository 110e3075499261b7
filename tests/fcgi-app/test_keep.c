/*
 * test_keep.c: the connections a worker keeps (keep.h), over socket pairs.
 *
 * A kept connection is waited on with the listener and handed out when it is
 * readable (then it is in hand, until it is put back or forgotten); at most
 * max are kept, the least recently used idle one closed for one more; a
 * release closes every idle one but never the one in hand, and an event of
 * the last wait for a connection closed since is void; connections idle too
 * long expire; max 0, or a stopped set, keeps nothing.
 */
#include "lib/unit.h"

#include <errno.h>
#include <sys/socket.h>
#include <unistd.h>

#include "keep.h"

#define PAIRS 4

typedef struct fixture {
    int listen[2]; /* [0] plays the listener; writing to [1] makes it readable */
    int conn[PAIRS][2];
} fixture;

static void open_all(fixture *f)
{
    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, f->listen), 0);
    for (int i = 0; i < PAIRS; i++)
        assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, f->conn[i]), 0);
}

static void close_peers(fixture *f)
{
    close(f->listen[0]);
    close(f->listen[1]);
    for (int i = 0; i < PAIRS; i++)
        close(f->conn[i][1]);
}

/* Open the pairs and a set of at most max on the listener end. */
static lume_keep *start(fixture *f, int max)
{
    lume_keep *k;

    open_all(f);
    k = lume_keep_create(f->listen[0], max);
    assert_non_null(k);
    return k;
}

/* Destroy k, close the worker's ends of pairs first..PAIRS-1 (those k never
 * held, or gave back), and every peer end. */
static void done(fixture *f, lume_keep *k, int first)
{
    lume_keep_destroy(k);
    for (int i = first; i < PAIRS; i++)
        close(f->conn[i][0]);
    close_peers(f);
}

/* Has the worker's end of pair i been closed (EOF at the peer, or a reset:
 * closed with the peer's bytes unread)? */
static int closed(const fixture *f, int i)
{
    char c;
    ssize_t n = recv(f->conn[i][1], &c, 1, MSG_DONTWAIT);

    return n == 0 || (n < 0 && errno == ECONNRESET);
}

static void test_a_kept_connection_is_handed_out_when_readable(void **state)
{
    fixture f;
    lume_keep *k;

    (void)state;
    k = start(&f, 4);
    assert_int_equal(lume_keep_put(k, f.conn[0][0], 1), 0);
    assert_int_equal(lume_keep_put(k, f.conn[1][0], 2), 0);
    assert_int_equal(lume_keep_count(k), 2);
    assert_int_equal(lume_keep_wait(k, 0, NULL), 0);
    assert_int_equal(write(f.conn[1][1], "x", 1), 1);
    assert_int_equal(lume_keep_wait(k, 1000, NULL), 1);
    assert_int_equal(lume_keep_next(k), f.conn[1][0]);
    assert_int_equal(lume_keep_next(k), -1);
    /* In hand: a release leaves it, and closes the idle one. */
    assert_int_equal(lume_keep_release(k), 1);
    assert_true(closed(&f, 0));
    assert_false(closed(&f, 1));
    assert_int_equal(lume_keep_count(k), 1);
    /* Back from hand: kept again. */
    assert_int_equal(lume_keep_put(k, f.conn[1][0], 3), 0);
    assert_int_equal(lume_keep_count(k), 1);
    lume_keep_destroy(k);
    assert_true(closed(&f, 1));
    for (int i = 2; i < PAIRS; i++)
        close(f.conn[i][0]);
    close_peers(&f);
}

static void test_the_listener_is_handed_out_too(void **state)
{
    fixture f;
    lume_keep *k;

    (void)state;
    k = start(&f, 2);
    assert_int_equal(write(f.listen[1], "x", 1), 1);
    assert_int_equal(lume_keep_wait(k, 1000, NULL), 1);
    assert_int_equal(lume_keep_next(k), f.listen[0]);
    done(&f, k, 0);
}

static void test_one_more_than_max_closes_the_least_recently_used(void **state)
{
    fixture f;
    lume_keep *k;

    (void)state;
    k = start(&f, 3);
    for (int i = 0; i < 3; i++)
        assert_int_equal(lume_keep_put(k, f.conn[i][0], 10), 0);
    /* conn 0 serves again: conn 1 is now the least recently used, though
     * all went idle in the same millisecond. */
    assert_int_equal(write(f.conn[0][1], "x", 1), 1);
    assert_int_equal(lume_keep_wait(k, 1000, NULL), 1);
    assert_int_equal(lume_keep_next(k), f.conn[0][0]);
    assert_int_equal(lume_keep_put(k, f.conn[0][0], 10), 0);
    assert_int_equal(lume_keep_put(k, f.conn[3][0], 10), 0);
    assert_int_equal(lume_keep_count(k), 3);
    assert_true(closed(&f, 1));
    assert_false(closed(&f, 2));
    assert_false(closed(&f, 3));
    lume_keep_destroy(k);
    close_peers(&f);
}

static void test_an_event_of_a_connection_closed_since_the_wait_is_void(void **state)
{
    fixture f;
    lume_keep *k;
    int first;

    (void)state;
    k = start(&f, 4);
    assert_int_equal(lume_keep_put(k, f.conn[0][0], 1), 0);
    assert_int_equal(lume_keep_put(k, f.conn[1][0], 1), 0);
    assert_int_equal(write(f.conn[0][1], "x", 1), 1);
    assert_int_equal(write(f.conn[1][1], "x", 1), 1);
    assert_int_equal(lume_keep_wait(k, 1000, NULL), 2);
    first = lume_keep_next(k);
    assert_true(first == f.conn[0][0] || first == f.conn[1][0]);
    /* The worker is about to wait in the request: the other one goes,
     * request and all, and is not handed out. */
    assert_int_equal(lume_keep_release(k), 1);
    assert_int_equal(lume_keep_next(k), -1);
    lume_keep_forget(k, first);
    close(first);
    assert_int_equal(lume_keep_count(k), 0);
    done(&f, k, 2);
}

static void test_connections_idle_too_long_expire(void **state)
{
    fixture f;
    lume_keep *k;

    (void)state;
    k = start(&f, 4);
    assert_int_equal(lume_keep_put(k, f.conn[0][0], 1000), 0);
    assert_int_equal(lume_keep_put(k, f.conn[1][0], 5000), 0);
    assert_int_equal(lume_keep_expire(k, 6000, 4000), 1);
    assert_true(closed(&f, 0));
    assert_false(closed(&f, 1));
    assert_int_equal(lume_keep_count(k), 1);
    done(&f, k, 2);
}

static void test_max_0_or_a_stop_keeps_nothing(void **state)
{
    fixture f;
    lume_keep *k;

    (void)state;
    k = start(&f, 0);
    assert_int_equal(lume_keep_put(k, f.conn[0][0], 1), -1);
    lume_keep_destroy(k);
    k = lume_keep_create(f.listen[0], 4);
    assert_int_equal(lume_keep_put(k, f.conn[1][0], 1), 0);
    assert_int_equal(write(f.conn[1][1], "x", 1), 1);
    assert_int_equal(lume_keep_wait(k, 1000, NULL), 1);
    assert_int_equal(lume_keep_next(k), f.conn[1][0]);
    lume_keep_stop(k);
    assert_int_equal(lume_keep_put(k, f.conn[1][0], 2), -1); /* the caller closes it */
    assert_int_equal(lume_keep_put(k, f.conn[2][0], 2), -1);
    assert_int_equal(lume_keep_count(k), 0);
    done(&f, k, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_a_kept_connection_is_handed_out_when_readable),
        cmocka_unit_test(test_the_listener_is_handed_out_too),
        cmocka_unit_test(test_one_more_than_max_closes_the_least_recently_used),
        cmocka_unit_test(test_an_event_of_a_connection_closed_since_the_wait_is_void),
        cmocka_unit_test(test_connections_idle_too_long_expire),
        cmocka_unit_test(test_max_0_or_a_stop_keeps_nothing),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
