/*
 * episode.h: finds which season and episode a title names, with PCRE2.
 *
 * Titles write episodes as "S01E02", "1x02" and "Season 1 Episode 2" (any
 * case, any of " ._-" between the parts; on the Internet Archive as in
 * release names generally); a season alone as "S01" or "Season 1". Shared by
 * the providers that filter titles by episode (the archive). The regexes are
 * compiled once (JIT where available) when the matcher is created; matching
 * is a pure function of the title. A matcher is not thread-safe (it keeps
 * its match data): one per worker.
 */
#ifndef LUME_EPISODE_H
#define LUME_EPISODE_H

#include <stddef.h>

typedef struct lume_episode_matcher lume_episode_matcher;

/* NULL with a message in err when the regexes do not compile or memory runs out. */
lume_episode_matcher *lume_episode_matcher_create(char *err, size_t errlen);
void lume_episode_matcher_destroy(lume_episode_matcher *m);

/* Does title (len bytes) name season and episode? episode 0: does it name
 * that season, alone or with any episode? season 0 matches every title. */
int lume_episode_matches(lume_episode_matcher *m, const char *title, size_t len, int season,
                         int episode);

#endif
