/*
 * archive_http.c: parallel fetches over one curl multi handle, with retries,
 * backoff, a body cap and a deadline (see archive_http.h).
 *
 * One loop drives everything: start the fetches that are due, let curl work,
 * collect finished transfers (finish them or schedule a retry after a backoff
 * delay), then poll until the next socket event, retry or the deadline. When
 * the deadline passes, every unfinished transfer is dropped at once. A body is
 * buffered only while its transfer runs (never beyond body_max + 1 bytes) and
 * is handed over or freed as soon as the fetch ends.
 */
#include <curl/curl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "archive_http.h"
#include "backoff.h"
#include "clock.h"
#include "log.h"
#include "wait.h"

struct archive_http {
    CURLM *multi;
    CURL **pool; /* every easy handle ever made, reused across requests */
    int *busy;
    size_t pool_len;
    struct curl_slist *headers;
    lume_backoff *backoff;
    long connect_timeout_ms;
    long retries;
    size_t body_max;
    char user_agent[128];
};

/* One archive_http_fetch_all() call: what to do with fetches as they end. */
typedef struct run {
    archive_fetch *fetches;
    archive_fetch_done done;
    void *ctx;
} run;

enum { SLOT_WAITING, SLOT_RUNNING, SLOT_DONE };

typedef struct slot {
    archive_fetch *f;
    archive_http *h;
    const run *run;
    CURL *easy;
    int state;
    int oversized;
    int64_t start_at;
    char *buf;
    size_t len, cap;
} slot;

archive_http *archive_http_create(const archive_http_opts *opts, char *err, size_t errlen)
{
    archive_http *h = calloc(1, sizeof(*h));

    if (h == NULL || (h->multi = curl_multi_init()) == NULL ||
        (h->backoff = lume_backoff_create(ARCHIVE_BACKOFF_BASE, ARCHIVE_BACKOFF_CAP, 0)) == NULL ||
        (h->headers = curl_slist_append(NULL, "Accept: application/json")) == NULL) {
        snprintf(err, errlen, "cannot set up the HTTP client");
        archive_http_destroy(h);
        return NULL;
    }
    curl_multi_setopt(h->multi, CURLMOPT_MAX_HOST_CONNECTIONS, (long)ARCHIVE_HOST_PARALLEL);
    curl_multi_setopt(h->multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, (long)ARCHIVE_HOST_PARALLEL * 2);
    curl_multi_setopt(h->multi, CURLMOPT_MAXCONNECTS, (long)ARCHIVE_HOST_PARALLEL * 2);
    h->connect_timeout_ms = opts->connect_timeout_ms;
    h->retries = opts->retries;
    h->body_max = opts->body_max > 0 ? (size_t)opts->body_max : 1;
    snprintf(h->user_agent, sizeof(h->user_agent), "%s", opts->user_agent);
    return h;
}

void archive_http_destroy(archive_http *h)
{
    if (h == NULL)
        return;
    for (size_t i = 0; i < h->pool_len; i++)
        curl_easy_cleanup(h->pool[i]);
    free(h->pool);
    free(h->busy);
    if (h->multi != NULL)
        curl_multi_cleanup(h->multi);
    curl_slist_free_all(h->headers);
    lume_backoff_destroy(h->backoff);
    free(h);
}

static CURL *easy_get(archive_http *h)
{
    CURL **pool;
    int *busy;

    for (size_t i = 0; i < h->pool_len; i++)
        if (!h->busy[i]) {
            h->busy[i] = 1;
            return h->pool[i];
        }
    pool = realloc(h->pool, (h->pool_len + 1) * sizeof(*pool));
    if (pool == NULL)
        return NULL;
    h->pool = pool;
    busy = realloc(h->busy, (h->pool_len + 1) * sizeof(*busy));
    if (busy == NULL)
        return NULL;
    h->busy = busy;
    if ((pool[h->pool_len] = curl_easy_init()) == NULL)
        return NULL;
    busy[h->pool_len] = 1;
    return pool[h->pool_len++];
}

static void easy_put(archive_http *h, CURL *easy)
{
    for (size_t i = 0; i < h->pool_len; i++)
        if (h->pool[i] == easy)
            h->busy[i] = 0;
}

static size_t on_body(char *data, size_t size, size_t nmemb, void *userdata)
{
    slot *s = userdata;
    size_t n = size * nmemb, max = s->h->body_max;

    if (n > max - s->len) {
        s->oversized = 1;
        return 0; /* aborts the transfer with CURLE_WRITE_ERROR */
    }
    if (s->len + n + 1 > s->cap) {
        size_t cap = s->cap ? s->cap : 16384;
        char *buf;
        while (cap < s->len + n + 1)
            cap *= 2;
        if (cap > max + 1)
            cap = max + 1; /* never more than the longest body allowed */
        if ((buf = realloc(s->buf, cap)) == NULL)
            return 0;
        s->buf = buf;
        s->cap = cap;
    }
    memcpy(s->buf + s->len, data, n);
    s->len += n;
    s->buf[s->len] = '\0';
    return n;
}

/* The fetch is over: hand its body to the fetch (or free it), then to the
 * caller's done(), if any, which the body does not outlive. */
static void finish(slot *s, archive_fetch_status st)
{
    s->state = SLOT_DONE;
    s->f->status = st;
    if (st == ARCHIVE_FETCH_OK && s->buf == NULL && (s->buf = calloc(1, 1)) == NULL) {
        s->f->status = ARCHIVE_FETCH_UNAVAILABLE;
        snprintf(s->f->detail, sizeof(s->f->detail), "out of memory");
    }
    if (s->f->status == ARCHIVE_FETCH_OK) {
        s->f->body = s->buf;
        s->f->len = s->len;
    } else {
        free(s->buf);
    }
    s->buf = NULL;
    s->len = s->cap = 0;
    if (s->run->done != NULL) {
        s->run->done(s->run->ctx, (size_t)(s->f - s->run->fetches), s->f);
        archive_fetch_release(s->f);
    }
}

static int start(archive_http *h, slot *s, int64_t now, int64_t deadline)
{
    long remaining = (long)(deadline - now > 0 ? deadline - now : 1);
    long connect = h->connect_timeout_ms < remaining ? h->connect_timeout_ms : remaining;
    CURL *e = easy_get(h);

    if (e == NULL)
        return -1;
    s->easy = e;
    s->len = 0;
    s->oversized = 0;
    s->f->attempts++;
    curl_easy_setopt(e, CURLOPT_URL, s->f->url);
    curl_easy_setopt(e, CURLOPT_PRIVATE, s);
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_USERAGENT, h->user_agent);
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, h->headers);
    curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");
    curl_easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L);
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, connect);
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, remaining);
    curl_easy_setopt(e, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)h->body_max);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, s);
    if (curl_multi_add_handle(h->multi, e) != CURLM_OK) {
        easy_put(h, e);
        s->easy = NULL;
        return -1;
    }
    s->state = SLOT_RUNNING;
    return 0;
}

static void stop(archive_http *h, slot *s)
{
    curl_multi_remove_handle(h->multi, s->easy);
    easy_put(h, s->easy);
    s->easy = NULL;
}

/* A transfer ended: finish the fetch or schedule its retry. */
static void completed(archive_http *h, slot *s, CURLcode rc, int64_t deadline, long retries)
{
    archive_fetch *f = s->f;
    int64_t now = lume_now_ms(), delay;
    archive_fetch_status st = ARCHIVE_FETCH_UNAVAILABLE;
    int retryable = 0;
    long code = 0;

    curl_easy_getinfo(s->easy, CURLINFO_RESPONSE_CODE, &code);
    stop(h, s);
    f->http_code = code;
    if (rc == CURLE_OK && code >= 200 && code < 300) {
        finish(s, ARCHIVE_FETCH_OK);
        return;
    }
    if (rc == CURLE_OK) {
        snprintf(f->detail, sizeof(f->detail), "HTTP %ld", code);
        retryable = code == 429 || code >= 500;
        if (!retryable)
            st = ARCHIVE_FETCH_HTTP_ERROR;
    } else if (s->oversized || rc == CURLE_FILESIZE_EXCEEDED) {
        snprintf(f->detail, sizeof(f->detail), "answer over %zu bytes", h->body_max);
    } else {
        snprintf(f->detail, sizeof(f->detail), "%s", curl_easy_strerror(rc));
        switch (rc) {
        case CURLE_OPERATION_TIMEDOUT:
            if (now + 5 >= deadline) {
                finish(s, ARCHIVE_FETCH_TIMEOUT);
                return;
            }
            retryable = 1; /* a connect timeout with budget left */
            break;
        case CURLE_COULDNT_CONNECT:
        case CURLE_COULDNT_RESOLVE_HOST:
        case CURLE_SEND_ERROR:
        case CURLE_RECV_ERROR:
        case CURLE_GOT_NOTHING:
        case CURLE_PARTIAL_FILE:
        case CURLE_HTTP2:
        case CURLE_HTTP2_STREAM: retryable = 1; break;
        default: break;
        }
    }
    if (retryable && f->attempts <= retries &&
        (delay = lume_backoff_next(h->backoff, f->attempts, now, deadline)) >= 0) {
        free(s->buf); /* nothing is held while waiting */
        s->buf = NULL;
        s->len = s->cap = 0;
        s->state = SLOT_WAITING;
        s->start_at = now + delay;
        return;
    }
    finish(s, st);
}

void archive_http_fetch_all(archive_http *h, archive_fetch *fetches, size_t n, int64_t deadline_ms,
                            long retries, archive_fetch_done done, void *ctx)
{
    slot *slots = calloc(n ? n : 1, sizeof(*slots));
    size_t left = n;
    run r = {fetches, done, ctx};

    if (retries < 0)
        retries = h->retries;
    for (size_t i = 0; i < n; i++) {
        memset(&fetches[i].status, 0, sizeof(archive_fetch) - offsetof(archive_fetch, status));
        fetches[i].status = ARCHIVE_FETCH_UNAVAILABLE;
        if (slots != NULL) {
            slots[i].f = &fetches[i];
            slots[i].h = h;
            slots[i].run = &r;
        } else {
            snprintf(fetches[i].detail, sizeof(fetches[i].detail), "out of memory");
            if (done != NULL)
                done(ctx, i, &fetches[i]);
        }
    }
    if (slots == NULL)
        return;

    while (left > 0) {
        int64_t now = lume_now_ms(), wait;
        int running = 0, active;
        long curl_wait = -1;
        CURLMsg *msg;

        if (now >= deadline_ms) {
            for (size_t i = 0; i < n; i++) {
                if (slots[i].state == SLOT_DONE)
                    continue;
                if (slots[i].state == SLOT_RUNNING)
                    stop(h, &slots[i]);
                snprintf(fetches[i].detail, sizeof(fetches[i].detail), "deadline passed");
                finish(&slots[i], ARCHIVE_FETCH_TIMEOUT);
            }
            break;
        }
        /* Start what is due, at most ARCHIVE_HOST_PARALLEL at a time: curl would
         * queue the rest itself, but its timeouts run while a transfer waits
         * in its queue, so later lookups would time out without ever trying. */
        active = 0;
        for (size_t i = 0; i < n; i++)
            active += slots[i].state == SLOT_RUNNING;
        for (size_t i = 0; i < n && active < ARCHIVE_HOST_PARALLEL; i++) {
            if (slots[i].state != SLOT_WAITING || slots[i].start_at > now)
                continue;
            if (start(h, &slots[i], now, deadline_ms) == 0) {
                active++;
            } else {
                snprintf(fetches[i].detail, sizeof(fetches[i].detail), "cannot start a transfer");
                finish(&slots[i], ARCHIVE_FETCH_UNAVAILABLE);
            }
        }
        curl_multi_perform(h->multi, &running);
        while ((msg = curl_multi_info_read(h->multi, &(int){0})) != NULL) {
            slot *s = NULL;
            if (msg->msg != CURLMSG_DONE)
                continue;
            curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&s);
            if (s != NULL && s->state == SLOT_RUNNING)
                completed(h, s, msg->data.result, deadline_ms, retries);
        }
        left = active = 0;
        now = lume_now_ms();
        wait = deadline_ms - now;
        for (size_t i = 0; i < n; i++) {
            left += slots[i].state != SLOT_DONE;
            active += slots[i].state == SLOT_RUNNING;
        }
        for (size_t i = 0; i < n && active < ARCHIVE_HOST_PARALLEL; i++) {
            if (slots[i].state == SLOT_WAITING && slots[i].start_at - now < wait)
                wait = slots[i].start_at - now; /* else a running one ending frees a place */
        }
        if (left == 0)
            break;
        if (curl_multi_timeout(h->multi, &curl_wait) == CURLM_OK && curl_wait >= 0 &&
            curl_wait < wait)
            wait = curl_wait;
        if (wait < 0)
            wait = 0;
        if (wait > 0) {
            lume_wait_begin(); /* nothing held waits on the network (wait.h) */
            curl_multi_poll(h->multi, NULL, 0, (int)(wait > INT_MAX ? INT_MAX : wait), NULL);
        }
    }
    for (size_t i = 0; i < n; i++)
        free(slots[i].buf);
    free(slots);
}

void archive_fetch_release(archive_fetch *f)
{
    free(f->body);
    f->body = NULL;
    f->len = 0;
}
