/*
 * test_allow.c: the TCP peers a FastCGI listener admits (allow.h,
 * LUME_FCGI_ALLOWED_ADDRS).
 *
 * A list is "any", or IPv4/IPv6 addresses and CIDR ranges separated by
 * commas (blanks around them allowed). A range admits exactly the addresses
 * under its prefix: tested at its first and last address and one step
 * outside on either side. IPv4 peers never match IPv6 entries and the other
 * way round, except IPv4-mapped IPv6 (::ffff:a.b.c.d), which is IPv4.
 * Anything else in the list is an error naming the entry.
 */
#include "lib/unit.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/un.h>

#include "allow.h"

static char err[256];

static lume_allow *create(const char *list)
{
    lume_allow *a;

    err[0] = '\0';
    a = lume_allow_create(list, err, sizeof(err));
    if (a == NULL)
        fail_msg("\"%s\" should parse: %s", list, err);
    return a;
}

static void assert_refused_list(const char *list, const char *named)
{
    err[0] = '\0';
    if (lume_allow_create(list, err, sizeof(err)) != NULL)
        fail_msg("\"%s\" should be refused", list);
    if (strstr(err, named) == NULL)
        fail_msg("the message should name \"%s\": %s", named, err);
    assert_null(strchr(err, '\n'));
}

/* Does the list admit the peer with this textual address? */
static int admits(const lume_allow *a, const char *addr)
{
    struct sockaddr_in in = {.sin_family = AF_INET, .sin_port = htons(40000)};
    struct sockaddr_in6 in6 = {.sin6_family = AF_INET6, .sin6_port = htons(40000)};

    if (inet_pton(AF_INET, addr, &in.sin_addr) == 1)
        return lume_allow_match(a, (struct sockaddr *)&in, sizeof(in));
    if (inet_pton(AF_INET6, addr, &in6.sin6_addr) == 1)
        return lume_allow_match(a, (struct sockaddr *)&in6, sizeof(in6));
    fail_msg("bad test address %s", addr);
    return 0;
}

static void assert_admits(const char *list, const char *addr)
{
    lume_allow *a = create(list);

    if (!admits(a, addr))
        fail_msg("\"%s\" should admit %s", list, addr);
    lume_allow_destroy(a);
}

static void assert_refuses(const char *list, const char *addr)
{
    lume_allow *a = create(list);

    if (admits(a, addr))
        fail_msg("\"%s\" should refuse %s", list, addr);
    lume_allow_destroy(a);
}

/* ---- single addresses ---- */

static void test_an_ipv4_address_admits_itself_only(void **state)
{
    (void)state;
    assert_admits("127.0.0.1", "127.0.0.1");
    assert_refuses("127.0.0.1", "127.0.0.2");
    assert_refuses("127.0.0.1", "127.0.0.0");
    assert_refuses("127.0.0.1", "128.0.0.1");
}

static void test_an_ipv6_address_admits_itself_only(void **state)
{
    (void)state;
    assert_admits("::1", "::1");
    assert_admits("::1", "0:0:0:0:0:0:0:1");
    assert_refuses("::1", "::2");
    assert_admits("2001:db8::17", "2001:db8:0::17");
    assert_refuses("2001:db8::17", "2001:db8::16");
}

static void test_every_entry_of_a_list_counts(void **state)
{
    (void)state;
    assert_admits("127.0.0.1,::1,10.0.0.7", "127.0.0.1");
    assert_admits("127.0.0.1,::1,10.0.0.7", "::1");
    assert_admits("127.0.0.1,::1,10.0.0.7", "10.0.0.7");
    assert_refuses("127.0.0.1,::1,10.0.0.7", "10.0.0.8");
}

static void test_blanks_around_entries_are_allowed(void **state)
{
    (void)state;
    assert_admits(" 127.0.0.1 ,\t::1 ", "127.0.0.1");
    assert_admits(" 127.0.0.1 ,\t::1 ", "::1");
}

/* ---- CIDR ranges ---- */

static void test_an_ipv4_range_admits_from_its_first_to_its_last_address(void **state)
{
    (void)state;
    assert_refuses("172.28.0.0/16", "172.27.255.255");
    assert_admits("172.28.0.0/16", "172.28.0.0");
    assert_admits("172.28.0.0/16", "172.28.13.7");
    assert_admits("172.28.0.0/16", "172.28.255.255");
    assert_refuses("172.28.0.0/16", "172.29.0.0");
}

static void test_prefixes_that_do_not_end_on_a_byte_boundary(void **state)
{
    (void)state;
    assert_refuses("10.0.0.8/29", "10.0.0.7");
    assert_admits("10.0.0.8/29", "10.0.0.8");
    assert_admits("10.0.0.8/29", "10.0.0.15");
    assert_refuses("10.0.0.8/29", "10.0.0.16");
    assert_refuses("127.0.0.0/30", "127.0.0.4");
    assert_admits("127.0.0.0/30", "127.0.0.3");
}

static void test_an_ipv6_range_admits_from_its_first_to_its_last_address(void **state)
{
    (void)state;
    assert_refuses("fd00:1::/33", "fd00:0:ffff:ffff:ffff:ffff:ffff:ffff");
    assert_admits("fd00:1::/33", "fd00:1::");
    assert_admits("fd00:1::/33", "fd00:1:7fff:ffff:ffff:ffff:ffff:ffff");
    assert_refuses("fd00:1::/33", "fd00:1:8000::");
}

static void test_prefix_0_admits_its_whole_family_and_the_full_length_one_address(void **state)
{
    (void)state;
    assert_admits("0.0.0.0/0", "203.0.113.9");
    assert_refuses("0.0.0.0/0", "::1");
    assert_admits("::/0", "2001:db8::1");
    assert_refuses("::/0", "203.0.113.9");
    assert_admits("10.1.2.3/32", "10.1.2.3");
    assert_refuses("10.1.2.3/32", "10.1.2.4");
    assert_admits("::1/128", "::1");
    assert_refuses("::1/128", "::2");
}

static void test_host_bits_below_the_prefix_are_ignored(void **state)
{
    (void)state;
    assert_admits("10.1.2.3/8", "10.200.0.1");
    assert_refuses("10.1.2.3/8", "11.0.0.0");
}

/* ---- families ---- */

static void test_ipv4_and_ipv6_entries_never_admit_the_other_family(void **state)
{
    (void)state;
    assert_refuses("127.0.0.1", "::1");
    assert_refuses("::1", "127.0.0.1");
    assert_refuses("::/0", "127.0.0.1");
}

static void test_an_ipv4_mapped_peer_is_its_ipv4_address(void **state)
{
    (void)state;
    /* what a dual-stack listener ([::]:9000) reports for an IPv4 client */
    assert_admits("127.0.0.1", "::ffff:127.0.0.1");
    assert_refuses("127.0.0.1", "::ffff:127.0.0.2");
    assert_admits("172.28.0.0/16", "::ffff:172.28.4.4");
}

static void test_an_ipv4_mapped_entry_is_its_ipv4_address(void **state)
{
    (void)state;
    assert_admits("::ffff:127.0.0.1", "127.0.0.1");
    assert_admits("::ffff:10.0.0.0/104", "10.9.9.9");
    assert_refuses("::ffff:10.0.0.0/104", "11.0.0.0");
}

static void test_a_unix_peer_is_not_an_address_of_the_list(void **state)
{
    struct sockaddr_un un = {.sun_family = AF_UNIX};
    lume_allow *a = create("any");

    (void)state;
    assert_false(lume_allow_match(a, (struct sockaddr *)&un, sizeof(un)));
    lume_allow_destroy(a);
}

static void test_a_truncated_address_matches_nothing(void **state)
{
    struct sockaddr_in in = {.sin_family = AF_INET};
    lume_allow *a = create("0.0.0.0/0");

    (void)state;
    assert_false(lume_allow_match(a, (struct sockaddr *)&in, sizeof(in) - 1));
    lume_allow_destroy(a);
}

/* ---- any ---- */

static void test_any_admits_every_address_of_both_families(void **state)
{
    (void)state;
    assert_admits("any", "203.0.113.9");
    assert_admits("any", "127.0.0.2");
    assert_admits("any", "2001:db8::1");
    assert_admits(" any ", "::1");
}

/* ---- bad lists ---- */

static void test_a_bad_entry_is_refused_and_named(void **state)
{
    (void)state;
    assert_refused_list("localhost", "localhost");
    assert_refused_list("127.0.0.1,foo", "foo");
    assert_refused_list("127.0.0", "127.0.0");
    assert_refused_list("127.0.0.256", "127.0.0.256");
    assert_refused_list("1.2.3.4:9000", "1.2.3.4:9000");
    assert_refused_list("[::1]", "[::1]");
    assert_refused_list("::1::2", "::1::2");
    assert_refused_list("ANY", "ANY");
    assert_refused_list("any,127.0.0.1", "any");
    assert_refused_list("127.0.0.1 10.0.0.1", "127.0.0.1 10.0.0.1");
}

static void test_a_bad_prefix_is_refused(void **state)
{
    (void)state;
    assert_refused_list("10.0.0.0/33", "10.0.0.0/33");
    assert_refused_list("::/129", "::/129");
    assert_refused_list("10.0.0.0/", "10.0.0.0/");
    assert_refused_list("/8", "/8");
    assert_refused_list("10.0.0.0/-1", "10.0.0.0/-1");
    assert_refused_list("10.0.0.0/+8", "10.0.0.0/+8");
    assert_refused_list("10.0.0.0/8/8", "10.0.0.0/8/8");
    assert_refused_list("10.0.0.0/ 8", "10.0.0.0/ 8");
    assert_refused_list("10.0.0.0/0x8", "10.0.0.0/0x8");
}

static void test_empty_lists_and_empty_entries_are_refused(void **state)
{
    (void)state;
    assert_refused_list("", "empty");
    assert_refused_list("  ", "empty");
    assert_refused_list("127.0.0.1,", "empty");
    assert_refused_list(",127.0.0.1", "empty");
    assert_refused_list("127.0.0.1,,::1", "empty");
    assert_refused_list("127.0.0.1, ,::1", "empty");
}

static void test_the_message_shows_control_characters_of_an_entry_as_question_marks(void **state)
{
    (void)state;
    /* the message is one line: LUME_FCGI_ALLOWED_ADDRS may come from the
     * environment, where a value can hold a newline */
    assert_refused_list("\n", "\"?\"");
    assert_refused_list("127.0.0.1\r\n", "127.0.0.1??");
    assert_refused_list("::1, 10.0.0.1\x1b[2J\x7f", "10.0.0.1?[2J?");
    for (const char *e = err; *e != '\0'; e++)
        assert_true((unsigned char)*e >= 0x20 && *e != 0x7F);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_an_ipv4_address_admits_itself_only),
        cmocka_unit_test(test_an_ipv6_address_admits_itself_only),
        cmocka_unit_test(test_every_entry_of_a_list_counts),
        cmocka_unit_test(test_blanks_around_entries_are_allowed),
        cmocka_unit_test(test_an_ipv4_range_admits_from_its_first_to_its_last_address),
        cmocka_unit_test(test_prefixes_that_do_not_end_on_a_byte_boundary),
        cmocka_unit_test(test_an_ipv6_range_admits_from_its_first_to_its_last_address),
        cmocka_unit_test(test_prefix_0_admits_its_whole_family_and_the_full_length_one_address),
        cmocka_unit_test(test_host_bits_below_the_prefix_are_ignored),
        cmocka_unit_test(test_ipv4_and_ipv6_entries_never_admit_the_other_family),
        cmocka_unit_test(test_an_ipv4_mapped_peer_is_its_ipv4_address),
        cmocka_unit_test(test_an_ipv4_mapped_entry_is_its_ipv4_address),
        cmocka_unit_test(test_a_unix_peer_is_not_an_address_of_the_list),
        cmocka_unit_test(test_a_truncated_address_matches_nothing),
        cmocka_unit_test(test_any_admits_every_address_of_both_families),
        cmocka_unit_test(test_a_bad_entry_is_refused_and_named),
        cmocka_unit_test(test_a_bad_prefix_is_refused),
        cmocka_unit_test(test_empty_lists_and_empty_entries_are_refused),
        cmocka_unit_test(test_the_message_shows_control_characters_of_an_entry_as_question_marks),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
