/*
 * fuzz_archive_pick.c: the file picker (archive_pick_file) on any list of
 * files, names and formats absent or any bytes, any sizes and heights. The
 * pick must be what a plain reading of the rule gives: among .mp4 files
 * (any case) of the h.264 family ("h.264", "h.264 IA", "h.264 HD", "MPEG4",
 * "HiRes MPEG4", any case) the highest height, then the largest size, the
 * first on ties; "512Kb MPEG4" only when none of the family exists; -1 when
 * nothing plays.
 */
#include <strings.h>

#include "fuzz/fuzz_archive.h"

static const char *const names[] = {"a.mp4", "B.MP4", "film.avi", ".mp4", "mp4", "x.Mp4", NULL};
static const char *const formats[] = {"h.264",       "H.264 IA",    "h.264 HD",  "MPEG4",
                                      "HiRes MPEG4", "512Kb MPEG4", "Ogg Video", NULL};

static int rank(const archive_file *f)
{
    size_t n = f->name ? strlen(f->name) : 0;

    if (!f->format || n < 4 || strcasecmp(f->name + n - 4, ".mp4") != 0)
        return 0;
    if (strcasecmp(f->format, "512Kb MPEG4") == 0)
        return 1;
    for (size_t i = 0; i < 5; i++)
        if (strcasecmp(f->format, formats[i]) == 0)
            return 2;
    return 0;
}

static int better(const archive_file *a, const archive_file *b)
{
    if (rank(a) != rank(b))
        return rank(a) > rank(b);
    if (a->height != b->height)
        return a->height > b->height;
    return a->size > b->size;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_reader r = {data, size};
    size_t count = fuzz_u8(&r) % 64;
    archive_file *files = malloc((count ? count : 1) * sizeof(*files));
    char **owned = calloc(2 * (count ? count : 1), sizeof(char *));
    long pick, want = -1;

    FUZZ_CHECK(files != NULL && owned != NULL);
    for (size_t i = 0; i < count; i++) {
        uint8_t how = fuzz_u8(&r);
        files[i].name = names[how % 7];
        files[i].format = formats[(how >> 3) % 8];
        if (how & 0x40)
            files[i].name = owned[2 * i] = fuzz_until(&r, 0, NULL);
        if (how & 0x80)
            files[i].format = owned[2 * i + 1] = fuzz_until(&r, 0, NULL);
        files[i].size = (int64_t)fuzz_u64(&r, 8);
        files[i].height = (long)(int32_t)fuzz_u64(&r, 4);
    }
    for (size_t i = 0; i < count; i++)
        if (rank(&files[i]) > 0 && (want < 0 || better(&files[i], &files[want])))
            want = (long)i;
    pick = archive_pick_file(files, count);
    FUZZ_CHECK(pick == want);
    FUZZ_CHECK(archive_pick_file(files, 0) == -1);
    for (size_t i = 0; i < 2 * count; i++)
        free(owned[i]);
    free(owned);
    free(files);
    return 0;
}
