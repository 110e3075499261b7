/*
 * naming.c: the media file-name parser (see naming.h). A path is checked and
 * made safe (invalid UTF-8 to U+FFFD, control characters to spaces), cut into
 * folders and a file name, and each name is read the same way: leading
 * [tags], the title, a year, an episode marker, an episode title, and the
 * release words (resolution, source, codecs, language, group) after them.
 * The folders say what a file name alone cannot: the show above a season
 * folder, the film folder's title and year, extras folders.
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "naming.h"
#include "utf8.h"

/* A letter or digit may not stand before (B) or after (E) a token. */
#define B "(?<![\\p{L}\\p{N}])"
#define E "(?![\\p{L}\\p{N}])"

enum {
    RE_SXE,       /* S01E02, S01xE02, S01.Ep.02, S2009E23: season 1, episode 2 */
    RE_CONT,      /* what continues a multi-episode marker: -E03, E03, -03, x03, S01E03 */
    RE_NXN,       /* 1x02, 01x02, 2009x02 (not 1920x1080) */
    RE_WORDS,     /* Season 1 Episode 2 */
    RE_DATE,      /* 2011-04-12, 2011.04.12, 2011 04 12 (same separator) */
    RE_SEASON,    /* S01 or Season 1 alone: a season pack */
    RE_EPONLY,    /* Episode 16, Ep 16, E16 (in a season folder) */
    RE_LEADNUM,   /* 02 - Title, 02-04, 2. Title (in a season folder) */
    RE_ANIME,     /* [Group] Title - 136 [720p] */
    RE_YEAR,      /* 1880..2099, maybe in () or [] */
    RE_TERM,      /* a release word: the title ends before it */
    RE_GROUP,     /* -GROUP at the end, maybe followed by [tags] */
    RE_SEASONDIR, /* a season folder: Season 04, S04, Saison 4, Specials */
    RE_EXTRASFX,  /* -trailer, .sample, -featurette ... at the end of a file name */
    RE_COUNT
};

static const char *const patterns[RE_COUNT] = {
    [RE_SXE] = B "s([0-9]{1,4})[ ._-]*(?:xe|ep|e|x)[ ._-]?([0-9]{1,5})(?![0-9])",
    [RE_CONT] = "(?:[ ._-]*(?:s([0-9]{1,4})[ ._-]?|([0-9]{1,4})(?=x))?(?:ep|e|x)[ ._]?|[-_])"
                "([0-9]{1,5})(?![0-9]|[pi]" E ")",
    [RE_NXN] = B "([0-9]{1,2}|(?:19|20)[0-9]{2})x([0-9]{1,3})(?=x[0-9]|[^\\p{L}\\p{N}]|$)",
    [RE_WORDS] = B "(?:season|saison|staffel|temporada|stagione)[ ._-]*([0-9]{1,4})[ ._,:-]*"
                   "(?:episode|episodio|folge|ep|e)[ ._-]*([0-9]{1,4})(?![0-9])",
    [RE_DATE] = B "((?:19|20)[0-9]{2})([ ._-])(0[1-9]|1[0-2])\\2(0[1-9]|[12][0-9]|3[01])(?![0-9])",
    [RE_SEASON] = B "(?:s([0-9]{1,2})|(?:season|saison|staffel|temporada|stagione)[ ._-]*"
                    "([0-9]{1,4}))" E,
    [RE_EPONLY] = B "(?:episode|ep|e)[ ._-]*([0-9]{1,4})(?![0-9])",
    [RE_LEADNUM] = "^([0-9]{1,3})(?:-([0-9]{1,3}))?(?=[ .-]|$)",
    [RE_ANIME] = "^\\[[^\\]]{1,64}\\][ ]*(.+?)[ ]+-[ ]+([0-9]{1,4})(?:v[0-9])?(?=[ \\[(]|$)",
    [RE_YEAR] = "(?:([(\\[])|" B ")((?:18[89]|19[0-9]|20[0-9])[0-9])(?:[)\\]]|" E ")",
    [RE_TERM] =
        B "(?:[0-9]{3,4}[pi]|4k|uhd|web[ ._-]?dl|web[ ._-]?rip|blu[ ._-]?ray|"
          "bd[ ._-]?rip|br[ ._-]?rip|bd[ ._-]?remux|remux|hd[ ._]?tv|pdtv|sdtv|dsr(?:ip)?|tvrip|"
          "hdrip|dvd[ ._-]?rip|dvdscr|dvd[59r]?|hdcam|telesync|x26[45]|h[ ._]?26[45]|hevc|"
          "xvid|divx|av1|10bit|hdr10|ddp?[ ._]?[257][ ._]?[01]|e?ac3|"
          "aac(?:[ ._]?[257][ ._]?[01])?|dts(?:[ ._-]?hd)?|truehd)" E,
    [RE_GROUP] = "(?<=[^ ])-([\\p{L}\\p{N}]{1,31})[ ]*(?:\\[[^\\]]*\\][ ]*)*$",
    [RE_SEASONDIR] = "^(?:(?:season|saison|staffel|temporada|stagione|seizoen|series)[ ._-]*"
                     "([0-9]{1,4})(?:[ ._-]*[(\\[].*)?|s([0-9]{1,4})|(specials?))$",
    [RE_EXTRASFX] = "(?:[ ._-](trailer|sample)|-(featurette|behindthescenes|deletedscene|deleted|"
                    "interview|scene|clip|short|other|extra))(?:[ ._-]?[0-9]{1,2})?$",
};

/* Release words after the title: the first row whose pattern matches wins. */
typedef struct word_rule {
    const char *pattern;
    const char *value;
} word_rule;

static const word_rule sources[] = {
    {B "(?:web[ ._-]?rip)" E, "webrip"},
    {B "(?:web[ ._-]?dl|web|amzn|nf|dsnp|hmax|atvp)" E, "web-dl"},
    {B "(?:blu[ ._-]?ray|bd[ ._-]?rip|br[ ._-]?rip|bd[ ._-]?remux|bd|remux)" E, "bluray"},
    {B "(?:hdtv|pdtv|sdtv|dsr(?:ip)?|tvrip|hd[ ._]tv)" E, "hdtv"},
    {B "(?:dvdscr|screener|scr)" E, "screener"},
    {B "(?:dvd[ ._-]?rip|dvd[59r]?)" E, "dvd"},
    {B "(?:hdcam|cam|telesync)" E, "cam"},
};
static const word_rule video_codecs[] = {
    {B "(?:x265|h[ ._]?265|hevc)" E, "hevc"},
    {B "(?:x264|h[ ._]?264|avc)" E, "h264"},
    {B "av1" E, "av1"},
    {B "vp9" E, "vp9"},
    {B "xvid" E, "xvid"},
    {B "divx" E, "divx"},
    {B "mpeg[ ._-]?2" E, "mpeg2"},
    {B "vc[ ._-]?1" E, "vc1"},
};
static const word_rule audio_codecs[] = {
    {B "truehd" E, "truehd"},
    {B "dts[ ._-]?(?:hd|ma|x)" E, "dts-hd"},
    {B "dts" E, "dts"},
    {B "(?:e[ ._-]?ac[ ._-]?3|ddp(?:[ ._]?[257][ ._]?[01])?|dd\\+)" E, "eac3"},
    {B "(?:ac3|dd(?:[ ._]?[257][ ._]?[01])?)" E, "ac3"},
    {B "aac(?:[ ._]?[257][ ._]?[01])?" E, "aac"},
    {B "flac" E, "flac"},
    {B "opus" E, "opus"},
    {B "mp3" E, "mp3"},
};
static const word_rule languages[] = {
    {B "(?:multi|dual(?:[ ._-]?audio)?)" E, "mul"},
    {B "(?:english|eng)" E, "en"},
    {B "(?:french|truefrench|vff|vfq|vf2?)" E, "fr"},
    {B "(?:german|deutsch|ger)" E, "de"},
    {B "(?:spanish|castellano|espanol|latino|esp|spa)" E, "es"},
    {B "(?:italian|ita)" E, "it"},
    {B "(?:japanese|jpn|jap)" E, "ja"},
    {B "(?:korean|kor)" E, "ko"},
    {B "(?:chinese|mandarin|cantonese|chs|cht)" E, "zh"},
    {B "(?:russian|rus)" E, "ru"},
    {B "(?:portuguese|por)" E, "pt"},
    {B "(?:dutch|nld)" E, "nl"},
    {B "(?:swedish|swe)" E, "sv"},
    {B "(?:norwegian|nor)" E, "no"},
    {B "(?:danish|dan)" E, "da"},
    {B "(?:finnish)" E, "fi"},
    {B "(?:polish|pol)" E, "pl"},
    {B "(?:hindi)" E, "hi"},
};

#define NSOURCES   (sizeof(sources) / sizeof(sources[0]))
#define NVCODECS   (sizeof(video_codecs) / sizeof(video_codecs[0]))
#define NACODECS   (sizeof(audio_codecs) / sizeof(audio_codecs[0]))
#define NLANGUAGES (sizeof(languages) / sizeof(languages[0]))

/* Folders whose videos are extras, and what kind (lower case, whole name). */
static const struct {
    const char *name;
    const char *extra;
} extras_folders[] = {
    {"extras", "extra"},
    {"extra", "extra"},
    {"other", "extra"},
    {"others", "extra"},
    {"trailers", "trailer"},
    {"trailer", "trailer"},
    {"featurettes", "featurette"},
    {"behind the scenes", "behind-the-scenes"},
    {"deleted scenes", "deleted-scene"},
    {"interviews", "interview"},
    {"scenes", "scene"},
    {"shorts", "short"},
    {"clips", "clip"},
    {"samples", "sample"},
    {"sample", "sample"},
    {"backdrops", "theme"},
};

/* The extra named by a file-name suffix (RE_EXTRASFX group text). */
static const struct {
    const char *word;
    const char *extra;
} extras_suffixes[] = {
    {"trailer", "trailer"},
    {"sample", "sample"},
    {"featurette", "featurette"},
    {"behindthescenes", "behind-the-scenes"},
    {"deletedscene", "deleted-scene"},
    {"deleted", "deleted-scene"},
    {"interview", "interview"},
    {"scene", "scene"},
    {"clip", "clip"},
    {"short", "short"},
    {"other", "extra"},
    {"extra", "extra"},
};

/* A whole file name that is an extra by itself. */
static const struct {
    const char *stem;
    const char *extra;
} extras_stems[] = {
    {"trailer", "trailer"},
    {"sample", "sample"},
    {"theme", "theme"},
};

static const char *const video_exts[] = {"mkv",  "mp4", "m4v",  "avi", "mov",  "wmv", "ts",
                                         "m2ts", "mts", "webm", "mpg", "mpeg", "flv", "ogv",
                                         "iso",  "vob", "divx", "3gp", "rmvb", "asf", "strm"};
/* Files next to videos, never videos themselves: kind UNKNOWN. */
static const char *const sidecar_exts[] = {
    "srt",  "ass", "ssa",  "sub",  "idx", "vtt", "sup",     "smi",  "nfo", "txt",  "jpg",
    "jpeg", "png", "gif",  "webp", "tbn", "bmp", "xml",     "json", "sfv", "md5",  "par2",
    "rar",  "zip", "7z",   "exe",  "url", "db",  "ini",     "log",  "mp3", "flac", "m4a",
    "aac",  "ogg", "opus", "wav",  "wma", "cue", "torrent", "part", "bif", "lrc",  "pdf"};

#define NELEMS(a) (sizeof(a) / sizeof((a)[0]))

typedef struct name_info name_info;
typedef struct segment {
    const char *p;
    size_t len;
} segment;

#define MAX_SEGMENTS (LUME_NAMING_PATH_MAX / 2 + 1)
#define NAME_BUF     (3 * LUME_NAMING_SEGMENT_MAX + 1)

/* One name read: the name with separators normalised, and where its parts are. */
struct name_info {
    char s[NAME_BUF];
    size_t len;
    size_t title_start, title_end;
    int year;
    int marker; /* the kind of episode marker found, M_* */
    int season, episode, episode_end;
    int air_year, air_month, air_day;
    size_t et_start, et_end; /* episode title */
    size_t words;            /* where release words may start */
    size_t lang_from;        /* where language words may start */
    size_t group_start, group_end;
};

struct lume_naming {
    pcre2_code *re[RE_COUNT];
    pcre2_code *src[NSOURCES], *vc[NVCODECS], *ac[NACODECS], *lang[NLANGUAGES];
    pcre2_match_data *md;
    /* scratch of one parse (kept here, not on the stack: ~35 KB) */
    segment seg[MAX_SEGMENTS];
    name_info file, folder;
};

/* ------------------------------------------------------------------------ */

static pcre2_code *compile(const char *pattern, char *err, size_t errlen)
{
    int code;
    PCRE2_SIZE offset;
    pcre2_code *re = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED,
                                   PCRE2_CASELESS | PCRE2_UTF, &code, &offset, NULL);

    if (re == NULL) {
        PCRE2_UCHAR msg[128];
        pcre2_get_error_message(code, msg, sizeof(msg));
        snprintf(err, errlen, "naming pattern \"%.40s\" at %zu: %s", pattern, (size_t)offset,
                 (const char *)msg);
        return NULL;
    }
    (void)pcre2_jit_compile(re, PCRE2_JIT_COMPLETE); /* interpreted when no JIT */
    return re;
}

static void free_all(pcre2_code **re, size_t n)
{
    for (size_t i = 0; i < n; i++)
        pcre2_code_free(re[i]);
}

void lume_naming_destroy(lume_naming *n)
{
    if (n == NULL)
        return;
    free_all(n->re, RE_COUNT);
    free_all(n->src, NSOURCES);
    free_all(n->vc, NVCODECS);
    free_all(n->ac, NACODECS);
    free_all(n->lang, NLANGUAGES);
    pcre2_match_data_free(n->md);
    free(n);
}

static int compile_rules(pcre2_code **re, const word_rule *rules, size_t count, char *err,
                         size_t errlen)
{
    for (size_t i = 0; i < count; i++)
        if ((re[i] = compile(rules[i].pattern, err, errlen)) == NULL)
            return -1;
    return 0;
}

lume_naming *lume_naming_create(char *err, size_t errlen)
{
    lume_naming *n = calloc(1, sizeof(*n));

    if (n == NULL) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    for (size_t i = 0; i < RE_COUNT; i++)
        if ((n->re[i] = compile(patterns[i], err, errlen)) == NULL)
            goto fail;
    if (compile_rules(n->src, sources, NSOURCES, err, errlen) < 0 ||
        compile_rules(n->vc, video_codecs, NVCODECS, err, errlen) < 0 ||
        compile_rules(n->ac, audio_codecs, NACODECS, err, errlen) < 0 ||
        compile_rules(n->lang, languages, NLANGUAGES, err, errlen) < 0)
        goto fail;
    n->md = pcre2_match_data_create(8, NULL);
    if (n->md == NULL) {
        snprintf(err, errlen, "out of memory");
        goto fail;
    }
    return n;
fail:
    lume_naming_destroy(n);
    return NULL;
}

/* One match of re in s[0..len) from start; 0 when none. ov gets the offsets
 * of groups 0..5 (PCRE2_UNSET for a group that did not take part). Subjects
 * are always valid UTF-8 here (made so by sanitize). */
static int find(lume_naming *n, const pcre2_code *re, const char *s, size_t len, size_t start,
                uint32_t opts, size_t ov[12])
{
    int rc;
    PCRE2_SIZE *o;

    if (start > len)
        return 0;
    rc = pcre2_match(re, (PCRE2_SPTR)s, len, start, opts | PCRE2_NO_UTF_CHECK, n->md, NULL);
    if (rc <= 0)
        return 0;
    o = pcre2_get_ovector_pointer(n->md);
    for (int i = 0; i < 12; i++)
        ov[i] = i < 2 * rc ? o[i] : PCRE2_UNSET;
    return 1;
}

static int group_set(const size_t ov[12], int g)
{
    return ov[2 * g] != PCRE2_UNSET;
}

static int number(const char *s, const size_t ov[12], int g)
{
    int v = 0;

    for (size_t i = ov[2 * g]; i < ov[2 * g + 1]; i++)
        v = v * 10 + (s[i] - '0');
    return v;
}

/* ---- Text: making names safe, bounded copies, match keys ---------------- */

/* s[0..len) into out (at least 3 * len + 1 bytes): invalid UTF-8 bytes as
 * U+FFFD, control characters (C0, DEL, C1, U+2028, U+2029) as spaces. */
static size_t sanitize(const char *s, size_t len, char *out)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t o = 0;

    for (size_t i = 0; i < len;) {
        size_t k = lume_utf8_seq(u + i, len - i);

        if (k == 0) {
            memcpy(out + o, "\xEF\xBF\xBD", 3);
            o += 3;
            i++;
        } else if ((k == 1 && (u[i] < 0x20 || u[i] == 0x7F)) ||
                   (k == 2 && u[i] == 0xC2 && u[i + 1] < 0xA0) ||
                   (k == 3 && u[i] == 0xE2 && u[i + 1] == 0x80 &&
                    (u[i + 2] == 0xA8 || u[i + 2] == 0xA9))) {
            out[o++] = ' ';
            i += k;
        } else {
            memcpy(out + o, s + i, k);
            o += k;
            i += k;
        }
    }
    out[o] = '\0';
    return o;
}

static int is_sep(char c)
{
    return c == ' ' || c == '.' || c == '_' || c == '-' || c == ':' || c == ',' || c == ';' ||
           c == '(' || c == '[' || c == '{' || c == '~' || c == '+';
}

/* s[0..len) (valid UTF-8) into dst (cap bytes with the NUL): runs of spaces
 * as one, separators trimmed at both ends, cut at a character boundary. */
static void copy_text(char *dst, size_t cap, const char *s, size_t len)
{
    size_t o = 0, a = 0, b = len;

    while (a < b && ((is_sep(s[a]) && s[a] != '(' && s[a] != '[') || s[a] == ')' || s[a] == ']'))
        a++;
    while (b > a && (is_sep(s[b - 1]) || s[b - 1] == ')' || s[b - 1] == ']'))
        b--;
    /* a ")" or "]" at the end stays when its opener is in the text */
    if (b < len && (s[b] == ')' || s[b] == ']') && memchr(s + a, s[b] == ')' ? '(' : '[', b - a))
        b++;
    for (size_t i = a; i < b;) {
        /* whole characters only: s is valid UTF-8, cut before one that does not fit */
        size_t k = lume_utf8_seq((const unsigned char *)s + i, b - i);
        if (k == 0 || o + k + 1 > cap)
            break;
        if (!(s[i] == ' ' && o > 0 && dst[o - 1] == ' ')) {
            memcpy(dst + o, s + i, k);
            o += k;
        }
        i += k;
    }
    while (o > 0 && dst[o - 1] == ' ') /* a cut may leave a space at the end */
        o--;
    dst[o] = '\0';
}

/* Latin-1 letters U+00C0..U+00FF without their accents ("" for x and /). */
static const char *const latin1[64] = {
    "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i",  "i",
    "d", "n", "o", "o", "o", "o", "o",  "",  "o", "u", "u", "u", "u", "y", "th", "ss",
    "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i",  "i",
    "d", "n", "o", "o", "o", "o", "o",  "",  "o", "u", "u", "u", "u", "y", "th", "y"};

/* Latin Extended-A U+0100..U+017F: ranges of code points and their letters. */
static const struct {
    unsigned short lo, hi;
    const char *ascii;
} latin_a[] = {{0x100, 0x105, "a"}, {0x106, 0x10D, "c"},  {0x10E, 0x111, "d"}, {0x112, 0x11B, "e"},
               {0x11C, 0x123, "g"}, {0x124, 0x127, "h"},  {0x128, 0x131, "i"}, {0x132, 0x133, "ij"},
               {0x134, 0x135, "j"}, {0x136, 0x138, "k"},  {0x139, 0x142, "l"}, {0x143, 0x14B, "n"},
               {0x14C, 0x151, "o"}, {0x152, 0x153, "oe"}, {0x154, 0x159, "r"}, {0x15A, 0x161, "s"},
               {0x162, 0x167, "t"}, {0x168, 0x173, "u"},  {0x174, 0x175, "w"}, {0x176, 0x178, "y"},
               {0x179, 0x17E, "z"}, {0x17F, 0x17F, "s"}};

/* Greek U+0386..U+03CE: the letter without its tonos or dialytika, or 0. */
static const unsigned short greek[0x3CF - 0x386] = {
    [0x386 - 0x386] = 0x3B1, [0x388 - 0x386] = 0x3B5, [0x389 - 0x386] = 0x3B7,
    [0x38A - 0x386] = 0x3B9, [0x38C - 0x386] = 0x3BF, [0x38E - 0x386] = 0x3C5,
    [0x38F - 0x386] = 0x3C9, [0x390 - 0x386] = 0x3B9, [0x3AA - 0x386] = 0x3B9,
    [0x3AB - 0x386] = 0x3C5, [0x3AC - 0x386] = 0x3B1, [0x3AD - 0x386] = 0x3B5,
    [0x3AE - 0x386] = 0x3B7, [0x3AF - 0x386] = 0x3B9, [0x3B0 - 0x386] = 0x3C5,
    [0x3CA - 0x386] = 0x3B9, [0x3CB - 0x386] = 0x3C5, [0x3CC - 0x386] = 0x3BF,
    [0x3CD - 0x386] = 0x3C5, [0x3CE - 0x386] = 0x3C9};

/* Code points that are no letter or digit: punctuation, symbols, marks. */
static int dropped(long cp)
{
    return (cp >= 0x80 && cp <= 0xBF) || cp == 0xD7 || cp == 0xF7 || (cp >= 0x2B0 && cp <= 0x36F) ||
           (cp >= 0x2000 && cp <= 0x2BFF) || (cp >= 0x2E00 && cp <= 0x2E7F) ||
           (cp >= 0x3000 && cp <= 0x3004) || (cp >= 0x3008 && cp <= 0x3020) || cp == 0x30FB ||
           (cp >= 0xFE00 && cp <= 0xFE6F) || (cp >= 0xFF00 && cp <= 0xFF0F) ||
           (cp >= 0xFF1A && cp <= 0xFF20) || (cp >= 0xFF3B && cp <= 0xFF40) ||
           (cp >= 0xFF5B && cp <= 0xFF65) || (cp >= 0xFFF0 && cp <= 0xFFFF) ||
           (cp >= 0x1F000 && cp <= 0x1FAFF);
}

static long decode(const unsigned char *s, size_t k)
{
    if (k == 1)
        return s[0];
    if (k == 2)
        return (long)(s[0] & 0x1F) << 6 | (s[1] & 0x3F);
    if (k == 3)
        return (long)(s[0] & 0x0F) << 12 | (long)(s[1] & 0x3F) << 6 | (s[2] & 0x3F);
    return (long)(s[0] & 0x07) << 18 | (long)(s[1] & 0x3F) << 12 | (long)(s[2] & 0x3F) << 6 |
           (s[3] & 0x3F);
}

static size_t encode(long cp, char *out)
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xC0 | cp >> 6);
        out[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xE0 | cp >> 12);
        out[1] = (char)(0x80 | (cp >> 6 & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | cp >> 18);
    out[1] = (char)(0x80 | (cp >> 12 & 0x3F));
    out[2] = (char)(0x80 | (cp >> 6 & 0x3F));
    out[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/* The key form of one code point into out (at most 4 bytes); its length. */
static size_t fold(long cp, char *out)
{
    if (cp < 0x80) {
        if ((cp >= '0' && cp <= '9') || (cp >= 'a' && cp <= 'z')) {
            out[0] = (char)cp;
            return 1;
        }
        if (cp >= 'A' && cp <= 'Z') {
            out[0] = (char)(cp + 32);
            return 1;
        }
        return 0;
    }
    if (cp >= 0xC0 && cp <= 0xFF) {
        const char *a = latin1[cp - 0xC0];
        memcpy(out, a, strlen(a));
        return strlen(a);
    }
    for (size_t i = 0; i < NELEMS(latin_a); i++)
        if (cp >= latin_a[i].lo && cp <= latin_a[i].hi) {
            memcpy(out, latin_a[i].ascii, strlen(latin_a[i].ascii));
            return strlen(latin_a[i].ascii);
        }
    if (dropped(cp))
        return 0;
    if (cp >= 0xFF10 && cp <= 0xFF19) /* fullwidth digits and letters */
        return fold(cp - 0xFF10 + '0', out);
    if ((cp >= 0xFF21 && cp <= 0xFF3A) || (cp >= 0xFF41 && cp <= 0xFF5A))
        return fold(cp - 0xFF21 + 'A' + (cp >= 0xFF41 ? -0x20 : 0), out);
    if (cp >= 0x386 && cp <= 0x3CE && greek[cp - 0x386] != 0)
        cp = greek[cp - 0x386]; /* Greek letters with tonos or dialytika */
    if ((cp >= 0x391 && cp <= 0x3A9 && cp != 0x3A2) || (cp >= 0x410 && cp <= 0x42F))
        cp += 0x20; /* Greek and Cyrillic capitals */
    else if (cp >= 0x400 && cp <= 0x40F)
        cp += 0x50;
    else if (cp == 0x3C2)
        cp = 0x3C3; /* final sigma */
    return encode(cp, out);
}

size_t lume_naming_key(const char *s, size_t len, char *key, size_t keylen)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t o = 0;

    for (size_t i = 0; i < len;) {
        size_t k = lume_utf8_seq(u + i, len - i);
        char f[8];
        size_t fl;

        if (k == 0) { /* invalid bytes count for nothing */
            i++;
            continue;
        }
        fl = fold(decode(u + i, k), f);
        i += k;
        if (o + fl + 1 > keylen)
            break;
        memcpy(key + o, f, fl);
        o += fl;
    }
    if (keylen > 0)
        key[o] = '\0';
    return o;
}

/* ---- One name ------------------------------------------------------------ */

enum { M_NONE, M_EPISODE, M_DATE, M_SEASON, M_ANIME };

/* Names written with dots or underscores between words ("Show.Name.S01E02")
 * have them as spaces, but for dots between digits ("5.1", "2011.04.12"),
 * in dotted initials ("S.H.I.E.L.D") and in runs ("What If...!"). */
static void normalise(name_info *ni)
{
    size_t spaces = 0, dots = 0;
    char *s = ni->s;

    for (size_t i = 0; i < ni->len; i++) {
        spaces += s[i] == ' ';
        dots += s[i] == '.' || s[i] == '_';
    }
    if (dots <= spaces)
        return;
    for (size_t i = 0; i < ni->len; i++) {
        if (s[i] == '_') {
            s[i] = ' ';
        } else if (s[i] == '.') {
            int digits = i > 0 && i + 1 < ni->len && s[i - 1] >= '0' && s[i - 1] <= '9' &&
                         s[i + 1] >= '0' && s[i + 1] <= '9';
            int run = (i > 0 && s[i - 1] == '.') || (i + 1 < ni->len && s[i + 1] == '.');
            /* X.Y. initials: a lone letter on each side, the next one ending in a dot */
            int initials = i > 0 && i + 1 < ni->len &&
                           (i < 2 || s[i - 2] == ' ' || s[i - 2] == '.') &&
                           ((s[i - 1] | 0x20) >= 'a' && (s[i - 1] | 0x20) <= 'z') &&
                           ((s[i + 1] | 0x20) >= 'a' && (s[i + 1] | 0x20) <= 'z') &&
                           (i + 2 >= ni->len || s[i + 2] == '.');
            if (!digits && !initials && !run)
                s[i] = ' ';
        }
    }
}

/* Is there a letter or digit in s[a..b)? */
static int has_word(const char *s, size_t a, size_t b)
{
    const unsigned char *u = (const unsigned char *)s;

    for (size_t i = a; i < b; i++)
        if ((u[i] >= '0' && u[i] <= '9') || ((u[i] | 0x20) >= 'a' && (u[i] | 0x20) <= 'z') ||
            (u[i] >= 0xC0 && !(u[i] == 0xEF && i + 2 < b && u[i + 1] == 0xBF && u[i + 2] == 0xBD)))
            return 1;
    return 0;
}

/* Where, after ni->title_start, does the name's key spell hint in full,
 * ending at a word's end? 0 when it does not. */
static size_t hint_end(const name_info *ni, const char *hint)
{
    const unsigned char *u = (const unsigned char *)ni->s;
    size_t hl = strlen(hint), kl = 0;

    if (hl == 0)
        return 0;
    for (size_t i = ni->title_start; i < ni->len;) {
        size_t k = lume_utf8_seq(u + i, ni->len - i);
        char f[8];
        size_t fl = fold(decode(u + i, k), f);

        if (kl + fl > hl || memcmp(hint + kl, f, fl) != 0)
            return 0;
        kl += fl;
        i += k;
        if (kl == hl) {
            char g[8];
            size_t k2 = i < ni->len ? lume_utf8_seq(u + i, ni->len - i) : 0;
            return (i == ni->len || fold(decode(u + i, k2), g) == 0) ? i : 0;
        }
    }
    return 0;
}

/* The first release word (or "[" tag) at or after from; len when none. */
static size_t first_term(lume_naming *n, const name_info *ni, size_t from)
{
    size_t ov[12], end = ni->len;
    const char *br = memchr(ni->s + from, '[', ni->len - from);

    if (find(n, n->re[RE_TERM], ni->s, ni->len, from, 0, ov))
        end = ov[0];
    if (br != NULL && (size_t)(br - ni->s) < end)
        end = (size_t)(br - ni->s);
    return end;
}

/* An episode marker: S01E02 (with more episodes after it), words, NxN. */
static int find_episode(lume_naming *n, name_info *ni, size_t from, size_t *ms, size_t *me)
{
    size_t ov[12], best = SIZE_MAX, best_end = 0;
    int season = -1, episode = -1;
    const int order[] = {RE_SXE, RE_WORDS, RE_NXN};

    for (size_t r = 0; r < NELEMS(order); r++) {
        size_t at = from;
        while (find(n, n->re[order[r]], ni->s, ni->len, at, 0, ov)) {
            if (order[r] == RE_NXN && !has_word(ni->s, ni->title_start, ov[0])) {
                /* "3x3 Eyes": a lone-digit NxN opening the name before a word is
                 * a title; so is one with words, then another marker, after it */
                size_t o2[12];
                int lone = ov[5] - ov[4] == 1 && ov[1] + 1 < ni->len && ni->s[ov[1]] == ' ' &&
                           has_word(ni->s, ov[1], ov[1] + 2);
                int later = (find(n, n->re[RE_SXE], ni->s, ni->len, ov[1], 0, o2) ||
                             find(n, n->re[RE_NXN], ni->s, ni->len, ov[1], 0, o2)) &&
                            has_word(ni->s, ov[1], o2[0]);
                if (lone || later) {
                    at = ov[1];
                    continue;
                }
            }
            if (ov[0] < best) {
                best = ov[0];
                best_end = ov[1];
                season = number(ni->s, ov, 1);
                episode = number(ni->s, ov, 2);
            }
            break;
        }
        if (best != SIZE_MAX && r == 0)
            break; /* S01E02 wins over any other form */
    }
    if (best == SIZE_MAX)
        return 0;
    ni->season = season;
    ni->episode = episode;
    ni->episode_end = -1;
    /* -E03, E03, -03, x03, S01E03...: the last is the range's end; a
     * number that is not greater, or another season, ends it */
    for (int last = episode;
         find(n, n->re[RE_CONT], ni->s, ni->len, best_end, PCRE2_ANCHORED, ov);) {
        int e = number(ni->s, ov, 3);
        if (e <= last || (group_set(ov, 1) && number(ni->s, ov, 1) != season) ||
            (group_set(ov, 2) && number(ni->s, ov, 2) != season))
            break;
        ni->episode_end = last = e;
        best_end = ov[1];
    }
    *ms = best;
    *me = best_end;
    return 1;
}

static int days_in(int y, int m)
{
    static const int d[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0) ? 29 : d[m - 1];
}

/* The release word of rules that comes first in the name after from, outside
 * the episode title ("S01E01 - The Web" has no source); on a tie, the first
 * rule ("DTS-HD" is dts-hd, not dts). NULL when none. */
static const char *first_rule(lume_naming *n, pcre2_code **re, const word_rule *rules, size_t count,
                              const name_info *ni, size_t from)
{
    size_t ov[12], best = SIZE_MAX;
    const char *value = NULL;

    for (size_t i = 0; i < count; i++) {
        size_t at = from;
        while (find(n, re[i], ni->s, ni->len, at, 0, ov) && ov[0] < best) {
            if (ov[0] >= ni->et_start && ov[0] < ni->et_end) {
                at = ov[1] > ov[0] ? ov[1] : ov[0] + 1;
                continue;
            }
            best = ov[0];
            value = rules[i].value;
            break;
        }
    }
    return value;
}

/* Read one name; fixed, when not 0, is where its title ends (read_name). */
static void read_fixed(lume_naming *n, name_info *ni, const char *name, size_t len, int titles_only,
                       size_t fixed)
{
    size_t ov[12], limit, ms = 0, me = 0;

    ni->len = sanitize(name, len, ni->s);
    memset(&ni->title_start, 0, sizeof(*ni) - offsetof(name_info, title_start));
    ni->season = ni->episode = ni->episode_end = -1;
    normalise(ni);

    /* leading [tags] and "(" ... the title starts after them */
    while (ni->title_start < ni->len) {
        size_t i = ni->title_start;
        while (i < ni->len && (ni->s[i] == ' ' || ni->s[i] == '-'))
            i++;
        if (i < ni->len && ni->s[i] == '[') {
            const char *close = memchr(ni->s + i, ']', ni->len - i);
            if (close == NULL)
                break;
            if (ni->group_end == 0 && ni->title_start == 0 && close - ni->s - i - 1 > 0 &&
                close - ni->s - i - 1 <= LUME_NAMING_GROUP_MAX &&
                !memchr(ni->s + i, ' ', (size_t)(close - ni->s) - i) &&
                !memchr(ni->s + i, '.', (size_t)(close - ni->s) - i)) {
                ni->group_start = i + 1;
                ni->group_end = (size_t)(close - ni->s);
            }
            ni->title_start = (size_t)(close - ni->s) + 1;
        } else {
            ni->title_start = i;
            break;
        }
    }

    limit = first_term(n, ni, fixed ? fixed : ni->title_start);

    if (!titles_only) {
        size_t from = fixed ? fixed : ni->title_start, ds = SIZE_MAX;
        if (find(n, n->re[RE_DATE], ni->s, ni->len, from, 0, ov)) {
            int y = number(ni->s, ov, 1), m = number(ni->s, ov, 3), d = number(ni->s, ov, 4);
            if (d <= days_in(y, m)) {
                ni->air_year = y, ni->air_month = m, ni->air_day = d;
                ds = ov[0];
                ms = ov[0];
                me = ov[1];
                ni->marker = M_DATE;
            }
        }
        if (find_episode(n, ni, from, &ms, &me)) {
            ni->marker = M_EPISODE;
            if (ds < ms)
                ms = ds; /* "Show 2016 02 25 S20E142": the title ends at the date */
        } else if (ni->marker == M_NONE && find(n, n->re[RE_ANIME], ni->s, ni->len, 0, 0, ov) &&
                   ov[4] >= from) {
            ni->marker = M_ANIME;
            ni->episode = number(ni->s, ov, 2);
            ms = ov[3];
            me = ov[5];
            limit = ov[3];
        } else if (ni->marker == M_NONE && find(n, n->re[RE_SEASON], ni->s, ni->len, from, 0, ov) &&
                   ov[0] < limit) {
            ni->marker = M_SEASON;
            ni->season = group_set(ov, 1) ? number(ni->s, ov, 1) : number(ni->s, ov, 2);
            ms = ov[0];
            me = ov[1];
        }
        if (ni->marker != M_NONE && ms < limit)
            limit = ms;
    }

    /* the year: the last in () or [], else the last bare one, before the
     * limit, with some title before it */
    {
        size_t at = fixed ? fixed : ni->title_start, ys = SIZE_MAX, ye = 0;
        int bracketed = 0, year = 0;
        while (find(n, n->re[RE_YEAR], ni->s, ni->len, at, 0, ov) &&
               (ov[0] < limit || (ov[0] == limit && group_set(ov, 1)))) {
            int br = group_set(ov, 1);
            if (has_word(ni->s, ni->title_start, ov[0]) && (br || !bracketed)) {
                ys = ov[0];
                ye = ov[1];
                year = number(ni->s, ov, 2);
                bracketed = br;
            }
            at = ov[4] + 1;
        }
        if (year > 0) {
            ni->year = year;
            ni->title_end = ys;
        } else {
            ni->title_end = limit;
        }
        if (fixed && fixed < ni->title_end)
            ni->title_end = fixed;
        ni->words = ni->title_end;
        ni->lang_from = year > 0 ? ye : ni->title_end;
    }

    if (ni->marker == M_EPISODE || ni->marker == M_DATE || ni->marker == M_ANIME) {
        ni->et_start = me;
        ni->et_end = first_term(n, ni, me);
        if (ni->marker == M_ANIME)
            ni->et_end = ni->et_start;
        /* "S01E01.FRENCH.720p": a language right after the marker is no title */
        {
            size_t at = ni->et_start;
            while (at < ni->len && is_sep(ni->s[at]) && ni->s[at] != '(' && ni->s[at] != '[')
                at++;
            for (size_t i = 0; i < NLANGUAGES; i++)
                if (find(n, n->lang[i], ni->s, ni->len, at, PCRE2_ANCHORED, ov))
                    ni->et_end = ni->et_start;
        }
        if (ni->lang_from < ni->et_end)
            ni->lang_from = ni->et_end;
    }
    if (ni->group_end == 0 && find(n, n->re[RE_GROUP], ni->s, ni->len, 0, 0, ov)) {
        size_t last_term = 0, o2[12], at = 0;
        while (find(n, n->re[RE_TERM], ni->s, ni->len, at, 0, o2)) {
            last_term = o2[1];
            at = o2[1];
        }
        if (last_term > 0 && ov[2] > last_term) {
            ni->group_start = ov[2];
            ni->group_end = ov[3];
        }
    }
}

/* The key of ni's title into key (LUME_NAMING_TEXT_MAX + 1 bytes); its length. */
static size_t title_key(const name_info *ni, char *key)
{
    return lume_naming_key(ni->s + ni->title_start,
                           ni->title_end > ni->title_start ? ni->title_end - ni->title_start : 0,
                           key, LUME_NAMING_TEXT_MAX + 1);
}

/*
 * Read one name (a file name without its extension, or a folder name).
 * titles_only: a show folder above a season folder, whose numbers are all
 * title. hint: a key the title may be ("" for none): when the name's title,
 * read without it, is a beginning of the hint and the name spells the whole
 * hint to a word's end, the hint is the title ("Blade.Runner.2049.1080p" with
 * "bladerunner2049"). A hint never shortens a title. 1 when the title's key
 * is the hint.
 */
static int read_name(lume_naming *n, name_info *ni, const char *name, size_t len, int titles_only,
                     const char *hint)
{
    char key[LUME_NAMING_TEXT_MAX + 1];
    size_t kl, hl = hint != NULL ? strlen(hint) : 0, fixed;

    read_fixed(n, ni, name, len, titles_only, 0);
    if (hl == 0)
        return 0;
    kl = title_key(ni, key);
    if (kl == hl && memcmp(key, hint, hl) == 0)
        return 1;
    if (kl > hl || memcmp(key, hint, kl) != 0 || (fixed = hint_end(ni, hint)) == 0)
        return 0;
    read_fixed(n, ni, name, len, titles_only, fixed);
    return 1;
}

/* ---- A path --------------------------------------------------------------- */

static int lower_equals(const char *s, size_t len, const char *word)
{
    size_t wl = strlen(word);

    if (len != wl)
        return 0;
    for (size_t i = 0; i < len; i++)
        if ((s[i] >= 'A' && s[i] <= 'Z' ? s[i] + 32 : s[i]) != word[i])
            return 0;
    return 1;
}

static const char *extras_folder(const segment *g)
{
    for (size_t i = 0; i < NELEMS(extras_folders); i++)
        if (lower_equals(g->p, g->len, extras_folders[i].name))
            return extras_folders[i].extra;
    return NULL;
}

/* The season a folder names (0 for Specials), or -1. */
static int season_folder(lume_naming *n, const segment *g)
{
    char buf[NAME_BUF];
    size_t len = sanitize(g->p, g->len, buf), ov[12];

    if (!find(n, n->re[RE_SEASONDIR], buf, len, 0, 0, ov))
        return -1;
    if (group_set(ov, 1))
        return number(buf, ov, 1);
    if (group_set(ov, 2))
        return number(buf, ov, 2);
    return 0;
}

static void put_title(lume_media_name *out, const name_info *ni)
{
    copy_text(out->title, sizeof(out->title), ni->s + ni->title_start,
              ni->title_end > ni->title_start ? ni->title_end - ni->title_start : 0);
    lume_naming_key(out->title, strlen(out->title), out->key, sizeof(out->key));
    if (out->key[0] == '\0')
        out->title[0] = '\0';
}

static void put_words(lume_naming *n, lume_media_name *out, const name_info *ni)
{
    size_t ov[12];

    /* resolutions: 2160p, 1080i, 4K, UHD; else 1920x1080, 3840x2160 */
    {
        size_t at = ni->words;
        while (find(n, n->re[RE_TERM], ni->s, ni->len, at, 0, ov)) {
            const char *t = ni->s + ov[0];
            size_t tl = ov[1] - ov[0];
            int v = 0;
            if (tl >= 4 && (t[tl - 1] | 0x20) != 'k' && t[0] >= '0' && t[0] <= '9')
                v = atoi(t);
            else if (lower_equals(t, tl, "4k") || lower_equals(t, tl, "uhd"))
                v = 2160;
            if (v == 2160 || v == 1080 || v == 720 || v == 480 || v == 576) {
                out->resolution = v == 576 ? 480 : v;
                break;
            }
            at = ov[1];
        }
        if (out->resolution == 0) { /* 1920x1080, 3840x2160 */
            for (size_t i = ni->words; i + 4 < ni->len; i++) {
                if ((ni->s[i] | 0x20) == 'x' && i > 0 && ni->s[i - 1] >= '0' &&
                    ni->s[i - 1] <= '9') {
                    int v = atoi(ni->s + i + 1);
                    if (v == 2160 || v == 1080 || v == 720 || v == 480 || v == 576) {
                        out->resolution = v == 576 ? 480 : v;
                        break;
                    }
                }
            }
        }
    }
    out->source = first_rule(n, n->src, sources, NSOURCES, ni, ni->words);
    out->video_codec = first_rule(n, n->vc, video_codecs, NVCODECS, ni, ni->words);
    out->audio_codec = first_rule(n, n->ac, audio_codecs, NACODECS, ni, ni->words);
    out->language = first_rule(n, n->lang, languages, NLANGUAGES, ni, ni->lang_from);
    if (ni->group_end > ni->group_start)
        copy_text(out->group, sizeof(out->group), ni->s + ni->group_start,
                  ni->group_end - ni->group_start);
}

static void clear(lume_media_name *out)
{
    memset(out, 0, sizeof(*out));
    out->season = out->episode = out->episode_end = -1;
}

static int ext_in(const char *ext, size_t len, const char *const *list, size_t count)
{
    for (size_t i = 0; i < count; i++)
        if (lower_equals(ext, len, list[i]))
            return 1;
    return 0;
}

/* The nearest folder above index `below` that names a show or film: not a
 * season or extras folder; without a season folder under it, not a release
 * folder either (one with an episode marker). -1 when none. */
static int owner_folder(lume_naming *n, const segment *g, int below, int above_season,
                        name_info *tmp)
{
    for (int i = below - 1; i >= 0; i--) {
        if (extras_folder(&g[i]) != NULL)
            continue;
        if (season_folder(n, &g[i]) >= 0) {
            above_season = 1;
            continue;
        }
        if (above_season)
            return i;
        read_name(n, tmp, g[i].p, g[i].len, 0, "");
        if (tmp->marker == M_NONE)
            return i;
    }
    return -1;
}

int lume_naming_parse(lume_naming *n, const char *relpath, size_t len, const char *query,
                      lume_media_name *out)
{
    segment *g = n->seg;
    name_info *file = &n->file, *folder = &n->folder;
    char hint[LUME_NAMING_TEXT_MAX + 1] = "";
    size_t ng = 0, stem_len, start = 0;
    int season_dir = -1, season = -1, extras_at = -1, owner, n_folders, whole = 0;
    const char *extra = NULL;

    clear(out);
    if (relpath == NULL || len == 0 || len > LUME_NAMING_PATH_MAX || relpath[0] == '/' ||
        memchr(relpath, '\0', len) != NULL)
        return -1;
    for (size_t i = 0; i <= len; i++) {
        if (i == len || relpath[i] == '/') {
            size_t sl = i - start;
            if (sl == 0 || sl > LUME_NAMING_SEGMENT_MAX || (sl == 1 && relpath[start] == '.') ||
                (sl == 2 && relpath[start] == '.' && relpath[start + 1] == '.'))
                return -1;
            g[ng].p = relpath + start;
            g[ng].len = sl;
            ng++;
            start = i + 1;
        }
    }
    n_folders = (int)ng - 1;

    /* the extension: a video's is dropped, a sidecar is no video */
    stem_len = g[ng - 1].len;
    {
        const char *f = g[ng - 1].p, *dot = NULL;
        for (size_t i = stem_len; i > 0; i--)
            if (f[i - 1] == '.') {
                dot = f + i - 1;
                break;
            }
        if (dot != NULL && dot > f) {
            size_t el = stem_len - (size_t)(dot - f) - 1;
            if (ext_in(dot + 1, el, sidecar_exts, NELEMS(sidecar_exts)))
                return 0;
            if (ext_in(dot + 1, el, video_exts, NELEMS(video_exts)))
                stem_len = (size_t)(dot - f);
        }
    }

    for (int i = 0; i < n_folders; i++) {
        const char *x = extras_folder(&g[i]);
        int s;
        if (x != NULL) {
            extra = x;
            extras_at = i;
        } else if ((s = season_folder(n, &g[i])) >= 0) {
            season_dir = i;
            season = s;
        }
    }
    { /* trailer.mkv, Film-trailer.mkv (an extras folder's kind wins) */
        char buf[NAME_BUF];
        size_t bl = sanitize(g[ng - 1].p, stem_len, buf), ov[12];
        const char *x = NULL;
        for (size_t i = 0; i < NELEMS(extras_stems); i++)
            if (lower_equals(buf, bl, extras_stems[i].stem))
                x = extras_stems[i].extra, whole = 1;
        if (x == NULL && find(n, n->re[RE_EXTRASFX], buf, bl, 0, 0, ov)) {
            int gi = group_set(ov, 1) ? 1 : 2;
            for (size_t i = 0; i < NELEMS(extras_suffixes); i++)
                if (lower_equals(buf + ov[2 * gi], ov[2 * gi + 1] - ov[2 * gi],
                                 extras_suffixes[i].word))
                    x = extras_suffixes[i].extra;
            /* the suffix is no part of the name: cut it (it is ASCII, so as
             * long in the path as in buf) */
            if (x != NULL)
                stem_len -= bl - ov[0];
        }
        if (extra == NULL)
            extra = x;
    }

    /* the folder that owns the file: the show, the film */
    if (query != NULL)
        lume_naming_key(query, strlen(query), hint, sizeof(hint));
    owner = owner_folder(n, g, extras_at >= 0 ? extras_at : n_folders, season_dir >= 0, folder);
    if (owner >= 0)
        read_name(n, folder, g[owner].p, g[owner].len, season_dir > owner, hint);

    /* the file, with the query as hint; else with the owner folder's title */
    if (!read_name(n, file, g[ng - 1].p, stem_len, 0, hint) && owner >= 0) {
        title_key(folder, hint);
        read_name(n, file, g[ng - 1].p, stem_len, 0, hint);
    }

    put_title(out, file);
    put_words(n, out, file);
    out->year = file->year;

    if (extra != NULL) {
        out->kind = LUME_MEDIA_EXTRA;
        out->extra = extra;
        if (extras_at >= 0 || whole || out->key[0] == '\0') {
            if (owner >= 0) {
                put_title(out, folder);
                out->year = folder->year;
            }
        }
        out->season = season;
        return 0;
    }

    if (file->marker != M_NONE) {
        out->kind = LUME_MEDIA_EPISODE;
        out->season = file->season >= 0 ? file->season : season;
        out->episode = file->episode;
        out->episode_end = file->episode_end;
        out->air_year = file->air_year;
        out->air_month = file->air_month;
        out->air_day = file->air_day;
        if (file->et_end > file->et_start)
            copy_text(out->episode_title, sizeof(out->episode_title), file->s + file->et_start,
                      file->et_end - file->et_start);
        if (lume_naming_key(out->episode_title, strlen(out->episode_title), hint, sizeof(hint)) ==
            0)
            out->episode_title[0] = '\0';
    } else if (season_dir >= 0) {
        /* a file in a season folder without a marker: "02 - Title", "Episode 16" */
        size_t ov[12];
        out->kind = LUME_MEDIA_EPISODE;
        out->season = season;
        if (find(n, n->re[RE_LEADNUM], file->s, file->len, file->title_start, PCRE2_ANCHORED, ov)) {
            out->episode = number(file->s, ov, 1);
            if (group_set(ov, 2) && number(file->s, ov, 2) > out->episode)
                out->episode_end = number(file->s, ov, 2);
            copy_text(out->episode_title, sizeof(out->episode_title), file->s + ov[1],
                      first_term(n, file, ov[1]) - ov[1]);
        } else if (find(n, n->re[RE_EPONLY], file->s, file->len, file->title_start, 0, ov)) {
            out->episode = number(file->s, ov, 1);
            copy_text(out->episode_title, sizeof(out->episode_title), file->s + ov[1],
                      first_term(n, file, ov[1]) - ov[1]);
        } else {
            copy_text(out->episode_title, sizeof(out->episode_title), out->title,
                      strlen(out->title));
        }
        out->title[0] = out->key[0] = '\0';
        out->year = 0;
    } else if (out->key[0] != '\0' || owner >= 0) {
        out->kind = LUME_MEDIA_FILM;
    }

    /* the owner folder names the show above a season folder, and fills in
     * what the file name leaves out */
    if (owner >= 0 &&
        (out->key[0] == '\0' || (season_dir > owner && out->kind == LUME_MEDIA_EPISODE))) {
        int year = out->year;
        put_title(out, folder);
        out->year = folder->year ? folder->year : year;
    } else if (owner >= 0 && out->year == 0 && folder->year != 0) {
        char fk[LUME_NAMING_TEXT_MAX + 1];
        size_t fl = lume_naming_key(
            folder->s + folder->title_start,
            folder->title_end > folder->title_start ? folder->title_end - folder->title_start : 0,
            fk, sizeof(fk));
        if (fl > 0 && strcmp(fk, out->key) == 0)
            out->year = folder->year;
    }
    if (out->kind == LUME_MEDIA_FILM && out->key[0] == '\0')
        out->kind = LUME_MEDIA_UNKNOWN;
    if (out->kind == LUME_MEDIA_UNKNOWN) {
        int keep_kind = out->kind;
        clear(out);
        out->kind = keep_kind;
    }
    return 0;
}

/* ---- Matching a query ----------------------------------------------------- */

int lume_naming_match(const lume_media_name *m, const char *query, size_t len)
{
    char q[LUME_NAMING_TEXT_MAX + 8], ky[LUME_NAMING_TEXT_MAX + 8];
    size_t ql, kl;

    if (m == NULL || query == NULL || m->key[0] == '\0')
        return LUME_NAMING_NO_MATCH;
    ql = lume_naming_key(query, len, q, sizeof(q));
    if (ql == 0 || ql > LUME_NAMING_TEXT_MAX)
        return LUME_NAMING_NO_MATCH;
    if (strcmp(q, m->key) == 0)
        return LUME_NAMING_MATCH_TITLE;
    kl = strlen(m->key);
    if (m->year > 0 && ql == kl + 4 && memcmp(q, m->key, kl) == 0) {
        snprintf(ky, sizeof(ky), "%d", m->year);
        if (memcmp(q + kl, ky, 4) == 0)
            return LUME_NAMING_MATCH_YEAR;
    }
    return LUME_NAMING_NO_MATCH;
}
