/*
 * provider_set.c: the listed providers, created once, asked together: one
 * kept thread for each provider after the first, a job handed over under a
 * mutex, the results merged by the worker's thread (see provider_set.h).
 */
#include "provider_set.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "wait.h"

typedef enum job_kind { JOB_SEARCH, JOB_HEALTH } job_kind;

typedef enum member_state {
    IDLE,    /* waiting for a job */
    LENT,    /* the worker's thread uses the provider itself (borrow) */
    WORKING, /* a job handed over, not done */
    DONE,    /* done; the worker's thread has yet to take the answer */
    QUIT     /* the set is going away */
} member_state;

typedef struct member {
    lume_provider *provider;
    int index; /* in the registry: its row of the metrics */
    const char *name, *reported;
    int threaded;
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv; /* state changed */
    member_state state;
    /* The job: copies, so that a thread still working after its search gave
     * up on it reads nothing of the worker's. */
    job_kind kind;
    lume_search search;
    char *query, *formatted;
    int64_t deadline_ms;
    /* The answer. */
    lume_results results;
    lume_status status;
    lume_provider_error err;
    int64_t took_us; /* how long the job ran */
    /* Written by the worker's thread only: this request's view. */
    int late; /* its thread still has the job (results, status, err not ours) */
    lume_status outcome;
    lume_provider_error why;
} member;

struct lume_provider_set {
    member members[LUME_PROVIDERS_MAX];
    size_t count;
    lume_metrics_slot *counts; /* this worker's (lume_provider_set_observe); may be NULL */
    char reported[LUME_PROVIDERS_MAX * LUME_PROVIDER_NAME_LEN];
};

/* Run m's job on the calling thread. */
static void run_job(member *m)
{
    int64_t started = lume_now_us();

    memset(&m->err, 0, sizeof(m->err));
    lume_results_clear(&m->results);
    if (m->kind == JOB_SEARCH)
        m->status = lume_provider_search(m->provider, &m->search, &m->results, &m->err);
    else
        m->status = lume_provider_health(m->provider, m->deadline_ms, &m->err);
    m->took_us = lume_now_us() - started;
}

static void *member_main(void *arg)
{
    member *m = arg;

    lume_wait_helper_thread();
    pthread_mutex_lock(&m->mu);
    for (;;) {
        while (m->state != WORKING && m->state != QUIT)
            pthread_cond_wait(&m->cv, &m->mu);
        if (m->state == QUIT)
            break;
        pthread_mutex_unlock(&m->mu);
        run_job(m);
        pthread_mutex_lock(&m->mu);
        if (m->state == QUIT)
            break;
        m->state = DONE;
        pthread_cond_broadcast(&m->cv);
    }
    pthread_mutex_unlock(&m->mu);
    return NULL;
}

/* Start m's thread, with every signal blocked in it: signals are the worker
 * thread's business. */
static int start_thread(member *m, char *err, size_t errlen)
{
    sigset_t all, old;
    int rc;

    if (pthread_mutex_init(&m->mu, NULL) != 0 || pthread_cond_init(&m->cv, NULL) != 0) {
        snprintf(err, errlen, "cannot make a provider thread's lock");
        return -1;
    }
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    rc = pthread_create(&m->thread, NULL, member_main, m);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (rc != 0) {
        snprintf(err, errlen, "cannot start a thread for provider %s: %s", m->name, strerror(rc));
        pthread_cond_destroy(&m->cv);
        pthread_mutex_destroy(&m->mu);
        return -1;
    }
    m->threaded = 1;
    return 0;
}

lume_provider_set *lume_provider_set_create(const lume_provider_conf *conf, lume_shared *shared,
                                            char *err, size_t errlen)
{
    int index[LUME_PROVIDERS_MAX], n = lume_provider_list(conf->name, index);
    lume_provider_set *set;

    if (n < 1) {
        snprintf(err, errlen, "unknown provider %s", conf->name);
        return NULL;
    }
    if ((set = calloc(1, sizeof(*set))) == NULL) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    lume_provider_reported(conf, set->reported, sizeof(set->reported));
    for (int i = 0; i < n; i++) {
        member *m = &set->members[i];
        if ((m->provider = lume_provider_create_at(conf, index[i], shared, err, errlen)) == NULL)
            goto fail;
        set->count++;
        m->index = index[i];
        m->name = lume_provider_config_name(m->provider);
        m->reported = lume_provider_name(m->provider);
        lume_results_init(&m->results);
        if (i > 0 && start_thread(m, err, errlen) != 0)
            goto fail;
    }
    return set;
fail:
    lume_provider_set_destroy(set);
    return NULL;
}

void lume_provider_set_destroy(lume_provider_set *set)
{
    if (set == NULL)
        return;
    for (size_t i = 0; i < set->count; i++) {
        member *m = &set->members[i];
        if (m->threaded) {
            pthread_mutex_lock(&m->mu);
            m->state = QUIT;
            pthread_cond_broadcast(&m->cv);
            pthread_mutex_unlock(&m->mu);
            pthread_join(m->thread, NULL); /* a provider honours its deadline */
            pthread_cond_destroy(&m->cv);
            pthread_mutex_destroy(&m->mu);
        }
        lume_provider_destroy(m->provider);
        lume_results_free(&m->results);
        free(m->query);
        free(m->formatted);
    }
    free(set);
}

size_t lume_provider_set_count(const lume_provider_set *set)
{
    return set->count;
}

const lume_provider *lume_provider_set_at(const lume_provider_set *set, size_t i)
{
    return i < set->count ? set->members[i].provider : NULL;
}

const char *lume_provider_set_reported(const lume_provider_set *set)
{
    return set->reported;
}

void lume_provider_set_observe(lume_provider_set *set, lume_metrics *m, lume_metrics_slot *slot)
{
    set->counts = slot;
    for (size_t i = 0; i < set->count; i++)
        lume_provider_observe(set->members[i].provider, m, slot);
}

/* Hand m the job: its own copy of the strings when a thread of its own runs
 * it (the worker's buffers may be gone before it is done); the worker's
 * when the worker runs it itself. -1 when out of memory. */
static int set_job(member *m, job_kind kind, const lume_search *s, int64_t deadline_ms)
{
    m->kind = kind;
    m->deadline_ms = deadline_ms;
    if (kind != JOB_SEARCH)
        return 0;
    if (!m->threaded) {
        m->search = *s;
        return 0;
    }
    free(m->query);
    free(m->formatted);
    m->query = strdup(s->query);
    m->formatted = strdup(s->formatted);
    m->search = *s;
    m->search.query = m->query;
    m->search.formatted = m->formatted;
    return m->query != NULL && m->formatted != NULL ? 0 : -1;
}

/* Hand m its job. -1 when it is still busy with an earlier one. */
static int post(member *m)
{
    int posted = 0;

    pthread_mutex_lock(&m->mu);
    if (m->state == IDLE) {
        m->state = WORKING;
        pthread_cond_broadcast(&m->cv);
        posted = 1;
    }
    pthread_mutex_unlock(&m->mu);
    return posted ? 0 : -1;
}

/* Wait until m is done, or until the wait's end (lume_now_ms clock). 0 when
 * done (m is idle again, its answer readable), -1 when not. */
static int await(member *m, int64_t until_ms)
{
    int done;

    pthread_mutex_lock(&m->mu);
    while (m->state == WORKING) {
        int64_t now = lume_now_ms();
        struct timespec ts;
        if (now >= until_ms)
            break;
        clock_gettime(CLOCK_REALTIME, &ts); /* the condition's clock */
        ts.tv_sec += (until_ms - now) / 1000;
        ts.tv_nsec += ((until_ms - now) % 1000) * 1000000L;
        if (ts.tv_nsec >= 1000000000L) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&m->cv, &m->mu, &ts);
    }
    done = m->state == DONE;
    if (done)
        m->state = IDLE;
    pthread_mutex_unlock(&m->mu);
    return done ? 0 : -1;
}

/* Count what each provider did with a search (metrics.h), from the worker's
 * thread: a late one took the whole wait. */
static void count(lume_provider_set *set, int64_t started_us)
{
    for (size_t i = 0; i < set->count; i++) {
        const member *m = &set->members[i];
        lume_provided o = m->outcome == LUME_OK                ? LUME_PROVIDED_OK
                          : m->outcome == LUME_ERR_TIMEOUT     ? LUME_PROVIDED_TIMEOUT
                          : m->outcome == LUME_ERR_UNAVAILABLE ? LUME_PROVIDED_UNAVAILABLE
                                                               : LUME_PROVIDED_ERROR;
        lume_metrics_provider(set->counts, m->index, o,
                              m->late ? lume_now_us() - started_us : m->took_us);
    }
}

/* Run one job on every member; each member's status and err are set. */
static void run_all(lume_provider_set *set, job_kind kind, const lume_search *s,
                    int64_t deadline_ms)
{
    int posted[LUME_PROVIDERS_MAX] = {0};
    member *first = &set->members[0];
    int64_t started = lume_now_us();

    for (size_t i = 1; i < set->count; i++) {
        member *m = &set->members[i];
        int idle;
        pthread_mutex_lock(&m->mu);
        if (m->state == DONE)
            m->state = IDLE; /* a late answer to an earlier request: dropped */
        idle = m->state == IDLE;
        pthread_mutex_unlock(&m->mu);
        m->late = !idle;
        memset(&m->why, 0, sizeof(m->why));
        if (!idle) {
            m->outcome = lume_provider_fail(&m->why, LUME_ERR_UNAVAILABLE,
                                            "still busy with an earlier request");
            continue;
        }
        if (set_job(m, kind, s, deadline_ms) != 0) {
            m->outcome = lume_provider_fail(&m->why, LUME_ERR_INTERNAL, "%s",
                                            lume_status_message(LUME_ERR_INTERNAL));
            continue;
        }
        posted[i] = post(m) == 0;
    }
    if (set->count > 1)
        lume_wait_begin(); /* nothing the worker holds waits on the providers (wait.h) */
    first->late = 0;
    if (set_job(first, kind, s, deadline_ms) == 0) {
        run_job(first);
        first->outcome = first->status;
        first->why = first->err;
    } else {
        first->outcome = lume_provider_fail(&first->why, LUME_ERR_INTERNAL, "%s",
                                            lume_status_message(LUME_ERR_INTERNAL));
    }
    for (size_t i = 1; i < set->count; i++) {
        member *m = &set->members[i];
        if (!posted[i])
            continue;
        if (await(m, deadline_ms + LUME_PROVIDER_GRACE_MS) != 0) {
            m->late = 1;
            m->outcome = lume_provider_fail(&m->why, LUME_ERR_TIMEOUT, "no answer by the deadline");
        } else {
            m->outcome = m->status;
            m->why = m->err;
        }
    }
    if (kind == JOB_SEARCH)
        count(set, started);
}

/* Every member's outcome; the status of the request: OK when one answered,
 * else the first one's, with every message in err. */
static lume_status settle(lume_provider_set *set, lume_provider_outcome *outcomes,
                          lume_provider_error *err)
{
    lume_status first = LUME_OK;
    size_t used = 0, ok = 0;

    for (size_t i = 0; i < set->count; i++) {
        member *m = &set->members[i];
        outcomes[i].name = m->name;
        outcomes[i].reported = m->reported;
        outcomes[i].status = m->outcome;
        outcomes[i].err = m->why;
        outcomes[i].found = m->outcome == LUME_OK ? m->results.count : 0;
        ok += m->outcome == LUME_OK;
        if (m->outcome != LUME_OK && first == LUME_OK) {
            first = m->outcome;
            if (err != NULL)
                err->retry_after_s = m->why.retry_after_s;
        }
    }
    if (ok > 0)
        return LUME_OK;
    if (err != NULL) {
        if (set->count == 1) {
            *err = set->members[0].why;
            return first;
        }
        err->message[0] = '\0';
        for (size_t i = 0; i < set->count && used < sizeof(err->message); i++) {
            const member *m = &set->members[i];
            int w = snprintf(err->message + used, sizeof(err->message) - used, "%s%s: %s",
                             i > 0 ? "; " : "", m->name,
                             m->why.message[0] ? m->why.message : lume_status_message(m->outcome));
            used += w > 0 ? (size_t)w : 0;
        }
    }
    return first;
}

/* Move m's candidates to out, tagged, bounded (provider_set.h). */
static lume_status merge(member *m, int rank, lume_results *out)
{
    size_t kept = 0;

    for (size_t i = 0; i < m->results.count; i++) {
        lume_media_link *c = &m->results.items[i];
        if (kept == LUME_CANDIDATES_PER_PROVIDER || strlen(c->url) > LUME_CANDIDATE_URL_MAX) {
            lume_media_link_free(c);
            continue;
        }
        for (size_t j = 0; j < c->nsubtitles; j++)
            if (strlen(c->subtitles[j].url) > LUME_CANDIDATE_URL_MAX) {
                free(c->subtitles[j].url);
                c->subtitles[j--] = c->subtitles[--c->nsubtitles];
            }
        c->provider = m->name;
        c->provider_rank = rank;
        m->results.items[kept++] = *c;
    }
    m->results.count = kept;
    return lume_results_take(out, &m->results);
}

lume_status lume_provider_set_search(lume_provider_set *set, const lume_search *s,
                                     lume_results *out, lume_provider_outcome *outcomes,
                                     lume_provider_error *err)
{
    lume_status st;
    int next_set = 0;

    run_all(set, JOB_SEARCH, s, s->deadline_ms);
    st = settle(set, outcomes, err);
    for (size_t i = 0; i < set->count; i++) {
        member *m = &set->members[i];
        if (m->late)
            continue; /* its thread still writes there */
        if (m->outcome != LUME_OK) {
            lume_results_clear(&m->results);
            continue;
        }
        if (!next_set && m->results.next != LUME_NEXT_UNKNOWN) {
            out->next = m->results.next;
            next_set = 1;
        }
        if (st == LUME_OK && merge(m, (int)i, out) != LUME_OK)
            st = lume_provider_fail(err, LUME_ERR_INTERNAL, "%s",
                                    lume_status_message(LUME_ERR_INTERNAL));
        lume_results_clear(&m->results);
    }
    return st;
}

void lume_provider_set_idle(lume_provider_set *set)
{
    for (size_t i = 0; i < set->count; i++) {
        member *m = &set->members[i];
        member_state was;

        if (!m->threaded) {
            lume_provider_idle(m->provider);
            continue;
        }
        /* Its thread may still work on a request given up on: not then. */
        pthread_mutex_lock(&m->mu);
        was = m->state;
        if (was == IDLE || was == DONE)
            m->state = LENT;
        pthread_mutex_unlock(&m->mu);
        if (was != IDLE && was != DONE)
            continue;
        lume_provider_idle(m->provider);
        pthread_mutex_lock(&m->mu);
        m->state = was;
        pthread_cond_broadcast(&m->cv);
        pthread_mutex_unlock(&m->mu);
    }
}

lume_provider *lume_provider_set_borrow(lume_provider_set *set, const char *name)
{
    for (size_t i = 0; i < set->count; i++) {
        member *m = &set->members[i];
        int lent = 1;
        if (strcmp(m->name, name) != 0)
            continue;
        if (m->threaded) {
            pthread_mutex_lock(&m->mu);
            if (m->state == DONE)
                m->state = IDLE; /* a late answer to an earlier request: dropped */
            lent = m->state == IDLE;
            if (lent)
                m->state = LENT;
            pthread_mutex_unlock(&m->mu);
        }
        return lent ? m->provider : NULL;
    }
    return NULL;
}

void lume_provider_set_return(lume_provider_set *set, lume_provider *p)
{
    for (size_t i = 0; i < set->count; i++) {
        member *m = &set->members[i];
        if (m->provider != p || !m->threaded)
            continue;
        pthread_mutex_lock(&m->mu);
        m->state = IDLE;
        pthread_mutex_unlock(&m->mu);
    }
}

lume_status lume_provider_set_health(lume_provider_set *set, int64_t deadline_ms,
                                     lume_provider_outcome *outcomes, lume_provider_error *err)
{
    run_all(set, JOB_HEALTH, NULL, deadline_ms);
    return settle(set, outcomes, err);
}
