/*
 * rank.h: the API's rules over the candidates every provider found, applied
 * here and nowhere else (docs/api.md, "Ranking"):
 *
 *   1. dead ones (seeds 0) are dropped;
 *   2. each is marked direct_play for the device (caps.h): yes when its
 *      container and video codec are known and the device plays them (and
 *      its audio codec, when known); no when any known one it does not play;
 *      unknown otherwise;
 *   3. ordered: direct-playable first (yes, unknown, no); then the highest
 *      height not above the device's largest, then the unknown heights, then
 *      those above it, the nearest first; then provider order
 *      (LUME_PROVIDERS); then seeds, highest first; then the order they
 *      arrived in;
 *   4. duplicates (the same URL, or the same key: one item's file reached
 *      two ways) appear once, at the better place;
 *   5. only the first limit are kept.
 *
 * Heights are the providers' facts, never a label read from a title: where
 * no candidate has facts (the built-in mock catalogue), the order is the
 * contract's, by seeds.
 */
#ifndef LUME_RANK_H
#define LUME_RANK_H

#include <stddef.h>

#include "caps.h"
#include "results.h"

/* Is a candidate with these facts direct-playable on the device? */
lume_tri lume_direct_play(const lume_caps *caps, const lume_media_facts *f);

/* Apply the rules above to r. Returns how many live, distinct candidates
 * there were, the limit aside; r->count is then the smaller of that and
 * limit. */
size_t lume_results_rank(lume_results *r, const lume_caps *caps, size_t limit);

#endif
