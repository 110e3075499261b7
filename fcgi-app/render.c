/* render.c: the API's JSON shapes (docs/api.md, render.h). */
#include "render.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decimal.h"
#include "json_text.h"
#include "utf8.h"
#include "version.h"

json_t *lume_render_link(const lume_media_link *m)
{
    return json_pack("{s:s, s:s, s:o, s:I, s:o}", "title", m->title, "url", m->url, "size",
                     m->size >= 0 ? json_integer(m->size) : json_null(), "seeds",
                     (json_int_t)m->seeds, "quality",
                     m->quality ? json_string(m->quality) : json_null());
}

/* ---- MediaLink written directly, byte for byte as Jansson dumps it ---- */

/* The escaped length of s as a JSON string's content, as Jansson writes it
 * (", \ and control characters escaped, nothing else); -1 when s is not
 * valid UTF-8 (which Jansson refuses too). */
static long escaped_len(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t plain = lume_json_plain_span(s), left;
    long n = (long)plain;

    if (p[plain] == '\0')
        return n; /* the usual string: nothing to escape, nothing to check */
    p += plain;
    left = strlen((const char *)p);
    while (left > 0) {
        size_t k = *p < 0x80 ? 1 : lume_utf8_seq(p, left);

        if (k == 0)
            return -1;
        if (*p == '"' || *p == '\\' || *p == '\b' || *p == '\f' || *p == '\n' || *p == '\r' ||
            *p == '\t')
            n += 2;
        else if (*p < 0x20)
            n += 6; /* \u00XX */
        else
            n += (long)k;
        p += k;
        left -= k;
    }
    return n;
}

static char *put_escaped(char *out, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";

    for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++) {
        const char *esc = NULL;
        size_t plain = lume_json_plain_span((const char *)p);

        if (plain > 0) { /* a run kept as it is, copied whole */
            memcpy(out, p, plain);
            out += plain;
            p += plain;
            if (*p == '\0')
                break;
        }
        switch (*p) {
        case '"': esc = "\\\""; break;
        case '\\': esc = "\\\\"; break;
        case '\b': esc = "\\b"; break;
        case '\f': esc = "\\f"; break;
        case '\n': esc = "\\n"; break;
        case '\r': esc = "\\r"; break;
        case '\t': esc = "\\t"; break;
        default: break;
        }
        if (esc != NULL) {
            *out++ = esc[0];
            *out++ = esc[1];
        } else if (*p < 0x20) {
            memcpy(out, "\\u00", 4);
            out[4] = hex[*p >> 4];
            out[5] = hex[*p & 15];
            out += 6;
        } else {
            *out++ = (char)*p;
        }
    }
    return out;
}

static char *put_lit(char *out, const char *s)
{
    size_t n = strlen(s);

    memcpy(out, s, n);
    return out + n;
}

/* A JSON integer, or null when negative and nullable. */
static char *put_int(char *out, int64_t v, int nullable)
{
    if (v < 0 && nullable)
        return put_lit(out, "null");
    if (v < 0) {
        *out++ = '-';
        return out + lume_decimal_put(out, 0ULL - (unsigned long long)v);
    }
    return out + lume_decimal_put(out, (unsigned long long)v);
}

char *lume_render_link_text(const lume_media_link *m, size_t *len)
{
    long title = m->title != NULL ? escaped_len(m->title) : -1;
    long url = m->url != NULL ? escaped_len(m->url) : -1;
    long quality = m->quality != NULL ? escaped_len(m->quality) : 4;
    char *text, *out;

    if (title < 0 || url < 0 || quality < 0)
        return NULL;
    /* the keys and punctuation, two numbers, the three strings */
    text = malloc(64 + 2 * (LUME_DECIMAL_DIGITS + 1) + (size_t)title + (size_t)url +
                  (size_t)quality + 2);
    if (text == NULL)
        return NULL;
    out = put_lit(text, "{\"title\":\"");
    out = put_escaped(out, m->title);
    out = put_lit(out, "\",\"url\":\"");
    out = put_escaped(out, m->url);
    out = put_lit(out, "\",\"size\":");
    out = put_int(out, m->size, 1);
    out = put_lit(out, ",\"seeds\":");
    out = put_int(out, m->seeds, 0);
    out = put_lit(out, ",\"quality\":");
    if (m->quality != NULL) {
        *out++ = '"';
        out = put_escaped(out, m->quality);
        *out++ = '"';
    } else {
        out = put_lit(out, "null");
    }
    *out++ = '}';
    *out = '\0';
    *len = (size_t)(out - text);
    return text;
}

json_t *lume_render_search(const char *query, const lume_media_link *items, size_t count,
                           size_t total, const char *provider)
{
    json_t *results = json_array();

    for (size_t i = 0; results != NULL && i < count; i++) {
        if (json_array_append_new(results, lume_render_link(&items[i])) != 0) {
            json_decref(results);
            return NULL;
        }
    }
    return json_pack("{s:s, s:o, s:I, s:s}", "query", query, "results", results, "total_results",
                     (json_int_t)total, "provider_name", provider);
}

static json_t *nullable_text(const char *s)
{
    return s != NULL && s[0] != '\0' ? json_string(s) : json_null();
}

static json_t *nullable_count(int64_t n)
{
    return n > 0 ? json_integer((json_int_t)n) : json_null();
}

static json_t *tri(lume_tri t)
{
    return t == LUME_TRI_UNKNOWN ? json_null() : json_boolean(t == LUME_TRI_YES);
}

void lume_render_binge_group(const lume_media_link *m, char *out, size_t cap)
{
    int n = snprintf(out, cap, "lume-%s", m->provider ? m->provider : "unknown");

    if (m->quality != NULL && n >= 0 && (size_t)n < cap)
        n += snprintf(out + n, cap - (size_t)n, "-%s", m->quality);
    if (m->facts.container[0] != '\0' && n >= 0 && (size_t)n < cap)
        snprintf(out + n, cap - (size_t)n, "-%s", m->facts.container);
}

static json_t *binge_group(const lume_media_link *m)
{
    char group[96];

    lume_render_binge_group(m, group, sizeof(group));
    return json_string(group);
}

static json_t *subtitles(const lume_media_link *m)
{
    json_t *list = json_array();

    for (size_t i = 0; list != NULL && i < m->nsubtitles; i++) {
        const lume_subtitle *t = &m->subtitles[i];
        if (json_array_append_new(list, json_pack("{s:s, s:o, s:o, s:o}", "url", t->url, "lang",
                                                  nullable_text(t->lang), "label",
                                                  nullable_text(t->label), "format",
                                                  nullable_text(t->format))) != 0) {
            json_decref(list);
            return NULL;
        }
    }
    return list;
}

json_t *lume_render_candidate(const lume_media_link *m)
{
    const lume_media_facts *f = &m->facts;
    json_t *c = lume_render_link(m);
    json_t *facts = json_pack(
        "{s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o}", "provider",
        nullable_text(m->provider), "container", nullable_text(f->container), "video_codec",
        nullable_text(f->video_codec), "audio_codec", nullable_text(f->audio_codec), "width",
        nullable_count(f->width), "height", nullable_count(f->height), "duration_s",
        nullable_count(f->duration_s), "bitrate", nullable_count(f->bitrate), "seekable",
        tri(f->seekable), "subtitles", subtitles(m), "expires_at", nullable_count(f->expires_at),
        "direct_play", tri(m->direct_play), "binge_group", binge_group(m));

    if (c == NULL || facts == NULL || json_object_update(c, facts) != 0) {
        json_decref(c);
        json_decref(facts);
        return NULL;
    }
    json_decref(facts);
    return c;
}

static json_t *provider_outcomes(const lume_provider_outcome *o, size_t n)
{
    json_t *list = json_array();

    for (size_t i = 0; list != NULL && i < n; i++) {
        json_t *row = o[i].status == LUME_OK
                          ? json_pack("{s:s, s:s, s:s, s:I}", "name", o[i].name, "provider",
                                      o[i].reported, "status", "ok", "found",
                                      (json_int_t)o[i].found)
                          : json_pack("{s:s, s:s, s:s, s:s, s:s}", "name", o[i].name, "provider",
                                      o[i].reported, "status", "failed", "error",
                                      lume_status_code(o[i].status), "message",
                                      o[i].err.message[0] ? o[i].err.message
                                                          : lume_status_message(o[i].status));
        if (json_array_append_new(list, row) != 0) {
            json_decref(list);
            return NULL;
        }
    }
    return list;
}

json_t *lume_render_streams(const char *query, int season, int episode,
                            const lume_media_link *items, size_t count, size_t total,
                            const lume_render_next *next, const lume_provider_outcome *outcomes,
                            size_t noutcomes)
{
    json_t *streams = json_array(), *nx = json_null();

    for (size_t i = 0; streams != NULL && i < count; i++) {
        if (json_array_append_new(streams, lume_render_candidate(&items[i])) != 0) {
            json_decref(streams);
            return NULL;
        }
    }
    if (next != NULL && next->season > 0)
        nx = json_pack("{s:i, s:i, s:o}", "season", next->season, "episode", next->episode,
                       "exists", next->exists ? json_true() : json_null());
    return json_pack("{s:s, s:o, s:o, s:o, s:I, s:o, s:o}", "query", query, "season",
                     nullable_count(season), "episode", nullable_count(episode), "streams",
                     streams, "total_results", (json_int_t)total, "next", nx, "providers",
                     provider_outcomes(outcomes, noutcomes));
}

/* "docs" is nginx's page (docs/openapi.yaml rendered by Redoc), not the app's. */
json_t *lume_render_index(void)
{
    return json_pack("{s:s, s:s, s:s, s:{s:s, s:s, s:s}}", "name", "Lume Media API", "version",
                     LUME_VERSION, "docs", "/docs", "endpoints", "resolve", "/resolve/{query}",
                     "search", "/resolve/search/{query}", "health", "/resolve/health/provider");
}

json_t *lume_render_error(lume_status st, const char *message, json_t *extra, const char *provider,
                          const char *request_id)
{
    json_t *detail = json_pack("{s:s, s:s}", "error", lume_status_code(st), "message",
                               message && message[0] ? message : lume_status_message(st));

    if (detail != NULL && extra != NULL)
        json_object_update(detail, extra);
    json_decref(extra);
    if (detail == NULL)
        return NULL;
    if (lume_status_names_provider(st))
        json_object_set_new(detail, "provider", json_string(provider));
    json_object_set_new(detail, "request_id", json_string(request_id));
    return json_pack("{s:o}", "detail", detail);
}

/* Most bodies fit here: one dump, one copy of the exact size. A bigger one
 * is dumped again into a buffer of its size (json_dumpb() says how much it
 * takes). json_dumps() grows its buffer from 16 bytes, then copies it. */
#define DUMP_STACK 8192

char *lume_render_dump(json_t *doc, size_t *len)
{
    char stack[DUMP_STACK], *text = NULL;
    size_t n = doc ? json_dumpb(doc, stack, sizeof(stack), JSON_COMPACT) : 0;

    if (n > 0 && (text = malloc(n + 1)) != NULL) {
        if (n <= sizeof(stack))
            memcpy(text, stack, n);
        else if (json_dumpb(doc, text, n, JSON_COMPACT) != n) {
            free(text);
            text = NULL;
        }
    }
    json_decref(doc);
    if (text != NULL) {
        text[n] = '\0';
        if (len != NULL)
            *len = n;
    }
    return text;
}
