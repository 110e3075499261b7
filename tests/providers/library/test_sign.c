/*
 * test_sign.c: the library's signed links (providers/library/sign.c).
 *
 *  - MD5 gives RFC 1321's digests (and one across many blocks).
 *  - A token is nginx's secure_link_md5 of "<expires><uri> <secret>" in
 *    base64url without padding: known vectors made with
 *      printf '%s' '<expires><uri> <secret>' | openssl md5 -binary |
 *      openssl base64 | tr +/ -_ | tr -d =
 *  - A link is <public_url>/<root>/<path percent-encoded>?md5=..&expires=..,
 *    its token over the decoded path under the public URL's path (what nginx
 *    has in $uri); a trailing '/' of the public URL changes nothing.
 *  - Every byte but the unreserved ones and '/' is escaped (spaces, '%',
 *    '?', '#', UTF-8, control bytes), and the link decodes back to the path.
 *  - Refused: a public URL that is not http(s) with a host, an absolute or
 *    empty path, "." and ".." segments, empty segments, an overlong link.
 */
#include "lib/unit.h"

#include "library/sign.h"
#include "percent.h"

static void hex(const unsigned char d[16], char out[33])
{
    for (int i = 0; i < 16; i++)
        snprintf(out + 2 * i, 3, "%02x", d[i]);
}

static void test_md5_gives_the_rfc_digests(void **state)
{
    unsigned char d[16];
    char h[33], *a = malloc(1000);

    (void)state;
    lume_md5("", 0, d);
    hex(d, h);
    assert_string_equal(h, "d41d8cd98f00b204e9800998ecf8427e");
    lume_md5("abc", 3, d);
    hex(d, h);
    assert_string_equal(h, "900150983cd24fb0d6963f7d28e17f72");
    lume_md5("The quick brown fox jumps over the lazy dog", 43, d);
    hex(d, h);
    assert_string_equal(h, "9e107d9d372bb6826bd81d3542a419d6");
    memset(a, 'a', 1000);
    lume_md5(a, 1000, d);
    hex(d, h);
    assert_string_equal(h, "cabe45dcc9ae5b66ba86600cca6b8ba8");
    free(a);
}

static void test_a_token_is_nginx_secure_link_md5(void **state)
{
    const char *uri = "/media/0/Film (2010)/Film (2010).mp4";
    char t[LUME_SIGN_TOKEN_BUF];

    (void)state;
    lume_sign_token(uri, strlen(uri), 2147483647, "s3cret-lume-test", t);
    assert_string_equal(t, "a5y-zlZshElJuKTAxjkBWQ");
    uri = "/0/Show/Season 01/\xc3\x89p 1.mkv";
    lume_sign_token(uri, strlen(uri), 1700000000, "x", t);
    assert_string_equal(t, "MGBJHz6tMxL-rqIp-V-_SA");
    assert_int_equal(strlen(t), 22);
}

static void test_a_link_is_signed_over_the_path_nginx_decodes(void **state)
{
    char *a = lume_sign_link("https://localhost:8443/media", 0, "Film (2010)/Film (2010).mp4",
                             2147483647, "s3cret-lume-test");
    char *b = lume_sign_link("https://localhost:8443/media/", 0, "Film (2010)/Film (2010).mp4",
                             2147483647, "s3cret-lume-test");

    (void)state;
    assert_non_null(a);
    assert_string_equal(a, "https://localhost:8443/media/0/Film%20%282010%29/Film%20%282010%29.mp4"
                           "?md5=a5y-zlZshElJuKTAxjkBWQ&expires=2147483647");
    assert_string_equal(a, b);
    free(a);
    free(b);
    a = lume_sign_link("http://h", 0, "Show/Season 01/\xc3\x89p 1.mkv", 1700000000, "x");
    assert_string_equal(a, "http://h/0/Show/Season%2001/%C3%89p%201.mkv"
                           "?md5=MGBJHz6tMxL-rqIp-V-_SA&expires=1700000000");
    free(a);
}

static void test_every_byte_but_unreserved_ones_is_escaped_and_decodes_back(void **state)
{
    const char *rel = "a%b?c#d&e+f;g=h\nnew\x01line\xff~x-y_z.w/B C";
    char *l = lume_sign_link("https://h/m", 12, rel, 5, "k"), out[512];
    const char *p, *q;
    long n;

    (void)state;
    assert_non_null(l);
    p = l + strlen("https://h/m/12/");
    q = strchr(p, '?');
    assert_non_null(q);
    for (const char *c = p; c < q; c++)
        assert_non_null(strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~/%",
                               *c));
    n = lume_percent_decode(p, (size_t)(q - p), 0, out, sizeof(out));
    assert_int_equal(n, (long)strlen(rel));
    assert_memory_equal(out, rel, strlen(rel));
    free(l);
}

static void test_bad_links_are_not_made(void **state)
{
    static const char *bad_rel[] = {"", "/abs.mp4", "a//b.mp4", "../x.mp4", "a/../b.mp4", "./a",
                                    "a/.", "a/"};
    char *long_rel = malloc(LUME_SIGN_URL_MAX + 8);

    (void)state;
    for (size_t i = 0; i < sizeof(bad_rel) / sizeof(bad_rel[0]); i++)
        assert_null(lume_sign_link("https://h/m", 0, bad_rel[i], 1, "k"));
    assert_null(lume_sign_link("ftp://h/m", 0, "a.mp4", 1, "k"));
    assert_null(lume_sign_link("https:///m", 0, "a.mp4", 1, "k"));
    assert_null(lume_sign_link("https://h/m", -1, "a.mp4", 1, "k"));
    memset(long_rel, 'a', LUME_SIGN_URL_MAX + 7);
    long_rel[LUME_SIGN_URL_MAX + 7] = '\0';
    assert_null(lume_sign_link("https://h/m", 0, long_rel, 1, "k"));
    memset(long_rel, ' ', 700); /* 2100 bytes escaped */
    long_rel[700] = '\0';
    assert_null(lume_sign_link("https://h/m", 0, long_rel, 1, "k"));
    free(long_rel);
    /* Dots inside names are names. */
    long_rel = lume_sign_link("https://h/m", 0, "..a/b../.c", 1, "k");
    assert_non_null(long_rel);
    free(long_rel);
}

/* "https://h/m" "/0/" rel "?md5=" 22 characters "&expires=1": 51 bytes and
 * rel's; a link is made exactly when it fits LUME_SIGN_URL_MAX, at every
 * length around it. */
static void test_every_length_around_the_longest_link(void **state)
{
    char *rel = malloc(LUME_SIGN_URL_MAX + 1);

    (void)state;
    for (size_t n = LUME_SIGN_URL_MAX - 54; n <= LUME_SIGN_URL_MAX - 48; n++) {
        char *l;

        memset(rel, 'a', n);
        rel[n] = '\0';
        l = lume_sign_link("https://h/m", 0, rel, 1, "k");
        if (51 + n <= LUME_SIGN_URL_MAX) {
            assert_non_null(l);
            assert_int_equal(strlen(l), 51 + n);
            assert_string_equal(l + 51 + n - 10, "&expires=1");
        } else {
            assert_null(l);
        }
        free(l);
    }
    free(rel);
}

static void test_the_expiry_is_written_whole(void **state)
{
    char *l;

    (void)state;
    l = lume_sign_link("https://h/m", 12, "a.mp4", 9223372036854775807LL, "k");
    assert_non_null(l);
    assert_true(strncmp(l, "https://h/m/12/a.mp4?md5=", 25) == 0);
    assert_string_equal(l + 25 + 22, "&expires=9223372036854775807");
    free(l);
    l = lume_sign_link("https://h/m", 0, "a.mp4", -5, "k");
    assert_non_null(l);
    assert_string_equal(l + strlen(l) - 11, "&expires=-5");
    free(l);
}

static void test_the_url_path(void **state)
{
    const char *p;
    size_t n;

    (void)state;
    assert_int_equal(lume_sign_url_path("https://h:1/a/b//?q#f", &p, &n), 0);
    assert_int_equal(n, 4);
    assert_memory_equal(p, "/a/b", 4);
    assert_int_equal(lume_sign_url_path("http://h", &p, &n), 0);
    assert_int_equal(n, 0);
    assert_int_equal(lume_sign_url_path("http://h?x", &p, &n), 0);
    assert_int_equal(n, 0);
    assert_int_equal(lume_sign_url_path("h/a", &p, &n), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_md5_gives_the_rfc_digests),
        cmocka_unit_test(test_a_token_is_nginx_secure_link_md5),
        cmocka_unit_test(test_a_link_is_signed_over_the_path_nginx_decodes),
        cmocka_unit_test(test_every_byte_but_unreserved_ones_is_escaped_and_decodes_back),
        cmocka_unit_test(test_bad_links_are_not_made),
        cmocka_unit_test(test_every_length_around_the_longest_link),
        cmocka_unit_test(test_the_expiry_is_written_whole),
        cmocka_unit_test(test_the_url_path),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
