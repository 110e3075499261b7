/*
 * episode.c: the PCRE2 episode matcher (see episode.h). Every occurrence in
 * the title counts, so "Show S01E01-S01E02" names both episodes.
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdio.h>
#include <stdlib.h>

#include "episode.h"

/* Each pattern captures the season in group 1 and, when it has one, the
 * episode in group 2. Numbers stop at word boundaries so "1920x1080" is no
 * episode and "S01E02" is not "S01E020". */
static const struct {
    const char *pattern;
    int has_episode;
} forms[] = {
    {"(?<![A-Za-z0-9])S(\\d{1,4})[ ._-]?E(\\d{1,4})(?![0-9])", 1},
    {"(?<![A-Za-z0-9])(\\d{1,2})x(\\d{2,3})(?![0-9])", 1},
    {"(?<![A-Za-z0-9])Season[ ._-]*(\\d{1,4})[ ._,:-]*Episode[ ._-]*(\\d{1,4})(?![0-9])", 1},
    {"(?<![A-Za-z0-9])S(\\d{1,4})(?![A-Za-z0-9])", 0},
    {"(?<![A-Za-z0-9])Season[ ._-]*(\\d{1,4})(?![0-9])", 0},
};
#define NFORMS (sizeof(forms) / sizeof(forms[0]))

struct lume_episode_matcher {
    pcre2_code *re[NFORMS];
    pcre2_match_data *md;
};

void lume_episode_matcher_destroy(lume_episode_matcher *m)
{
    if (m == NULL)
        return;
    for (size_t i = 0; i < NFORMS; i++)
        pcre2_code_free(m->re[i]);
    pcre2_match_data_free(m->md);
    free(m);
}

lume_episode_matcher *lume_episode_matcher_create(char *err, size_t errlen)
{
    lume_episode_matcher *m = calloc(1, sizeof(*m));
    int code;
    PCRE2_SIZE offset;

    if (m == NULL)
        goto oom;
    for (size_t i = 0; i < NFORMS; i++) {
        m->re[i] = pcre2_compile((PCRE2_SPTR)forms[i].pattern, PCRE2_ZERO_TERMINATED,
                                 PCRE2_CASELESS | PCRE2_UTF, &code, &offset, NULL);
        if (m->re[i] == NULL) {
            PCRE2_UCHAR msg[128];
            pcre2_get_error_message(code, msg, sizeof(msg));
            snprintf(err, errlen, "episode pattern %zu at %zu: %s", i, (size_t)offset,
                     (const char *)msg);
            lume_episode_matcher_destroy(m);
            return NULL;
        }
        (void)pcre2_jit_compile(m->re[i], PCRE2_JIT_COMPLETE); /* interpreted when no JIT */
    }
    m->md = pcre2_match_data_create(3, NULL);
    if (m->md == NULL)
        goto oom;
    return m;
oom:
    snprintf(err, errlen, "out of memory");
    lume_episode_matcher_destroy(m);
    return NULL;
}

static int number(const char *s, PCRE2_SIZE *ov, int group)
{
    long n = 0;

    for (PCRE2_SIZE i = ov[2 * group]; i < ov[2 * group + 1]; i++)
        n = n * 10 + (s[i] - '0');
    return (int)n;
}

int lume_episode_matches(lume_episode_matcher *m, const char *title, size_t len, int season,
                         int episode)
{
    if (season <= 0)
        return 1;
    for (size_t f = 0; f < NFORMS; f++) {
        if (!forms[f].has_episode && episode > 0)
            continue;
        PCRE2_SIZE start = 0;
        while (start <= len) {
            /* PCRE2_NO_UTF_CHECK is not used: titles come from upstream JSON
             * (valid UTF-8), and a bad one simply does not match. */
            int rc = pcre2_match(m->re[f], (PCRE2_SPTR)title, len, start, 0, m->md, NULL);
            PCRE2_SIZE *ov;

            if (rc < 0)
                break;
            ov = pcre2_get_ovector_pointer(m->md);
            if (number(title, ov, 1) == season &&
                (episode <= 0 || (forms[f].has_episode && number(title, ov, 2) == episode)))
                return 1;
            start = ov[1] > ov[0] ? ov[1] : ov[0] + 1;
        }
    }
    return 0;
}
