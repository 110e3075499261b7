/*
 * next_link.h: the next-episode hint of an episode resolve (docs/api.md), the
 * value of its Link header (RFC 8288), so that the app can prefetch the next
 * episode without building URLs:
 *
 *   </resolve/the%20boys?season=4&episode=2>; rel="next"                 unknown
 *   </resolve/the%20boys?season=4&episode=2>; rel="next"; exists="true"  known to have a result
 *   </resolve/the%20boys?season=5&episode=1>; rel="next"; exists="true"  the next season's first
 *   </resolve/the%20boys?season=4&episode=1>; rel="last"                 this one is the last
 *
 * The query is the decoded, trimmed one, written as one path segment: every
 * byte but the unreserved characters of RFC 3986 as %XX (upper-case hex),
 * and a segment of only "." or ".." (which clients would resolve away) as
 * %2E.
 */
#ifndef LUME_NEXT_LINK_H
#define LUME_NEXT_LINK_H

#include "results.h" /* lume_next */

/* The Link header's value for the resolve of (query, season, episode), both
 * > 0, given what the provider knows of the next one: a new string (free()
 * it), or NULL when there is no next number (episode 9999 not known to
 * continue) or out of memory. */
char *lume_next_link(const char *query, int season, int episode, lume_next next);

#endif
