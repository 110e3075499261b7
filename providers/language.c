/*
 * language.c: subtitle languages from file names (see language.h): one table
 * of languages with their codes and names, and the walk back over a name's
 * last tags.
 */
#include "language.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

typedef struct lang {
    const char *code;  /* ISO 639-1 */
    const char *three; /* ISO 639-2/T */
    const char *bib;   /* ISO 639-2/B, when it differs; else NULL */
    const char *name;  /* English name, which is also the label */
} lang;

static const lang langs[] = {
    {"ar", "ara", NULL, "Arabic"},     {"bg", "bul", NULL, "Bulgarian"},
    {"cs", "ces", "cze", "Czech"},     {"da", "dan", NULL, "Danish"},
    {"de", "deu", "ger", "German"},    {"el", "ell", "gre", "Greek"},
    {"en", "eng", NULL, "English"},    {"es", "spa", NULL, "Spanish"},
    {"fa", "fas", "per", "Persian"},   {"fi", "fin", NULL, "Finnish"},
    {"fr", "fra", "fre", "French"},    {"he", "heb", NULL, "Hebrew"},
    {"hi", "hin", NULL, "Hindi"},      {"hu", "hun", NULL, "Hungarian"},
    {"id", "ind", NULL, "Indonesian"}, {"it", "ita", NULL, "Italian"},
    {"ja", "jpn", NULL, "Japanese"},   {"ko", "kor", NULL, "Korean"},
    {"nl", "nld", "dut", "Dutch"},     {"no", "nor", NULL, "Norwegian"},
    {"pl", "pol", NULL, "Polish"},     {"pt", "por", NULL, "Portuguese"},
    {"ro", "ron", "rum", "Romanian"},  {"ru", "rus", NULL, "Russian"},
    {"sv", "swe", NULL, "Swedish"},    {"th", "tha", NULL, "Thai"},
    {"tr", "tur", NULL, "Turkish"},    {"uk", "ukr", NULL, "Ukrainian"},
    {"vi", "vie", NULL, "Vietnamese"}, {"zh", "zho", "chi", "Chinese"},
};

/* Regions a tag may carry, with their labels: "pt-BR" is "Portuguese (Brazil)". */
static const struct {
    const char *tag, *label;
} regional[] = {
    {"pt-BR", "Portuguese (Brazil)"},     {"es-419", "Spanish (Latin America)"},
    {"zh-TW", "Chinese (Taiwan)"},        {"zh-CN", "Chinese (China)"},
    {"fr-CA", "French (Canada)"},         {"en-GB", "English (United Kingdom)"},
    {"en-US", "English (United States)"},
};

static const lang *find(const char *t, size_t n)
{
    for (size_t i = 0; i < sizeof(langs) / sizeof(langs[0]); i++) {
        const lang *l = &langs[i];
        if ((n == 2 && strncasecmp(t, l->code, 2) == 0) ||
            (n == 3 && (strncasecmp(t, l->three, 3) == 0 ||
                        (l->bib != NULL && strncasecmp(t, l->bib, 3) == 0))) ||
            (n == strlen(l->name) && strncasecmp(t, l->name, n) == 0))
            return l;
    }
    return NULL;
}

static int is_sep(char c)
{
    return c == '.' || c == '_' || c == '-' || c == ' ';
}

/* A flag tag: 1 forced, 2 sdh; 0 when t is none. */
static int flag(const char *t, size_t n)
{
    if (n == 6 && strncasecmp(t, "forced", 6) == 0)
        return 1;
    if ((n == 3 && strncasecmp(t, "sdh", 3) == 0) || (n == 2 && strncasecmp(t, "cc", 2) == 0))
        return 2;
    if (n == 7 && strncasecmp(t, "default", 7) == 0)
        return 3;
    return 0;
}

/* A region after a language: two letters, or three digits (419). */
static int is_region(const char *t, size_t n)
{
    if (n == 2)
        return (t[0] | 32) >= 'a' && (t[0] | 32) <= 'z' && (t[1] | 32) >= 'a' && (t[1] | 32) <= 'z';
    return n == 3 && t[0] >= '0' && t[0] <= '9' && t[1] >= '0' && t[1] <= '9' && t[2] >= '0' &&
           t[2] <= '9';
}

int lume_language_of_file(const char *name, size_t len, lume_language *out)
{
    const char *base = name, *end;
    const char *tags[4];
    size_t tlen[4], ntags = 0;

    memset(out, 0, sizeof(*out));
    for (size_t i = 0; i < len; i++)
        if (name[i] == '/')
            base = name + i + 1;
    end = name + len;
    /* drop the extension */
    for (const char *p = end; p > base; p--)
        if (p[-1] == '.') {
            end = p - 1;
            break;
        }
    /* the last tags, newest first, up to four */
    while (end > base && ntags < 4) {
        const char *start = end;
        while (start > base && !is_sep(start[-1]))
            start--;
        if (start == base) /* the title itself, never a tag */
            break;
        tags[ntags] = start;
        tlen[ntags++] = (size_t)(end - start);
        end = start - 1;
    }
    for (size_t i = 0; i < ntags; i++) {
        int f = flag(tags[i], tlen[i]);
        const lang *l;

        if (f == 1) {
            out->forced = 1;
            continue;
        }
        if (f == 2 || (tlen[i] == 2 && strncasecmp(tags[i], "hi", 2) == 0 && i == 0 && ntags > 1 &&
                       find(tags[1], tlen[1]) != NULL)) {
            out->sdh = 1; /* "hi" is Hindi, unless a language precedes it: Film.en.hi.srt */
            continue;
        }
        if (f == 3)
            continue;
        /* a region, then its language: pt-BR is the tags "BR", "pt" */
        if (i + 1 < ntags && is_region(tags[i], tlen[i]) && tags[i][-1] == '-' &&
            (l = find(tags[i + 1], tlen[i + 1])) != NULL && tlen[i + 1] == 2) {
            char tag[LUME_LANGUAGE_TAG_BUF];
            snprintf(tag, sizeof(tag), "%s-%.*s", l->code, (int)tlen[i], tags[i]);
            if (tlen[i] == 2) {
                tag[3] = (char)(tag[3] & ~32);
                tag[4] = (char)(tag[4] & ~32);
            }
            memcpy(out->tag, tag, sizeof(tag));
            out->label = l->name;
            for (size_t r = 0; r < sizeof(regional) / sizeof(regional[0]); r++)
                if (strcmp(regional[r].tag, tag) == 0)
                    out->label = regional[r].label;
            return 1;
        }
        if ((l = find(tags[i], tlen[i])) != NULL) {
            snprintf(out->tag, sizeof(out->tag), "%s", l->code);
            out->label = l->name;
            return 1;
        }
        return 0; /* the nearest tag that is no flag names no language */
    }
    return 0;
}
