/*
 * scan.c: the walk of the library's roots into the index (scan.h).
 *
 * A root's known files are loaded first into a hash table (path -> size,
 * mtime, subtitles' signature); the walk marks each one it sees, probes and
 * writes only what is new or changed, and at the end the unmarked ones are
 * removed. Each folder is read once (its entries sorted, so that scans are
 * deterministic), its subtitle folders with it.
 */
#include "scan.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "clock.h"
#include "language.h"
#include "naming.h"

#define BATCH_FILES 64     /* writes a transaction holds at most */
#define BATCH_MS    2000   /* and for at most this long */
#define DIR_ENTRIES 100000 /* entries read of one folder at most */

struct lume_scanner {
    lume_index *idx;
    lume_naming *naming;
    lume_scan_options opt;
};

/* ---- Known files: path -> what the index has -------------------------------- */

typedef struct known {
    char *path;
    int64_t id, size, mtime_ns;
    uint64_t subs_sig;
    int seen;
} known;

typedef struct known_map {
    known *slots;
    size_t cap, n;
} known_map;

static uint64_t fnv(const void *p, size_t len, uint64_t h)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < len; i++)
        h = (h ^ b[i]) * 0x100000001b3ULL;
    return h;
}

#define FNV_START 0xcbf29ce484222325ULL

static known *map_slot(known_map *m, const char *path)
{
    size_t i = fnv(path, strlen(path), FNV_START) & (m->cap - 1);
    while (m->slots[i].path != NULL && strcmp(m->slots[i].path, path) != 0)
        i = (i + 1) & (m->cap - 1);
    return &m->slots[i];
}

static int map_grow(known_map *m)
{
    known_map bigger = {calloc(m->cap ? m->cap * 2 : 1024, sizeof(known)),
                        m->cap ? m->cap * 2 : 1024, m->n};
    if (bigger.slots == NULL)
        return -1;
    for (size_t i = 0; i < m->cap; i++)
        if (m->slots[i].path != NULL)
            *map_slot(&bigger, m->slots[i].path) = m->slots[i];
    free(m->slots);
    *m = bigger;
    return 0;
}

static int map_add(void *ctx, const lume_index_file *f)
{
    known_map *m = ctx;
    known *k;
    if ((m->n + 1) * 2 > m->cap && map_grow(m) < 0)
        return 1;
    k = map_slot(m, f->path);
    if (k->path != NULL)
        return 0;
    k->path = strdup(f->path);
    if (k->path == NULL)
        return 1;
    k->id = f->id;
    k->size = f->size;
    k->mtime_ns = f->mtime_ns;
    k->subs_sig = f->subs_sig;
    m->n++;
    return 0;
}

static known *map_get(known_map *m, const char *path)
{
    known *k;
    if (m->cap == 0)
        return NULL;
    k = map_slot(m, path);
    return k->path != NULL ? k : NULL;
}

static void map_free(known_map *m)
{
    for (size_t i = 0; i < m->cap; i++)
        free(m->slots[i].path);
    free(m->slots);
}

/* ---- One scan of one root ------------------------------------------------------- */

typedef struct dev_ino {
    dev_t dev;
    ino_t ino;
} dev_ino;

typedef struct scan {
    lume_scanner *s;
    lume_scan_stats *st;
    int64_t root_id;
    char real[PATH_MAX]; /* the root, resolved */
    size_t real_len;
    known_map known;
    dev_ino *dirs; /* folders walked: a linked folder is walked once */
    size_t ndirs, capdirs;
    char **unreadable; /* relative folders that could not be read */
    size_t nunreadable;
    long files;
    int writes;
    int64_t batch_start;
    lume_status err; /* the first index error: the walk stops */
} scan;

enum { E_OTHER, E_DIR, E_VIDEO, E_SUB };

typedef struct entry {
    char *name;
    int kind;
    int link; /* reached through a symbolic link */
    int64_t size, mtime_ns;
    dev_t dev;
    ino_t ino;
} entry;

static int has_ext(const char *name, const char *const *exts, const char **ext_out)
{
    const char *dot = strrchr(name, '.');
    if (dot == NULL || dot == name)
        return 0;
    for (size_t i = 0; exts[i] != NULL; i++)
        if (strcasecmp(dot + 1, exts[i]) == 0) {
            if (ext_out != NULL)
                *ext_out = exts[i];
            return 1;
        }
    return 0;
}

static const char *const VIDEO_EXTS[] = {"mkv", "mp4", "m4v", "webm", "avi",
                                         "ts",  "mov", "ogv", NULL};
static const char *const SUB_EXTS[] = {"srt", "vtt", "ass", "ssa", "sub", NULL};

static int is_subs_folder(const char *name)
{
    return strcasecmp(name, "subs") == 0 || strcasecmp(name, "subtitles") == 0 ||
           strcasecmp(name, "sub") == 0;
}

static int cmp_entry(const void *a, const void *b)
{
    return strcmp(((const entry *)a)->name, ((const entry *)b)->name);
}

static void free_entries(entry *e, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(e[i].name);
    free(e);
}

/* dst = a "/" b (either may be ""; then no "/"): -1 when it does not fit. */
static int join(char *dst, size_t cap, const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b), sep = la > 0 && lb > 0;
    if (la + sep + lb + 1 > cap)
        return -1;
    memmove(dst, a, la);
    if (sep)
        dst[la] = '/';
    memmove(dst + la + sep, b, lb + 1);
    return 0;
}

/* Is the resolved full path inside the root? */
static int inside_root(scan *sc, const char *resolved)
{
    return strncmp(resolved, sc->real, sc->real_len) == 0 &&
           (resolved[sc->real_len] == '/' || resolved[sc->real_len] == '\0' || sc->real_len == 1);
}

static void remember_unreadable(scan *sc, const char *rel)
{
    char **more = realloc(sc->unreadable, (sc->nunreadable + 1) * sizeof(*more));
    if (more == NULL)
        return;
    sc->unreadable = more;
    more[sc->nunreadable] = strdup(rel);
    if (more[sc->nunreadable] != NULL)
        sc->nunreadable++;
    sc->st->unreadable++;
}

/* Read the folder at full path (rel, relative to the root) into sorted
 * entries; links resolved and refused when they leave the root. -1 when it
 * cannot be read. */
static int read_folder(scan *sc, const char *full, const char *rel, entry **out, size_t *nout)
{
    DIR *d = opendir(full);
    struct dirent *de;
    entry *e = NULL;
    size_t n = 0, cap = 0;
    char path[PATH_MAX], resolved[PATH_MAX];

    *out = NULL;
    *nout = 0;
    if (d == NULL)
        return -1;
    while ((de = readdir(d)) != NULL && n < DIR_ENTRIES) {
        struct stat sb;
        entry *x;
        const char *name = de->d_name;
        int link = 0;

        if (name[0] == '.')
            continue; /* ".", "..", hidden files and AppleDouble "._x" */
        if (join(path, sizeof(path), full, name) < 0 ||
            strlen(rel) + 1 + strlen(name) > LUME_NAMING_PATH_MAX) {
            sc->st->refused++;
            continue;
        }
        if (lstat(path, &sb) < 0)
            continue;
        if (S_ISLNK(sb.st_mode)) {
            link = 1;
            if (realpath(path, resolved) == NULL || !inside_root(sc, resolved) ||
                stat(resolved, &sb) < 0) {
                sc->st->refused++;
                continue;
            }
        }
        if (n == cap) {
            entry *more = realloc(e, (cap ? cap * 2 : 32) * sizeof(*e));
            if (more == NULL)
                break;
            e = more;
            cap = cap ? cap * 2 : 32;
        }
        x = &e[n];
        memset(x, 0, sizeof(*x));
        if (S_ISDIR(sb.st_mode))
            x->kind = E_DIR;
        else if (S_ISREG(sb.st_mode) && has_ext(name, VIDEO_EXTS, NULL))
            x->kind = E_VIDEO;
        else if (S_ISREG(sb.st_mode) && has_ext(name, SUB_EXTS, NULL))
            x->kind = E_SUB;
        else
            continue;
        x->link = link;
        x->name = strdup(name);
        if (x->name == NULL)
            break;
        x->size = sb.st_size;
        x->mtime_ns = (int64_t)sb.st_mtim.tv_sec * 1000000000 + sb.st_mtim.tv_nsec;
        x->dev = sb.st_dev;
        x->ino = sb.st_ino;
        n++;
    }
    closedir(d);
    if (n > 0)
        qsort(e, n, sizeof(*e), cmp_entry);
    *out = e;
    *nout = n;
    return 0;
}

/* A subtitle near the videos of one folder. */
typedef struct sidecar {
    char rel[LUME_NAMING_PATH_MAX + 1]; /* relative to the folder */
    const char *name;                   /* its file name, in rel */
    const char *group;                  /* Subs/<group>/name: the video's stem; else NULL */
    int in_subs;                        /* under a Subs folder */
    int64_t size, mtime_ns;
} sidecar;

static void add_sidecar(sidecar **list, size_t *n, size_t *cap, const char *rel, const entry *e,
                        size_t group_len, int in_subs)
{
    sidecar *x;
    if (*n == *cap) {
        sidecar *more = realloc(*list, (*cap ? *cap * 2 : 8) * sizeof(**list));
        if (more == NULL)
            return;
        *list = more;
        *cap = *cap ? *cap * 2 : 8;
    }
    x = &(*list)[*n];
    if ((size_t)snprintf(x->rel, sizeof(x->rel), "%s", rel) >= sizeof(x->rel))
        return;
    x->name = strrchr(x->rel, '/') ? strrchr(x->rel, '/') + 1 : x->rel;
    x->group = NULL;
    if (group_len > 0) {
        /* rel is "Subs/<group>/name": the group starts after the first '/'. */
        x->group = strchr(x->rel, '/') + 1;
    }
    x->in_subs = in_subs;
    x->size = e->size;
    x->mtime_ns = e->mtime_ns;
    (*n)++;
}

/* Does name start with the video's stem, then end or go on with a separator? */
static int named_after(const char *name, size_t name_len, const char *stem, size_t stem_len)
{
    return name_len > stem_len && strncmp(name, stem, stem_len) == 0 &&
           (name[stem_len] == '.' || name[stem_len] == '_' || name[stem_len] == '-' ||
            name[stem_len] == ' ');
}

static lume_status commit_if_due(scan *sc, int force)
{
    lume_status st = LUME_OK;
    if (sc->writes > 0 &&
        (force || sc->writes >= BATCH_FILES || lume_now_ms() - sc->batch_start >= BATCH_MS)) {
        st = lume_index_commit(sc->s->idx);
        sc->writes = 0;
    }
    return st;
}

static lume_status begin_write(scan *sc)
{
    lume_status st = LUME_OK;
    if (sc->writes == 0) {
        st = lume_index_begin(sc->s->idx);
        sc->batch_start = lume_now_ms();
    }
    if (st == LUME_OK)
        sc->writes++;
    return st;
}

static void video(scan *sc, const char *dir_rel, const entry *v, const sidecar *subs, size_t nsubs,
                  size_t nvideos)
{
    lume_scanner *s = sc->s;
    char rel[LUME_NAMING_PATH_MAX + 2], full[PATH_MAX];
    char sub_rel[LUME_INDEX_SUBTITLES_MAX][LUME_NAMING_PATH_MAX + 1];
    lume_index_subtitle list[LUME_INDEX_SUBTITLES_MAX];
    size_t nlist = 0, stem_len;
    const char *dot = strrchr(v->name, '.');
    uint64_t sig = FNV_START;
    lume_media_name m;
    known *k;
    int64_t id;
    lume_status st;

    if (sc->files >= s->opt.max_files) {
        sc->st->skipped++;
        return;
    }
    sc->files++;
    if (join(rel, sizeof(rel), dir_rel, v->name) < 0 ||
        join(full, sizeof(full), sc->real, rel) < 0) {
        sc->st->refused++;
        return;
    }
    if (lume_naming_parse(s->naming, rel, strlen(rel), NULL, &m) < 0) {
        sc->st->refused++;
        return;
    }
    if ((m.kind != LUME_MEDIA_FILM && m.kind != LUME_MEDIA_EPISODE) || m.title[0] == '\0') {
        sc->st->skipped++;
        return;
    }
    sc->st->files++;

    /* Its subtitles: named after it, here or in Subs/; in Subs/<its name>/;
     * or anything in Subs/ when it is the folder's only video. */
    stem_len = (size_t)(dot - v->name);
    for (size_t i = 0; i < nsubs && nlist < LUME_INDEX_SUBTITLES_MAX; i++) {
        const sidecar *x = &subs[i];
        size_t name_len = strlen(x->name);
        lume_language lang;
        const char *ext = strrchr(x->name, '.') + 1;
        lume_index_subtitle *o = &list[nlist];
        int mine = named_after(x->name, name_len, v->name, stem_len);

        if (x->group != NULL)
            mine = strncmp(x->group, v->name, stem_len) == 0 && x->group[stem_len] == '/';
        else if (x->in_subs && nvideos == 1)
            mine = 1;
        if (!mine)
            continue;
        if (join(sub_rel[nlist], sizeof(sub_rel[nlist]), dir_rel, x->rel) < 0)
            continue;
        memset(o, 0, sizeof(*o));
        o->path = sub_rel[nlist];
        if (!lume_language_of_file(x->name, name_len, &lang) && x->in_subs &&
            name_len < LUME_NAMING_SEGMENT_MAX) {
            /* In Subs/ a name may be the language alone: "French.srt". */
            char tagged[LUME_NAMING_SEGMENT_MAX + 2] = "_";
            memcpy(tagged + 1, x->name, name_len + 1);
            lume_language_of_file(tagged, name_len + 1, &lang);
        }
        snprintf(o->lang, sizeof(o->lang), "%s", lang.tag);
        for (size_t j = 0; ext[j] != '\0' && j + 1 < sizeof(o->format); j++)
            o->format[j] = (char)(ext[j] | 0x20);
        o->forced = lang.forced;
        o->sdh = lang.sdh;
        sig = fnv(o->path, strlen(o->path) + 1, sig);
        sig = fnv(&x->size, sizeof(x->size), sig);
        sig = fnv(&x->mtime_ns, sizeof(x->mtime_ns), sig);
        nlist++;
    }
    if (nlist == 0)
        sig = 0; /* the index's mark of an item without subtitles */
    else if (sig == 0)
        sig = 1; /* as the index keeps it (lume_index_set_subtitles) */

    k = map_get(&sc->known, rel);
    if (k != NULL)
        k->seen = 1;
    if (k != NULL && k->size == v->size && k->mtime_ns == v->mtime_ns) {
        sc->st->unchanged++;
        id = k->id;
    } else {
        lume_probe_facts facts;
        lume_probe_status ps;
        lume_index_entry e = {.root_id = sc->root_id,
                              .path = rel,
                              .name = &m,
                              .size = v->size,
                              .mtime_ns = v->mtime_ns,
                              .facts = &facts};

        /* An empty file is no media: recorded as the prober would record
         * it, without a child of its own (a fork and an exec's worth). */
        if (v->size == 0) {
            memset(&facts, 0, sizeof(facts));
            ps = LUME_PROBE_FAILED;
        } else {
            ps = lume_probe_run_isolated(s->opt.probe_fn, full, &s->opt.probe, &facts);
        }
        sc->st->probed++;
        sc->st->probe_failed += ps == LUME_PROBE_FAILED;
        sc->st->probe_crashed += ps == LUME_PROBE_CRASHED;
        sc->st->probe_timeout += ps == LUME_PROBE_TIMEOUT;
        e.probe = ps;
        facts.size = v->size;
        st = begin_write(sc);
        if (st == LUME_OK)
            st = lume_index_put(s->idx, &e, &id);
        if (st != LUME_OK) {
            sc->err = st;
            return;
        }
        if (k != NULL)
            sc->st->updated++;
        else
            sc->st->added++;
    }
    if (k == NULL || k->subs_sig != sig) {
        st = begin_write(sc);
        if (st == LUME_OK)
            st = lume_index_set_subtitles(s->idx, id, list, nlist, sig);
        if (st != LUME_OK) {
            sc->err = st;
            return;
        }
        sc->st->subtitles += (long)nlist;
    }
    st = commit_if_due(sc, 0);
    if (st != LUME_OK)
        sc->err = st;
}

/* Has the folder been walked (looked for only when reached through a link:
 * only links make cycles)? Remembers it when not. */
static int walked(scan *sc, dev_t dev, ino_t ino, int look)
{
    for (size_t i = 0; look && i < sc->ndirs; i++)
        if (sc->dirs[i].dev == dev && sc->dirs[i].ino == ino)
            return 1;
    if (sc->ndirs == sc->capdirs) {
        dev_ino *more = realloc(sc->dirs, (sc->capdirs ? sc->capdirs * 2 : 64) * sizeof(*more));
        if (more == NULL)
            return 1;
        sc->dirs = more;
        sc->capdirs = sc->capdirs ? sc->capdirs * 2 : 64;
    }
    sc->dirs[sc->ndirs++] = (dev_ino){dev, ino};
    return 0;
}

static void walk(scan *sc, const char *rel, int depth)
{
    char full[PATH_MAX], sub_full[PATH_MAX], sub_rel[LUME_NAMING_PATH_MAX + 2];
    entry *e = NULL;
    size_t n = 0, nvideos = 0, nsubs = 0, capsubs = 0;
    sidecar *subs = NULL;

    if (join(full, sizeof(full), sc->real, rel) < 0 || read_folder(sc, full, rel, &e, &n) < 0) {
        remember_unreadable(sc, rel);
        return;
    }
    /* The subtitles: this folder's, and its Subs folders' (and their folders'). */
    for (size_t i = 0; i < n; i++) {
        if (e[i].kind == E_VIDEO)
            nvideos++;
        else if (e[i].kind == E_SUB)
            add_sidecar(&subs, &nsubs, &capsubs, e[i].name, &e[i], 0, 0);
        else if (e[i].kind == E_DIR && is_subs_folder(e[i].name)) {
            entry *se;
            size_t sn;
            if (join(sub_full, sizeof(sub_full), full, e[i].name) < 0 ||
                join(sub_rel, sizeof(sub_rel), rel, e[i].name) < 0 ||
                read_folder(sc, sub_full, sub_rel, &se, &sn) < 0)
                continue;
            for (size_t j = 0; j < sn; j++) {
                char r[LUME_NAMING_PATH_MAX + 1];
                if (se[j].kind == E_SUB) {
                    if (join(r, sizeof(r), e[i].name, se[j].name) == 0)
                        add_sidecar(&subs, &nsubs, &capsubs, r, &se[j], 0, 1);
                } else if (se[j].kind == E_DIR) { /* Subs/<video>/... */
                    char gfull[PATH_MAX], grel[LUME_NAMING_PATH_MAX + 2];
                    entry *ge;
                    size_t gn;
                    if (join(gfull, sizeof(gfull), sub_full, se[j].name) < 0 ||
                        join(grel, sizeof(grel), sub_rel, se[j].name) < 0 ||
                        read_folder(sc, gfull, grel, &ge, &gn) < 0)
                        continue;
                    for (size_t g = 0; g < gn; g++) {
                        if (ge[g].kind != E_SUB)
                            continue;
                        if ((size_t)snprintf(r, sizeof(r), "%s/%s/%s", e[i].name, se[j].name,
                                             ge[g].name) < sizeof(r))
                            add_sidecar(&subs, &nsubs, &capsubs, r, &ge[g], strlen(se[j].name), 1);
                    }
                    free_entries(ge, gn);
                }
            }
            free_entries(se, sn);
        }
    }
    for (size_t i = 0; i < n && sc->err == LUME_OK; i++)
        if (e[i].kind == E_VIDEO)
            video(sc, rel, &e[i], subs, nsubs, nvideos);
    free(subs);
    for (size_t i = 0; i < n && sc->err == LUME_OK; i++) {
        if (e[i].kind != E_DIR || is_subs_folder(e[i].name))
            continue;
        if (depth >= sc->s->opt.max_depth) {
            sc->st->skipped++;
            continue;
        }
        if (walked(sc, e[i].dev, e[i].ino, e[i].link))
            continue;
        if (join(sub_rel, sizeof(sub_rel), rel, e[i].name) < 0) {
            sc->st->refused++;
            continue;
        }
        walk(sc, sub_rel, depth + 1);
    }
    free_entries(e, n);
}

/* Is rel under a folder that could not be read this time? */
static int under_unreadable(const scan *sc, const char *rel)
{
    for (size_t i = 0; i < sc->nunreadable; i++) {
        size_t l = strlen(sc->unreadable[i]);
        if (l == 0 || (strncmp(rel, sc->unreadable[i], l) == 0 && rel[l] == '/'))
            return 1;
    }
    return 0;
}

lume_status lume_scan_root(lume_scanner *s, const char *root, lume_scan_stats *st)
{
    lume_scan_stats none;
    scan *sc;
    struct stat sb;
    lume_status err;

    if (st == NULL) {
        memset(&none, 0, sizeof(none));
        st = &none;
    }
    if (root == NULL || root[0] != '/')
        return LUME_ERR_NOT_FOUND;
    sc = calloc(1, sizeof(*sc));
    if (sc == NULL)
        return LUME_ERR_INTERNAL;
    sc->s = s;
    sc->st = st;
    if (realpath(root, sc->real) == NULL || stat(sc->real, &sb) < 0 || !S_ISDIR(sb.st_mode)) {
        err = errno == EACCES ? LUME_ERR_UNAVAILABLE : LUME_ERR_NOT_FOUND;
        free(sc);
        return err;
    }
    if (access(sc->real, R_OK | X_OK) < 0) {
        free(sc);
        return LUME_ERR_UNAVAILABLE;
    }
    sc->real_len = strlen(sc->real);
    walked(sc, sb.st_dev, sb.st_ino, 0);
    err = lume_index_root(s->idx, root, &sc->root_id);
    if (err == LUME_OK && lume_index_files(s->idx, sc->root_id, map_add, &sc->known) != LUME_OK)
        err = LUME_ERR_INTERNAL;
    if (err == LUME_OK) {
        walk(sc, "", 0);
        err = sc->err;
    }
    /* Gone: what the walk did not see, unless its folder could not be read. */
    for (size_t i = 0; err == LUME_OK && i < sc->known.cap; i++) {
        known *k = &sc->known.slots[i];
        if (k->path == NULL || k->seen || under_unreadable(sc, k->path))
            continue;
        err = begin_write(sc);
        if (err == LUME_OK)
            err = lume_index_remove(s->idx, k->id);
        if (err == LUME_OK) {
            st->removed++;
            err = commit_if_due(sc, 0);
        }
    }
    if (err == LUME_OK)
        err = commit_if_due(sc, 1);
    else if (sc->writes > 0)
        lume_index_rollback(s->idx);
    map_free(&sc->known);
    for (size_t i = 0; i < sc->nunreadable; i++)
        free(sc->unreadable[i]);
    free(sc->unreadable);
    free(sc->dirs);
    free(sc);
    return err;
}

lume_status lume_scan_roots(lume_scanner *s, const char *const *roots, size_t n,
                            lume_scan_stats *st)
{
    int64_t *ids = calloc(n ? n : 1, sizeof(*ids));
    size_t nids = 0;
    lume_status first = LUME_OK, e;

    if (ids == NULL)
        return LUME_ERR_INTERNAL;
    for (size_t i = 0; i < n; i++) {
        e = lume_scan_root(s, roots[i], st);
        if (e != LUME_OK && first == LUME_OK)
            first = e;
        /* A root that could not be read is still the library's. */
        if (roots[i] != NULL && roots[i][0] == '/' &&
            lume_index_root(s->idx, roots[i], &ids[nids]) == LUME_OK)
            nids++;
    }
    e = lume_index_keep_roots(s->idx, ids, nids);
    free(ids);
    return first != LUME_OK ? first : e;
}

lume_scanner *lume_scanner_create(lume_index *idx, const lume_scan_options *opt)
{
    lume_scanner *s = calloc(1, sizeof(*s));
    char err[256];

    if (s == NULL)
        return NULL;
    s->idx = idx;
    if (opt != NULL)
        s->opt = *opt;
    if (s->opt.max_depth <= 0)
        s->opt.max_depth = LUME_SCAN_DEPTH_MAX;
    if (s->opt.max_files <= 0)
        s->opt.max_files = LUME_SCAN_FILES_MAX;
    s->naming = lume_naming_create(err, sizeof(err));
    if (s->naming == NULL) {
        free(s);
        return NULL;
    }
    return s;
}

void lume_scanner_destroy(lume_scanner *s)
{
    if (s == NULL)
        return;
    lume_naming_destroy(s->naming);
    free(s);
}
