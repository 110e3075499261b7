/*
 * provider_set.h: the providers a worker runs (LUME_PROVIDERS), asked
 * together under one deadline.
 *
 * A worker creates its set once, after fork: every listed provider, each
 * reused for every request. The first listed provider is asked on the
 * worker's own thread; each other one has a thread of its own, made with
 * the set and kept (blocked, no signals) until the set is destroyed. A
 * search hands each thread the request, asks the first provider itself,
 * then waits for the others: their network I/O overlaps, so a request takes
 * as long as its slowest provider, not the sum. A provider that is not done
 * at the deadline (plus a short grace) counts as timed out; its thread
 * finishes on its own, and that provider is reported busy (503) until it
 * has. With one provider there are no threads at all.
 *
 * The results of the providers that answered are merged, each tagged with
 * its provider and its place in the list (results.h); what each provider
 * did is in the outcomes. A search fails only when every provider failed.
 */
#ifndef LUME_PROVIDER_SET_H
#define LUME_PROVIDER_SET_H

#include "provider.h"

/* Past the deadline, how long a search waits for a provider's thread. */
#define LUME_PROVIDER_GRACE_MS 50
/* Candidates kept from one provider (the rest are dropped before ranking);
 * URLs longer than this are not candidates: the bounds of an answer
 * (docs/api.md, "/streams"). */
#define LUME_CANDIDATES_PER_PROVIDER 50
#define LUME_CANDIDATE_URL_MAX       2048

typedef struct lume_provider_set lume_provider_set;

/* What one provider did with a request. */
typedef struct lume_provider_outcome {
    const char *name;     /* its LUME_PROVIDERS name: "archive" */
    const char *reported; /* "ArchiveProvider" */
    lume_status status;   /* LUME_OK: it answered */
    lume_provider_error err;
    size_t found; /* candidates it gave (a search) */
} lume_provider_outcome;

/* Create every provider conf lists. NULL with a message in err. */
lume_provider_set *lume_provider_set_create(const lume_provider_conf *conf, lume_shared *shared,
                                            char *err, size_t errlen);
void lume_provider_set_destroy(lume_provider_set *set);

size_t lume_provider_set_count(const lume_provider_set *set);
/* The i-th listed provider (for its names and labels only: calls go
 * through the set, or lume_provider_set_borrow). */
const lume_provider *lume_provider_set_at(const lume_provider_set *set, size_t i);
/* "MockProvider", or "LibraryProvider,ArchiveProvider": error envelopes. */
const char *lume_provider_set_reported(const lume_provider_set *set);
/* Hand each provider the pool's counters (lume_provider_observe). */
void lume_provider_set_observe(lume_provider_set *set, lume_metrics *m, lume_metrics_slot *slot);

/* The worker has nothing to do and is about to wait: each provider's idle
 * (lume_provider_idle), but for one whose thread still works. */
void lume_provider_set_idle(lume_provider_set *set);

/* Ask every provider. The candidates of those that answered are added to
 * out (out->next: the first provider's that knows); outcomes (count
 * entries) say what each did. LUME_OK when at least one answered; else the
 * first listed provider's status, with every provider's message in err
 * ("archive: upstream timed out; library: ..."), and out empty. */
lume_status lume_provider_set_search(lume_provider_set *set, const lume_search *s,
                                     lume_results *out, lume_provider_outcome *outcomes,
                                     lume_provider_error *err);

/* The listed provider called name ("archive"), lent to the caller's thread
 * for one call of its own (browse, episodes); NULL when none is listed by
 * that name, or while its thread still has an earlier request. Give it back
 * with lume_provider_set_return before the next search. */
lume_provider *lume_provider_set_borrow(lume_provider_set *set, const char *name);
void lume_provider_set_return(lume_provider_set *set, lume_provider *p);

/* Ask every provider's health check. LUME_OK when at least one can serve;
 * else as a search fails. */
lume_status lume_provider_set_health(lume_provider_set *set, int64_t deadline_ms,
                                     lume_provider_outcome *outcomes, lume_provider_error *err);

#endif
