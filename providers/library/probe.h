/*
 * probe.h: the library provider's media prober (issue 26, part 3). It owns
 * reading one file's facts with libavformat: the container, the video and
 * audio codecs, width, height, duration, bit rate, size, and whether the file
 * can seek (an index: an MP4 moov sample table, Matroska Cues, an AVI idx1).
 *
 * A probe has a budget: a deadline (checked by libavformat's interrupt
 * callback and by every read) and a byte budget (every byte read through the
 * prober's own I/O is counted), besides libavformat's probesize and
 * analyzeduration. Only the containers of a library are opened (a format
 * whitelist), and a file never makes libavformat open another one (no
 * references, no playlists). libavformat's own log is silenced, process-wide.
 *
 * lume_probe_file_isolated() runs the probe in a child process, killed when
 * its time is up, so that a file that crashes or hangs libavformat costs one
 * child: the answer says crashed or timed out, and the index remembers it.
 */
#ifndef LUME_PROBE_H
#define LUME_PROBE_H

#include <stddef.h>
#include <stdint.h>

typedef enum lume_probe_status {
    LUME_PROBE_NONE = 0, /* not probed (yet) */
    LUME_PROBE_OK,
    LUME_PROBE_FAILED,  /* not media, a container outside the list, truncated, unreadable */
    LUME_PROBE_CRASHED, /* the isolated prober died (a signal, or no answer) */
    LUME_PROBE_TIMEOUT  /* over budget: its time, or its bytes */
} lume_probe_status;

#define LUME_PROBE_NAME_BUF 16 /* a container or codec name and its NUL */

typedef struct lume_probe_facts {
    char container[LUME_PROBE_NAME_BUF];   /* "mp4" "mov" "mkv" "webm" "avi" "ts" "ogg"; "" */
    char video_codec[LUME_PROBE_NAME_BUF]; /* "h264" "hevc" "av1" "vp9" "vp8" "mpeg2"
                                              "mpeg4" "theora"...; "" when no video */
    char audio_codec[LUME_PROBE_NAME_BUF]; /* "aac" "mp3" "opus" "vorbis" "ac3" "eac3"
                                              "flac" "dts" "truehd" "mp2" "pcm"...; "" */
    int width, height;                     /* pixels; 0 when unknown */
    double duration_s;                     /* seconds; 0 when unknown */
    int64_t bitrate;                       /* bits per second, overall; 0 when unknown */
    int64_t size;                          /* bytes of the file */
    int seekable;                          /* 1: the file carries a seek index */
} lume_probe_facts;

typedef struct lume_probe_limits {
    int timeout_ms;    /* the whole probe; <= 0: LUME_PROBE_TIMEOUT_MS */
    int64_t max_bytes; /* bytes read, seeks included; <= 0: LUME_PROBE_MAX_BYTES */
} lume_probe_limits;

#define LUME_PROBE_TIMEOUT_MS 5000
#define LUME_PROBE_MAX_BYTES  (32 * 1024 * 1024)

/* The name of a status: "none" "ok" "failed" "crashed" "timeout". */
const char *lume_probe_status_name(lume_probe_status st);

/* Probe the regular file at path in this process. limits may be NULL (the
 * defaults). out is always fully written (zero but size when not OK). */
lume_probe_status lume_probe_file(const char *path, const lume_probe_limits *limits,
                                  lume_probe_facts *out);

/* The same over data[0..len) in memory (the fuzz target's way in). */
lume_probe_status lume_probe_buffer(const void *data, size_t len, const lume_probe_limits *limits,
                                    lume_probe_facts *out);

/* What runs in the child: lume_probe_file, or a test's stand-in. */
typedef lume_probe_status (*lume_probe_fn)(const char *path, const lume_probe_limits *limits,
                                           lume_probe_facts *out);

/*
 * Run fn (NULL: lume_probe_file) on path in a forked child and bring its
 * answer back over a pipe. The child has the probe's time budget plus a
 * grace second; then it is killed (SIGKILL): LUME_PROBE_TIMEOUT. A child
 * that dies on a signal or exits without a whole answer: LUME_PROBE_CRASHED.
 * The child is always reaped before this returns (the caller must not reap
 * it elsewhere: no waitpid(-1) in a SIGCHLD handler meanwhile). FAILED when
 * no child can be made.
 */
lume_probe_status lume_probe_run_isolated(lume_probe_fn fn, const char *path,
                                          const lume_probe_limits *limits, lume_probe_facts *out);

/* lume_probe_run_isolated(lume_probe_file, ...). */
lume_probe_status lume_probe_file_isolated(const char *path, const lume_probe_limits *limits,
                                           lume_probe_facts *out);

/* The DocType of an EBML (Matroska, WebM) header at the start of buf
 * (len bytes, any bytes) into out (outlen >= 1, NUL-terminated, printable
 * ASCII only): 1 when found, 0 when not (out is ""). */
int lume_probe_ebml_doctype(const uint8_t *buf, size_t len, char *out, size_t outlen);

/* Matroska's Cues in the file's first bytes buf[0..len) (any bytes): 1 when
 * a Cues element comes before the first Cluster, 2 when the Segment's
 * SeekHead names Cues (*at is where, from the file's start; else -1), 0
 * when neither (within len). */
int lume_probe_mkv_cues(const uint8_t *buf, size_t len, int64_t *at);

#endif
