/*
 * test_listen.c: the master's listening socket (listen.h).
 *
 * A unix socket gets its mode (LUME_SOCKET_MODE, 0660 by default) and group
 * (LUME_SOCKET_GROUP, a name or a number; "" keeps the master's) before
 * listen(), so nobody outside that group can ever connect to it: the socket
 * is no way around nginx. A group that does not exist is an error naming it.
 */
#include "lib/unit.h"

#include <errno.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include "listen.h"

static char dir[64], spec[128], err[512];

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof(dir), "/tmp/lume-listen-XXXXXX");
    if (mkdtemp(dir) == NULL)
        return -1;
    snprintf(spec, sizeof(spec), "unix:%s/lume.sock", dir);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    unlink(spec + 5);
    rmdir(dir);
    return 0;
}

static struct stat open_and_stat(int mode, const char *group)
{
    struct stat st;
    int fd;

    err[0] = '\0';
    fd = lume_listen_open(spec, 16, mode, group, err, sizeof(err));
    if (fd < 0)
        fail_msg("%s", err);
    assert_int_equal(stat(spec + 5, &st), 0);
    lume_listen_close(fd, spec);
    return st;
}

static void test_a_unix_socket_gets_its_mode(void **state)
{
    struct stat st;

    (void)state;
    st = open_and_stat(0660, "");
    assert_true(S_ISSOCK(st.st_mode));
    assert_int_equal(st.st_mode & 07777, 0660);
    assert_int_equal(st.st_gid, getegid()); /* "": the master's group */
    st = open_and_stat(0600, "");
    assert_int_equal(st.st_mode & 07777, 0600);
}

static void test_a_unix_socket_gets_its_group_by_number_or_name(void **state)
{
    gid_t gid;
    struct stat st;

    (void)state;
    if (geteuid() != 0)
        skip(); /* only root may give a file a group it is not in */
    st = open_and_stat(0660, "4242");
    assert_int_equal(st.st_gid, 4242);
    assert_int_equal(st.st_mode & 07777, 0660);
    assert_int_equal(lume_listen_group("root", &gid), 0);
    st = open_and_stat(0660, "root");
    assert_int_equal(st.st_gid, gid);
}

static void test_the_socket_is_removed_on_close(void **state)
{
    (void)state;
    open_and_stat(0660, "");
    assert_int_equal(access(spec + 5, F_OK), -1);
}

static void test_an_unknown_group_is_an_error_naming_it(void **state)
{
    (void)state;
    assert_int_equal(lume_listen_open(spec, 16, 0660, "no-such-group-for-lume", err, sizeof(err)),
                     -1);
    assert_non_null(strstr(err, "no-such-group-for-lume"));
    assert_int_equal(access(spec + 5, F_OK), -1); /* nothing left behind */
}

static void test_groups_are_names_or_numbers(void **state)
{
    gid_t gid;

    (void)state;
    assert_int_equal(lume_listen_group("", &gid), 0);
    assert_int_equal(gid, (gid_t)-1);
    assert_int_equal(lume_listen_group("0", &gid), 0);
    assert_int_equal(gid, 0);
    assert_int_equal(lume_listen_group("65534", &gid), 0);
    assert_int_equal(gid, 65534);
    assert_int_equal(lume_listen_group("root", &gid), 0);
    assert_int_equal(gid, 0);
    assert_int_equal(lume_listen_group("4294967295", &gid), -1); /* (gid_t)-1 means "none" */
    assert_int_equal(lume_listen_group("12x", &gid), -1);
    assert_int_equal(lume_listen_group("no-such-group-for-lume", &gid), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_a_unix_socket_gets_its_mode, setup, teardown),
        cmocka_unit_test_setup_teardown(test_a_unix_socket_gets_its_group_by_number_or_name, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_the_socket_is_removed_on_close, setup, teardown),
        cmocka_unit_test_setup_teardown(test_an_unknown_group_is_an_error_naming_it, setup,
                                        teardown),
        cmocka_unit_test(test_groups_are_names_or_numbers),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
