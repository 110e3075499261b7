/*
 * caps.c: the `caps` parameter's grammar and names (see caps.h). One table
 * per kind maps each short name to its bit; the parser decodes the value
 * (lume_percent_decode, as every other parameter) and reads one token at a
 * time.
 */
#include "caps.h"

#include <string.h>

#include "percent.h" /* lume_percent_decode */

typedef struct name_bit {
    const char *name;
    uint32_t bit;
} name_bit;

static const name_bit containers[] = {
    {"mp4", LUME_CT_MP4}, {"m4v", LUME_CT_MP4},   {"mov", LUME_CT_MP4}, {"webm", LUME_CT_WEBM},
    {"mkv", LUME_CT_MKV}, {"ogg", LUME_CT_OGG},   {"ogv", LUME_CT_OGG}, {"ts", LUME_CT_TS},
    {"hls", LUME_CT_HLS}, {"dash", LUME_CT_DASH}, {"avi", LUME_CT_AVI},
};

static const name_bit vcodecs[] = {
    {"h264", LUME_VC_H264},     {"avc", LUME_VC_H264},    {"hevc", LUME_VC_HEVC},
    {"h265", LUME_VC_HEVC},     {"vp8", LUME_VC_VP8},     {"vp9", LUME_VC_VP9},
    {"av1", LUME_VC_AV1},       {"mpeg2", LUME_VC_MPEG2}, {"mpeg4", LUME_VC_MPEG4},
    {"theora", LUME_VC_THEORA},
};

static const name_bit acodecs[] = {
    {"aac", LUME_AC_AAC},       {"mp3", LUME_AC_MP3}, {"opus", LUME_AC_OPUS},
    {"vorbis", LUME_AC_VORBIS}, {"ac3", LUME_AC_AC3}, {"eac3", LUME_AC_EAC3},
    {"flac", LUME_AC_FLAC},     {"dts", LUME_AC_DTS},
};

#define N(t) (sizeof(t) / sizeof(t[0]))

static uint32_t lookup(const name_bit *t, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(t[i].name, name) == 0)
            return t[i].bit;
    return 0;
}

uint32_t lume_caps_container(const char *name)
{
    return lookup(containers, N(containers), name);
}

uint32_t lume_caps_vcodec(const char *name)
{
    return lookup(vcodecs, N(vcodecs), name);
}

uint32_t lume_caps_acodec(const char *name)
{
    return lookup(acodecs, N(acodecs), name);
}

void lume_caps_default(lume_caps *out)
{
    out->containers = LUME_CT_MP4 | LUME_CT_WEBM | LUME_CT_MKV | LUME_CT_OGG | LUME_CT_TS |
                      LUME_CT_HLS | LUME_CT_DASH;
    out->video = LUME_VC_H264 | LUME_VC_VP8 | LUME_VC_VP9 | LUME_VC_MPEG4;
    out->audio = LUME_AC_AAC | LUME_AC_MP3 | LUME_AC_OPUS | LUME_AC_VORBIS;
    out->max_height = 0;
}

/* Is t[0..len) a height, digits then 'p' ("1080p")? Its lines in *h: 0 when
 * it is out of 144..4320 or starts with a zero. */
static int is_height(const char *t, size_t len, int *h)
{
    if (len < 2 || t[len - 1] != 'p')
        return 0;
    *h = 0;
    for (size_t i = 0; i + 1 < len; i++) {
        if (t[i] < '0' || t[i] > '9')
            return 0;
        if (*h <= LUME_CAPS_HEIGHT_MAX)
            *h = *h * 10 + (t[i] - '0');
    }
    if (t[0] == '0' || *h < LUME_CAPS_HEIGHT_MIN || *h > LUME_CAPS_HEIGHT_MAX)
        *h = 0;
    return 1;
}

/* Apply one token to the kinds seen so far. -1: a height out of range. */
static int apply(const char *t, size_t len, lume_caps *c, lume_caps *named)
{
    uint32_t bit;
    int h;

    if ((bit = lume_caps_container(t)) != 0) {
        c->containers = (named->containers ? c->containers : 0) | bit;
        named->containers = 1;
    } else if ((bit = lume_caps_vcodec(t)) != 0) {
        c->video = (named->video ? c->video : 0) | bit;
        named->video = 1;
    } else if ((bit = lume_caps_acodec(t)) != 0) {
        c->audio = (named->audio ? c->audio : 0) | bit;
        named->audio = 1;
    } else if (is_height(t, len, &h)) {
        if (h == 0)
            return -1;
        c->max_height = h;
    }
    /* anything else: a name this server does not know, ignored */
    return 0;
}

int lume_caps_parse(const char *v, size_t len, lume_caps *out)
{
    char dec[LUME_CAPS_MAX_BYTES + 1], token[LUME_CAPS_TOKEN_MAX + 1];
    size_t tlen = 0, tokens = 0;
    long n;
    lume_caps c, named = {0, 0, 0, 0};

    if (len > LUME_CAPS_MAX_BYTES || (n = lume_percent_decode(v, len, 0, dec, sizeof(dec))) < 0)
        return -1;
    lume_caps_default(&c);
    for (long i = 0; i <= n; i++) {
        char ch = i == n ? ',' : dec[i];

        if (ch == ',') {
            if (tlen == 0 || ++tokens > LUME_CAPS_MAX_TOKENS)
                return -1;
            token[tlen] = '\0';
            if (apply(token, tlen, &c, &named) != 0)
                return -1;
            tlen = 0;
            continue;
        }
        if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9')) || tlen == LUME_CAPS_TOKEN_MAX)
            return -1;
        token[tlen++] = ch;
    }
    *out = c;
    return 0;
}
