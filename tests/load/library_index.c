/*
 * library_index.c: the library bench's driver (tests/load/bench.py,
 * library_bench). Runs the library provider's own scanner (scan.c, naming.c,
 * index.c) and prober (probe.c) outside the service, and prints one line of
 * JSON with what it measured.
 *
 *   library-index scan DB ROOT [noprobe]   scan ROOT into the index DB once:
 *       {"ms":..., "files":..., "added":..., "unchanged":..., "probed":...}
 *       noprobe: the prober's child is not made; every new file is recorded
 *       as the prober records an empty one (failed, no facts): the time of
 *       names and index writes alone.
 *   library-index probe N FILE...          probe the files in turn, N probes
 *       in all, each in its own child as the indexer does:
 *       {"ms":..., "probes":N, "ok":...}
 *
 * Built with -Wl,--wrap=lume_probe_run_isolated (the Makefile), so that
 * noprobe replaces the scanner's one call of the prober and nothing else.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "library/index.h"
#include "library/probe.h"
#include "library/scan.h"

static int no_probe;

lume_probe_status __real_lume_probe_run_isolated(lume_probe_fn fn, const char *path,
                                                 const lume_probe_limits *limits,
                                                 lume_probe_facts *out);
lume_probe_status __wrap_lume_probe_run_isolated(lume_probe_fn fn, const char *path,
                                                 const lume_probe_limits *limits,
                                                 lume_probe_facts *out);

lume_probe_status __wrap_lume_probe_run_isolated(lume_probe_fn fn, const char *path,
                                                 const lume_probe_limits *limits,
                                                 lume_probe_facts *out)
{
    if (no_probe) {
        memset(out, 0, sizeof(*out));
        return LUME_PROBE_FAILED;
    }
    return __real_lume_probe_run_isolated(fn, path, limits, out);
}

static int scan(const char *db, const char *root)
{
    lume_index *idx = NULL;
    lume_scanner *s;
    lume_scan_stats st = {0};
    lume_status rc;
    int64_t t0;

    if (lume_index_open_rw(db, &idx) != LUME_OK || (s = lume_scanner_create(idx, NULL)) == NULL) {
        fprintf(stderr, "library-index: cannot open %s\n", db);
        return 1;
    }
    t0 = lume_now_ms();
    rc = lume_scan_root(s, root, &st);
    printf("{\"ms\":%lld,\"status\":\"%s\",\"files\":%ld,\"added\":%ld,\"updated\":%ld,"
           "\"unchanged\":%ld,\"removed\":%ld,\"probed\":%ld,\"skipped\":%ld,\"refused\":%ld}\n",
           (long long)(lume_now_ms() - t0), lume_status_code(rc), st.files, st.added, st.updated,
           st.unchanged, st.removed, st.probed, st.skipped, st.refused);
    lume_scanner_destroy(s);
    lume_index_close(idx);
    return rc != LUME_OK;
}

static int probe(long n, char **files, int nfiles)
{
    long ok = 0;
    int64_t t0 = lume_now_ms();

    for (long i = 0; i < n; i++) {
        lume_probe_facts f;
        ok += lume_probe_run_isolated(NULL, files[i % nfiles], NULL, &f) == LUME_PROBE_OK;
    }
    printf("{\"ms\":%lld,\"probes\":%ld,\"ok\":%ld}\n", (long long)(lume_now_ms() - t0), n, ok);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc >= 4 && strcmp(argv[1], "scan") == 0) {
        no_probe = argc > 4 && strcmp(argv[4], "noprobe") == 0;
        return scan(argv[2], argv[3]);
    }
    if (argc >= 4 && strcmp(argv[1], "probe") == 0)
        return probe(atol(argv[2]), argv + 3, argc - 3);
    fprintf(stderr, "usage: library-index scan DB ROOT [noprobe] | probe N FILE...\n");
    return 2;
}
