/*
 * caps.h: what the device that will play can play, as a client states it in
 * the `caps` query parameter of /streams (docs/api.md, "Device capabilities"),
 * and the default when it says nothing: what every Android device plays
 * (ExoPlayer/Media3's containers; H.264, VP8, VP9 and MPEG-4 Part 2 video,
 * the decoders Android requires of every device; AAC, MP3, Opus and Vorbis
 * audio; no height limit).
 *
 * The value is a comma-separated list of short lower-case tokens, each a
 * container (mp4, webm, mkv, ...), a video codec (h264, hevc, av1, ...), an
 * audio codec (aac, opus, ...) or a largest height (1080p). The tokens of a
 * kind replace the default of that kind, and the kinds a list does not name
 * keep their default: "h264,hevc,720p" is a device that decodes H.264 and
 * HEVC up to 720 lines, in the default containers, with the default audio.
 * Tokens of no known kind are ignored, so that a newer client's names never
 * break an older server. Pure functions, no allocation: the handler and the
 * fuzzer drive them directly.
 */
#ifndef LUME_CAPS_H
#define LUME_CAPS_H

#include <stddef.h>
#include <stdint.h>

#include "api.h" /* LUME_CAPS_MAX_BYTES (of the raw value), _MAX_TOKENS, _TOKEN_MAX, heights */

/* The kinds of token, and the names of each, in a bit each. */
typedef enum lume_container {
    LUME_CT_MP4 = 1u << 0, /* mp4, m4v, mov (ISO BMFF) */
    LUME_CT_WEBM = 1u << 1,
    LUME_CT_MKV = 1u << 2,
    LUME_CT_OGG = 1u << 3, /* ogg, ogv */
    LUME_CT_TS = 1u << 4,  /* MPEG-TS */
    LUME_CT_HLS = 1u << 5,
    LUME_CT_DASH = 1u << 6,
    LUME_CT_AVI = 1u << 7,
} lume_container;

typedef enum lume_vcodec {
    LUME_VC_H264 = 1u << 0,
    LUME_VC_HEVC = 1u << 1,
    LUME_VC_VP8 = 1u << 2,
    LUME_VC_VP9 = 1u << 3,
    LUME_VC_AV1 = 1u << 4,
    LUME_VC_MPEG2 = 1u << 5,
    LUME_VC_MPEG4 = 1u << 6, /* MPEG-4 Part 2 (DivX, Xvid, the Archive's "512Kb MPEG4") */
    LUME_VC_THEORA = 1u << 7,
} lume_vcodec;

typedef enum lume_acodec {
    LUME_AC_AAC = 1u << 0,
    LUME_AC_MP3 = 1u << 1,
    LUME_AC_OPUS = 1u << 2,
    LUME_AC_VORBIS = 1u << 3,
    LUME_AC_AC3 = 1u << 4,
    LUME_AC_EAC3 = 1u << 5,
    LUME_AC_FLAC = 1u << 6,
    LUME_AC_DTS = 1u << 7,
} lume_acodec;

typedef struct lume_caps {
    uint32_t containers; /* lume_container bits */
    uint32_t video;      /* lume_vcodec bits */
    uint32_t audio;      /* lume_acodec bits */
    int max_height;      /* pixels; 0: no limit */
} lume_caps;

/* What every Android device plays. */
void lume_caps_default(lume_caps *out);

/* Parse the raw value v[0..len) of `caps` (percent-encoded: %2C is a comma).
 * Returns 0 with *out set, or -1 when it breaks the grammar: longer than
 * LUME_CAPS_MAX_BYTES, more than LUME_CAPS_MAX_TOKENS tokens, an empty token,
 * a token longer than LUME_CAPS_TOKEN_MAX or with a byte outside [a-z0-9], a
 * broken escape, or a height (digits, then p) outside 144p..4320p or with a
 * leading zero. A height given twice: the last one. */
int lume_caps_parse(const char *v, size_t len, lume_caps *out);

/* The bit of a token of each kind (0: not of that kind), for the providers
 * that describe a candidate with the same names. */
uint32_t lume_caps_container(const char *name);
uint32_t lume_caps_vcodec(const char *name);
uint32_t lume_caps_acodec(const char *name);

#endif
