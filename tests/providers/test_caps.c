/*
 * test_caps.c: the `caps` parameter of /streams (caps.h), as a client writes it.
 * - Nothing said: what every Android device plays (MP4, WebM, Matroska, Ogg,
 *   MPEG-TS, HLS, DASH; H.264, VP8, VP9, MPEG-4 Part 2; AAC, MP3, Opus, Vorbis; any height).
 * - The tokens of a kind replace that kind's default; the kinds not named keep it.
 * - Names of no known kind are ignored (a newer client, an older server).
 * - The grammar is strict and bounded: lower-case [a-z0-9] tokens separated by
 *   single commas (or %2C), at most 32 tokens and 256 bytes; a height is
 *   144p..4320p; anything else is refused (the route's 400).
 */
#include "lib/unit.h"

#include "caps.h"

static lume_caps parse_ok(const char *v)
{
    lume_caps c;

    if (lume_caps_parse(v, strlen(v), &c) != 0)
        fail_msg("caps=%s should parse", v);
    return c;
}

static void assert_refused(const char *v)
{
    lume_caps c;

    if (lume_caps_parse(v, strlen(v), &c) == 0)
        fail_msg("caps=%s should be refused", v);
}

static void test_the_default_is_what_every_android_device_plays(void **state)
{
    lume_caps c;

    (void)state;
    lume_caps_default(&c);
    assert_true(c.containers & LUME_CT_MP4 && c.containers & LUME_CT_WEBM &&
                c.containers & LUME_CT_MKV && c.containers & LUME_CT_HLS);
    /* MPEG-4 Part 2 (Simple Profile) is one of Android's required decoders
     * since 1.0, and the Archive's "512Kb MPEG4" derivatives are it. */
    assert_int_equal(c.video, LUME_VC_H264 | LUME_VC_VP8 | LUME_VC_VP9 | LUME_VC_MPEG4);
    assert_false(c.video & (LUME_VC_HEVC | LUME_VC_AV1 | LUME_VC_MPEG2 | LUME_VC_THEORA));
    assert_int_equal(c.audio, LUME_AC_AAC | LUME_AC_MP3 | LUME_AC_OPUS | LUME_AC_VORBIS);
    assert_int_equal(c.max_height, 0);
}

static void test_the_tokens_of_a_kind_replace_its_default_and_the_rest_stay(void **state)
{
    lume_caps def, c;

    (void)state;
    lume_caps_default(&def);
    c = parse_ok("h264,hevc,720p");
    assert_int_equal(c.video, LUME_VC_H264 | LUME_VC_HEVC);
    assert_int_equal(c.max_height, 720);
    assert_int_equal(c.containers, def.containers);
    assert_int_equal(c.audio, def.audio);
    c = parse_ok("mp4,aac");
    assert_int_equal(c.containers, LUME_CT_MP4);
    assert_int_equal(c.audio, LUME_AC_AAC);
    assert_int_equal(c.video, def.video);
    /* aliases name the same thing */
    assert_int_equal(parse_ok("avc").video, LUME_VC_H264);
    assert_int_equal(parse_ok("h265").video, LUME_VC_HEVC);
    assert_int_equal(parse_ok("m4v,mov").containers, LUME_CT_MP4);
}

static void test_unknown_names_are_ignored(void **state)
{
    lume_caps def, c;

    (void)state;
    lume_caps_default(&def);
    c = parse_ok("vvc,dolbyvision,h264");
    assert_int_equal(c.video, LUME_VC_H264);
    c = parse_ok("somethingnew");
    assert_memory_equal(&c, &def, sizeof(c));
}

static void test_a_comma_may_be_escaped(void **state)
{
    (void)state;
    assert_int_equal(parse_ok("h264%2Cvp9").video, LUME_VC_H264 | LUME_VC_VP9);
    assert_int_equal(parse_ok("h264%2cvp9").video, LUME_VC_H264 | LUME_VC_VP9);
    assert_int_equal(parse_ok("%68264").video, LUME_VC_H264); /* %68 is h */
}

static void test_heights_at_and_around_their_bounds(void **state)
{
    (void)state;
    assert_int_equal(parse_ok("144p").max_height, 144);
    assert_int_equal(parse_ok("4320p").max_height, 4320);
    assert_int_equal(parse_ok("2160p,1080p").max_height, 1080); /* the last one */
    assert_refused("143p");
    assert_refused("4321p");
    assert_refused("0720p");
    assert_refused("99999999999999p");
    /* not heights, so names this server does not know: ignored */
    assert_int_equal(parse_ok("p1").max_height, 0);
    assert_int_equal(parse_ok("1080i").max_height, 0);
}

static void test_the_grammar_is_strict(void **state)
{
    const char *bad[] = {
        "",      ",", "h264,", ",h264", "h264,,vp9", "H264", "h 264",    "h264;",
        "h-264", "%", "%2",    "%zz",   "h264%",     "%00",  "\xc3\xa9", "vp9%2C%2Ch264"};

    (void)state;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_refused(bad[i]);
}

static void test_bounds_at_every_length_around_them(void **state)
{
    char buf[LUME_CAPS_MAX_BYTES + 8], token[LUME_CAPS_TOKEN_MAX + 2];
    lume_caps c;

    (void)state;
    /* a token of 16 bytes is one, 17 is too long */
    memset(token, 'x', LUME_CAPS_TOKEN_MAX);
    token[LUME_CAPS_TOKEN_MAX] = '\0';
    parse_ok(token);
    token[LUME_CAPS_TOKEN_MAX] = 'x';
    token[LUME_CAPS_TOKEN_MAX + 1] = '\0';
    assert_refused(token);
    /* 32 tokens are fine, 33 are not */
    buf[0] = '\0';
    for (int i = 0; i < LUME_CAPS_MAX_TOKENS; i++)
        strcat(buf, i ? ",a" : "a");
    parse_ok(buf);
    strcat(buf, ",a");
    assert_refused(buf);
    /* 256 bytes are fine, 257 are not, whatever the tokens */
    for (size_t len = LUME_CAPS_MAX_BYTES - 2; len <= LUME_CAPS_MAX_BYTES + 2; len++) {
        size_t n = 0;
        while (n < len) {
            size_t piece = len - n < 8 ? len - n : 8; /* "abcdefgh" or shorter, then a comma */
            memcpy(buf + n, "abcdefgh", piece);
            n += piece;
            if (n < len)
                buf[n++] = ',';
        }
        if (buf[len - 1] == ',')
            buf[len - 1] = 'z';
        if (len <= LUME_CAPS_MAX_BYTES && len / 9 + 1 <= LUME_CAPS_MAX_TOKENS)
            assert_int_equal(lume_caps_parse(buf, len, &c), 0);
        else if (len > LUME_CAPS_MAX_BYTES)
            assert_int_equal(lume_caps_parse(buf, len, &c), -1);
    }
}

static void test_the_names_are_the_ones_candidates_are_described_with(void **state)
{
    (void)state;
    assert_int_equal(lume_caps_container("webm"), LUME_CT_WEBM);
    assert_int_equal(lume_caps_vcodec("av1"), LUME_VC_AV1);
    assert_int_equal(lume_caps_acodec("opus"), LUME_AC_OPUS);
    assert_int_equal(lume_caps_container("h264"), 0);
    assert_int_equal(lume_caps_vcodec("mp4"), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_the_default_is_what_every_android_device_plays),
        cmocka_unit_test(test_the_tokens_of_a_kind_replace_its_default_and_the_rest_stay),
        cmocka_unit_test(test_unknown_names_are_ignored),
        cmocka_unit_test(test_a_comma_may_be_escaped),
        cmocka_unit_test(test_heights_at_and_around_their_bounds),
        cmocka_unit_test(test_the_grammar_is_strict),
        cmocka_unit_test(test_bounds_at_every_length_around_them),
        cmocka_unit_test(test_the_names_are_the_ones_candidates_are_described_with),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
