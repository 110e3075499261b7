/*
 * probe.c: one media file's facts through libavformat, within a time and a
 * byte budget, in this process or in a child (probe.h).
 *
 * The file is read through our own AVIOContext: every read and seek checks
 * the deadline, and every byte counts against the budget. libavformat's
 * interrupt callback checks the same deadline in its own loops.
 *
 * Seeking: an MP4's moov sample tables (an AVI's idx1) are index entries
 * right after the header is read, and they are counted then, before reading
 * packets adds entries of its own. Matroska's demuxer defers its Cues to the
 * first seek, and a seek without them builds an index by reading: so the
 * Cues are looked for here, in the Segment's first elements (Cues before
 * the first Cluster, or a SeekHead entry naming Cues, checked at its place).
 */
#include "probe.h"

#include <errno.h>
#include <fcntl.h>
#include <libavformat/avformat.h>
#include <libavutil/log.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "clock.h"

#define IO_BUF     65536
#define PROBESIZE  (5 * 1024 * 1024)
#define ANALYZE_US (5 * 1000000LL)
#define GRACE_MS   1000
#define HEAD       4096 /* bytes read first: Matroska's DocType, SeekHead */
/* The demuxers a library needs (libavformat's names); nothing else opens. */
#define FORMATS "mov,mp4,m4a,3gp,3g2,mj2,matroska,webm,avi,mpegts,ogg"

const char *lume_probe_status_name(lume_probe_status st)
{
    switch (st) {
    case LUME_PROBE_NONE: return "none";
    case LUME_PROBE_OK: return "ok";
    case LUME_PROBE_FAILED: return "failed";
    case LUME_PROBE_CRASHED: return "crashed";
    case LUME_PROBE_TIMEOUT: return "timeout";
    }
    return "none";
}

/* ---- EBML DocType ------------------------------------------------------------ */

/* A variable-length integer at buf[*pos..len): an element ID (keep_marker)
 * or a size. -1 when it does not fit or is longer than max bytes. */
static int read_vint(const uint8_t *buf, size_t len, size_t *pos, int max, int keep_marker,
                     uint64_t *out)
{
    int n = 1;
    uint64_t v;

    if (*pos >= len || buf[*pos] == 0)
        return -1;
    while (n <= 8 && !(buf[*pos] & (0x80 >> (n - 1))))
        n++;
    if (n > max || len - *pos < (size_t)n)
        return -1;
    v = keep_marker ? buf[*pos] : (buf[*pos] & (0xFF >> n));
    for (int i = 1; i < n; i++)
        v = (v << 8) | buf[*pos + (size_t)i];
    *pos += (size_t)n;
    *out = v;
    return 0;
}

int lume_probe_ebml_doctype(const uint8_t *buf, size_t len, char *out, size_t outlen)
{
    size_t pos = 0, end;
    uint64_t id, size;

    if (outlen == 0)
        return 0;
    out[0] = '\0';
    if (buf == NULL || read_vint(buf, len, &pos, 4, 1, &id) < 0 || id != 0x1A45DFA3 ||
        read_vint(buf, len, &pos, 8, 0, &size) < 0)
        return 0;
    end = size < len - pos ? pos + (size_t)size : len;
    while (pos < end) {
        if (read_vint(buf, end, &pos, 4, 1, &id) < 0 ||
            read_vint(buf, end, &pos, 8, 0, &size) < 0 || size > end - pos)
            return 0;
        if (id == 0x4282) { /* DocType: ASCII, maybe NUL-padded */
            size_t n = 0;
            while (n < size && buf[pos + n] != '\0') {
                if (buf[pos + n] < 0x20 || buf[pos + n] > 0x7E || n + 1 >= outlen) {
                    out[0] = '\0';
                    return 0;
                }
                out[n] = (char)buf[pos + n];
                n++;
            }
            out[n] = '\0';
            return n > 0;
        }
        pos += (size_t)size;
    }
    return 0;
}

/* The Matroska Segment's Cues, in the file's first bytes: 1 when they come
 * before the first Cluster (*at is -1), 2 when a SeekHead names them (*at:
 * their offset in the file), 0 when neither. */
int lume_probe_mkv_cues(const uint8_t *buf, size_t len, int64_t *at)
{
    size_t pos = 0, seg;
    uint64_t id, size;

    *at = -1;
    if (buf == NULL || read_vint(buf, len, &pos, 4, 1, &id) < 0 || id != 0x1A45DFA3 ||
        read_vint(buf, len, &pos, 8, 0, &size) < 0 || size > len - pos)
        return 0;
    pos += (size_t)size;
    if (read_vint(buf, len, &pos, 4, 1, &id) < 0 || id != 0x18538067 ||
        read_vint(buf, len, &pos, 8, 0, &size) < 0)
        return 0;
    seg = pos;
    while (pos < len) {
        size_t start;
        if (read_vint(buf, len, &pos, 4, 1, &id) < 0)
            return 0;
        start = pos;
        if (read_vint(buf, len, &pos, 8, 0, &size) < 0)
            return 0;
        if (id == 0x1C53BB6B)
            return 1;
        if (id == 0x1F43B675 || size == (UINT64_C(1) << (7 * (pos - start))) - 1)
            return 0;           /* a Cluster, or an element of unknown size: the header is over */
        if (id == 0x114D9B74) { /* SeekHead: Seek (SeekID, SeekPosition)... */
            size_t end = size < len - pos ? pos + (size_t)size : len, p = pos;
            while (p < end) {
                uint64_t sid, ssize;
                if (read_vint(buf, end, &p, 4, 1, &sid) < 0 ||
                    read_vint(buf, end, &p, 8, 0, &ssize) < 0 || ssize > end - p)
                    break;
                if (sid == 0x4DBB) {
                    size_t q = p, qend = p + (size_t)ssize;
                    int cues = 0;
                    uint64_t offset = UINT64_MAX;
                    while (q < qend) {
                        uint64_t eid, esize;
                        if (read_vint(buf, qend, &q, 4, 1, &eid) < 0 ||
                            read_vint(buf, qend, &q, 8, 0, &esize) < 0 || esize > qend - q)
                            break;
                        if (eid == 0x53AB && esize == 4 &&
                            memcmp(buf + q, "\x1C\x53\xBB\x6B", 4) == 0)
                            cues = 1;
                        if (eid == 0x53AC && esize >= 1 && esize <= 7) {
                            offset = 0;
                            for (size_t k = 0; k < esize; k++)
                                offset = (offset << 8) | buf[q + k];
                        }
                        q += (size_t)esize;
                    }
                    if (cues && offset != UINT64_MAX) {
                        *at = (int64_t)(seg + offset);
                        return 2;
                    }
                }
                p += (size_t)ssize;
            }
        }
        if (size > len - pos)
            return 0;
        pos += (size_t)size;
    }
    return 0;
}

/* ---- Reading within the budget ---------------------------------------------- */

typedef struct source {
    int fd;             /* the file, or -1 for mem */
    const uint8_t *mem; /* the buffer when fd is -1 */
    int64_t size, pos;
    int64_t read, max_bytes;
    int64_t deadline_ms;
    int over_time, over_bytes;
} source;

static int over_budget(source *s)
{
    if (lume_now_ms() >= s->deadline_ms)
        s->over_time = 1;
    return s->over_time || s->over_bytes;
}

static int interrupt_cb(void *opaque)
{
    return over_budget(opaque);
}

static int read_packet(void *opaque, uint8_t *buf, int want)
{
    source *s = opaque;
    int64_t n = want;

    if (over_budget(s))
        return AVERROR_EXIT;
    if (s->pos >= s->size)
        return AVERROR_EOF;
    if (n > s->size - s->pos)
        n = s->size - s->pos;
    if (s->read + n > s->max_bytes) {
        s->over_bytes = 1;
        return AVERROR_EXIT;
    }
    if (s->fd < 0) {
        memcpy(buf, s->mem + s->pos, (size_t)n);
    } else {
        ssize_t got;
        do
            got = pread(s->fd, buf, (size_t)n, s->pos);
        while (got < 0 && errno == EINTR);
        if (got < 0)
            return AVERROR(EIO);
        if (got == 0)
            return AVERROR_EOF;
        n = got;
    }
    s->pos += n;
    s->read += n;
    return (int)n;
}

static int64_t seek_cb(void *opaque, int64_t offset, int whence)
{
    source *s = opaque;
    int64_t to;

    if (whence & AVSEEK_SIZE)
        return s->size;
    if (over_budget(s))
        return AVERROR_EXIT;
    switch (whence & ~AVSEEK_FORCE) {
    case SEEK_SET: to = offset; break;
    case SEEK_CUR: to = s->pos + offset; break;
    case SEEK_END: to = s->size + offset; break;
    default: return AVERROR(EINVAL);
    }
    if (to < 0)
        return AVERROR(EINVAL);
    s->pos = to;
    return to;
}

/* No file opens another: references, playlists and segments are refused. */
static int refuse_io_open(AVFormatContext *fmt, AVIOContext **pb, const char *url, int flags,
                          AVDictionary **options)
{
    (void)fmt;
    (void)pb;
    (void)url;
    (void)flags;
    (void)options;
    return AVERROR(EPERM);
}

/* ---- Facts ------------------------------------------------------------------- */

static void copy_name(char *dst, const char *src)
{
    snprintf(dst, LUME_PROBE_NAME_BUF, "%s", src != NULL ? src : "");
}

/* Our name of a codec: libavcodec's, but for a few families. */
static void codec_name(char *dst, enum AVCodecID id)
{
    const char *name = avcodec_get_name(id);

    if (id == AV_CODEC_ID_MPEG2VIDEO)
        name = "mpeg2";
    else if (id == AV_CODEC_ID_MPEG1VIDEO)
        name = "mpeg1";
    else if (strncmp(name, "pcm_", 4) == 0)
        name = "pcm";
    else if (strncmp(name, "adpcm_", 6) == 0)
        name = "adpcm";
    copy_name(dst, name);
}

static void container_name(AVFormatContext *fmt, const uint8_t *head, size_t headlen,
                           lume_probe_facts *out)
{
    const char *name = fmt->iformat->name;

    if (strcmp(name, "mov,mp4,m4a,3gp,3g2,mj2") == 0) {
        AVDictionaryEntry *brand = av_dict_get(fmt->metadata, "major_brand", NULL, 0);
        name = brand != NULL && strncmp(brand->value, "qt", 2) == 0 ? "mov" : "mp4";
    } else if (strcmp(name, "matroska,webm") == 0) {
        char doctype[16];
        name = lume_probe_ebml_doctype(head, headlen, doctype, sizeof(doctype)) &&
                       strcmp(doctype, "webm") == 0
                   ? "webm"
                   : "mkv";
    } else if (strcmp(name, "mpegts") == 0) {
        name = "ts";
    }
    copy_name(out->container, name);
}

static int has_index(AVFormatContext *fmt)
{
    for (unsigned i = 0; i < fmt->nb_streams; i++) {
        const AVStream *st = fmt->streams[i];
        if (st->codecpar->codec_type == AVMEDIA_TYPE_VIDEO &&
            !(st->disposition & AV_DISPOSITION_ATTACHED_PIC) &&
            avformat_index_get_entries_count(st) > 0)
            return 1;
    }
    /* An audio-only file: any stream's index. */
    for (unsigned i = 0; i < fmt->nb_streams; i++)
        if (avformat_index_get_entries_count(fmt->streams[i]) > 0 &&
            fmt->streams[i]->codecpar->codec_type == AVMEDIA_TYPE_AUDIO)
            return 1;
    return 0;
}

/* Matroska with Cues (see the top): those in the first bytes, or those a
 * SeekHead names, when the Cues ID is at that place. */
static int mkv_has_cues(source *s, const uint8_t *head, size_t headlen)
{
    int64_t at;
    uint8_t id[4];
    int found = lume_probe_mkv_cues(head, headlen, &at);

    if (found != 2)
        return found == 1;
    if (at < 0 || at > s->size - 4 || s->read + 4 > s->max_bytes)
        return 0;
    s->read += 4;
    if (s->fd >= 0) {
        if (pread(s->fd, id, 4, at) != 4)
            return 0;
    } else {
        memcpy(id, s->mem + at, 4);
    }
    return memcmp(id, "\x1C\x53\xBB\x6B", 4) == 0;
}

static lume_probe_status probe_source(source *s, const lume_probe_limits *limits,
                                      lume_probe_facts *out)
{
    AVFormatContext *fmt = NULL;
    AVIOContext *pb = NULL;
    uint8_t *iobuf = NULL, head[HEAD];
    size_t headlen = 0;
    int seekable = 0, video = -1, audio = -1;
    lume_probe_status st = LUME_PROBE_FAILED;
    int64_t max_bytes =
        limits != NULL && limits->max_bytes > 0 ? limits->max_bytes : LUME_PROBE_MAX_BYTES;
    int timeout_ms =
        limits != NULL && limits->timeout_ms > 0 ? limits->timeout_ms : LUME_PROBE_TIMEOUT_MS;

    av_log_set_level(AV_LOG_QUIET);
    s->max_bytes = max_bytes;
    s->deadline_ms = lume_now_ms() + timeout_ms;
    /* The first bytes, for Matroska's DocType and SeekHead (counted once). */
    if (s->fd >= 0) {
        ssize_t got = pread(s->fd, head, sizeof(head), 0);
        headlen = got > 0 ? (size_t)got : 0;
        s->read += (int64_t)headlen;
    } else {
        headlen = s->size < (int64_t)sizeof(head) ? (size_t)s->size : sizeof(head);
        if (headlen > 0)
            memcpy(head, s->mem, headlen);
        s->read += (int64_t)headlen;
    }

    fmt = avformat_alloc_context();
    iobuf = av_malloc(IO_BUF);
    if (fmt == NULL || iobuf == NULL)
        goto done;
    pb = avio_alloc_context(iobuf, IO_BUF, 0, s, read_packet, NULL, seek_cb);
    if (pb == NULL)
        goto done;
    iobuf = NULL; /* pb's now */
    fmt->pb = pb;
    fmt->flags |= AVFMT_FLAG_CUSTOM_IO;
    fmt->interrupt_callback.callback = interrupt_cb;
    fmt->interrupt_callback.opaque = s;
    fmt->io_open = refuse_io_open;
    fmt->probesize = PROBESIZE;
    fmt->max_analyze_duration = ANALYZE_US;
    fmt->format_probesize = 1024 * 1024;
    fmt->format_whitelist = av_strdup(FORMATS);
    fmt->protocol_whitelist = av_strdup("none");
    if (fmt->format_whitelist == NULL || fmt->protocol_whitelist == NULL)
        goto done;
    if (avformat_open_input(&fmt, NULL, NULL, NULL) < 0) {
        fmt = NULL; /* freed by avformat_open_input */
        goto done;
    }
    seekable = strcmp(fmt->iformat->name, "matroska,webm") == 0 ? mkv_has_cues(s, head, headlen)
                                                                : has_index(fmt);
    if (avformat_find_stream_info(fmt, NULL) < 0 || over_budget(s))
        goto done;

    video = av_find_best_stream(fmt, AVMEDIA_TYPE_VIDEO, -1, -1, NULL, 0);
    audio = av_find_best_stream(fmt, AVMEDIA_TYPE_AUDIO, -1, -1, NULL, 0);
    if (video < 0 && audio < 0)
        goto done;
    container_name(fmt, head, headlen, out);
    if (video >= 0) {
        const AVCodecParameters *par = fmt->streams[video]->codecpar;
        codec_name(out->video_codec, par->codec_id);
        out->width = par->width > 0 ? par->width : 0;
        out->height = par->height > 0 ? par->height : 0;
    }
    if (audio >= 0)
        codec_name(out->audio_codec, fmt->streams[audio]->codecpar->codec_id);
    if (fmt->duration != AV_NOPTS_VALUE && fmt->duration > 0)
        out->duration_s = (double)fmt->duration / AV_TIME_BASE;
    out->bitrate = fmt->bit_rate > 0 ? fmt->bit_rate : 0;
    out->seekable = seekable;
    st = LUME_PROBE_OK;
done:
    if (st != LUME_PROBE_OK && (s->over_time || s->over_bytes))
        st = LUME_PROBE_TIMEOUT;
    if (fmt != NULL)
        avformat_close_input(&fmt);
    if (pb != NULL) {
        av_freep(&pb->buffer);
        avio_context_free(&pb);
    }
    av_free(iobuf);
    return st;
}

static void clear_facts(lume_probe_facts *out, int64_t size)
{
    memset(out, 0, sizeof(*out));
    out->size = size;
}

lume_probe_status lume_probe_file(const char *path, const lume_probe_limits *limits,
                                  lume_probe_facts *out)
{
    struct stat sb;
    source s = {.fd = -1};
    lume_probe_status st;

    clear_facts(out, 0);
    /* O_NONBLOCK: a FIFO put in the library does not block the open. */
    s.fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (s.fd < 0)
        return LUME_PROBE_FAILED;
    if (fstat(s.fd, &sb) < 0 || !S_ISREG(sb.st_mode)) {
        close(s.fd);
        return LUME_PROBE_FAILED;
    }
    s.size = sb.st_size;
    st = probe_source(&s, limits, out);
    if (st != LUME_PROBE_OK)
        clear_facts(out, sb.st_size);
    out->size = sb.st_size;
    close(s.fd);
    return st;
}

lume_probe_status lume_probe_buffer(const void *data, size_t len, const lume_probe_limits *limits,
                                    lume_probe_facts *out)
{
    source s = {.fd = -1, .mem = data, .size = (int64_t)len};
    lume_probe_status st;

    clear_facts(out, (int64_t)len);
    st = probe_source(&s, limits, out);
    if (st != LUME_PROBE_OK)
        clear_facts(out, (int64_t)len);
    out->size = (int64_t)len;
    return st;
}

/* ---- In a child ------------------------------------------------------------------ */

typedef struct answer {
    uint32_t magic;
    int32_t status;
    lume_probe_facts facts;
} answer;

#define ANSWER_MAGIC 0x4C505242u /* "LPRB" */

static void reap(pid_t pid, int *wstatus)
{
    while (waitpid(pid, wstatus, 0) < 0 && errno == EINTR)
        ;
}

lume_probe_status lume_probe_run_isolated(lume_probe_fn fn, const char *path,
                                          const lume_probe_limits *limits, lume_probe_facts *out)
{
    int fds[2], wstatus = 0;
    int timeout_ms =
        limits != NULL && limits->timeout_ms > 0 ? limits->timeout_ms : LUME_PROBE_TIMEOUT_MS;
    int64_t deadline = lume_now_ms() + timeout_ms + GRACE_MS;
    answer a;
    size_t got = 0;
    int timed_out = 0;
    pid_t pid;

    clear_facts(out, 0);
    if (fn == NULL)
        fn = lume_probe_file;
    if (pipe2(fds, O_CLOEXEC) < 0)
        return LUME_PROBE_FAILED;
    pid = fork();
    if (pid < 0) {
        close(fds[0]);
        close(fds[1]);
        return LUME_PROBE_FAILED;
    }
    if (pid == 0) {
        const char *p = (const char *)&a;
        size_t left = sizeof(a);
        static const int deflt[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT,
                                    SIGTERM, SIGINT, SIGHUP, SIGCHLD};
        close(fds[0]);
        /* The parent's handlers are not the child's: a crash is a crash. */
        for (size_t i = 0; i < sizeof(deflt) / sizeof(deflt[0]); i++)
            signal(deflt[i], SIG_DFL);
        signal(SIGPIPE, SIG_IGN);
        memset(&a, 0, sizeof(a));
        a.magic = ANSWER_MAGIC;
        a.status = (int32_t)fn(path, limits, &a.facts);
        while (left > 0) {
            ssize_t w = write(fds[1], p, left);
            if (w < 0 && errno == EINTR)
                continue;
            if (w <= 0)
                _exit(1);
            p += w;
            left -= (size_t)w;
        }
        _exit(0);
    }
    close(fds[1]);
    while (got < sizeof(a)) {
        int64_t left = deadline - lume_now_ms();
        struct pollfd pfd = {.fd = fds[0], .events = POLLIN};
        int rc;
        ssize_t r;

        if (left <= 0) {
            timed_out = 1;
            break;
        }
        rc = poll(&pfd, 1, (int)left);
        if (rc < 0 && errno == EINTR)
            continue;
        if (rc < 0)
            break;
        if (rc == 0)
            continue; /* the deadline, checked above */
        r = read(fds[0], (char *)&a + got, sizeof(a) - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break; /* EOF: the child is gone without a whole answer */
        got += (size_t)r;
    }
    close(fds[0]);
    if (timed_out)
        kill(pid, SIGKILL);
    reap(pid, &wstatus);
    if (timed_out)
        return LUME_PROBE_TIMEOUT;
    if (got < sizeof(a) || a.magic != ANSWER_MAGIC || a.status < LUME_PROBE_NONE ||
        a.status > LUME_PROBE_TIMEOUT)
        return LUME_PROBE_CRASHED;
    *out = a.facts;
    out->container[LUME_PROBE_NAME_BUF - 1] = '\0';
    out->video_codec[LUME_PROBE_NAME_BUF - 1] = '\0';
    out->audio_codec[LUME_PROBE_NAME_BUF - 1] = '\0';
    return (lume_probe_status)a.status;
}

lume_probe_status lume_probe_file_isolated(const char *path, const lume_probe_limits *limits,
                                           lume_probe_facts *out)
{
    return lume_probe_run_isolated(lume_probe_file, path, limits, out);
}
