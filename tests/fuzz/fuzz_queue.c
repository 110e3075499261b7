/*
 * fuzz_queue.c: nginx's REQUEST_START stamp ($msec) and the wait computed
 * from it (fcgi-app/queue.c).
 *
 * The input is a mode byte, the worker's wall clock (8 bytes, kept within
 * +-2^62 ms: a clock, not any integer), then the stamp: in text mode (even
 * mode byte) the rest of the input as a C string (a NUL ends it); in clock
 * mode a signed 32-bit offset from the clock, written as nginx writes it
 * ("%lld.%03lld"), sometimes with a change (a sign, a digit more or less,
 * a blank), so that waits around both bounds are tried.
 *
 * Invariants: the stamp parses exactly when a reference does (1 to 12
 * ASCII digits, '.', exactly 3 ASCII digits, nothing else), to seconds *
 * 1000 + milliseconds, and *out_ms is untouched when it does not; the wait
 * is LUME_QUEUE_WAIT_UNKNOWN or 0..LUME_QUEUE_MAX_WAIT_MS, and exactly the
 * reference's: unknown for no valid stamp or one more than
 * LUME_QUEUE_MAX_SKEW_MS ahead of the clock or LUME_QUEUE_MAX_WAIT_MS behind
 * it, 0 when ahead by less, else now - start.
 */
#include <inttypes.h>

#include "fuzz/fuzz.h"
#include "queue.h"

/* The reference: -1, or 0 with the stamp in *ms. */
static int ref_parse(const char *s, int64_t *ms)
{
    size_t secs = 0, frac = 0;
    int64_t v = 0;
    const char *p = s;

    while (*p >= '0' && *p <= '9' && secs <= 12)
        v = v * 10 + (*p++ - '0'), secs++;
    if (secs < 1 || secs > 12 || *p++ != '.')
        return -1;
    while (*p >= '0' && *p <= '9' && frac < 3)
        v = v * 10 + (*p++ - '0'), frac++;
    if (frac != 3 || *p != '\0')
        return -1;
    *ms = v;
    return 0;
}

static int64_t ref_waited(const char *s, int64_t now)
{
    int64_t start;

    if (s == NULL || ref_parse(s, &start) != 0)
        return LUME_QUEUE_WAIT_UNKNOWN;
    if (start > now + LUME_QUEUE_MAX_SKEW_MS || now - start > LUME_QUEUE_MAX_WAIT_MS)
        return LUME_QUEUE_WAIT_UNKNOWN;
    return start > now ? 0 : now - start;
}

/* Clock mode: now + offset as nginx writes it, maybe changed. */
static char *stamp_near(fuzz_reader *r, int64_t now)
{
    int64_t at = now + (int32_t)fuzz_u64(r, 4);
    uint8_t change = fuzz_u8(r), where = fuzz_u8(r);
    char *s = malloc(48);
    int len;

    FUZZ_CHECK(s != NULL);
    if (at < 0)
        at = -at;
    len = snprintf(s, 48, "%" PRId64 ".%03" PRId64, at / 1000, at % 1000);
    switch (change % 8) {
    case 1: memmove(s + 1, s, (size_t)len + 1), s[0] = change & 8 ? '+' : '-'; break;
    case 2: s[len - 1] = '\0'; break;               /* 2 digits of ms */
    case 3: s[len] = '0', s[len + 1] = '\0'; break; /* 4 digits */
    case 4: memmove(s + 1, s, (size_t)len + 1), s[0] = '0'; break;
    case 5: s[where % len] = change & 8 ? ' ' : '/'; break;
    case 6: s[where % len] = (char)(':' + change % 2); break; /* next to the digits */
    default: break;
    }
    return s;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_reader r = {data, size};
    uint8_t mode = fuzz_u8(&r);
    int64_t now = (int64_t)fuzz_u64(&r, 8) >> 1, out = -42, ref = -42, waited;
    char *s;
    int rc, ref_rc;

    if (mode & 2) /* a clock of today, give or take */
        now = INT64_C(1717200000000) + (int32_t)(now & 0xFFFFFFFF);
    s = mode & 1 ? stamp_near(&r, now) : fuzz_bytes(&r, r.left, NULL);

    ref_rc = ref_parse(s, &ref);
    rc = lume_queue_start_parse(s, &out);
    FUZZ_CHECK(rc == ref_rc);
    if (rc == 0) {
        FUZZ_CHECK(out == ref && out >= 0 && out <= INT64_C(999999999999999));
    } else {
        FUZZ_CHECK(rc == -1 && out == -42);
    }

    waited = lume_queue_waited_ms(s, now);
    FUZZ_CHECK(waited == ref_waited(s, now));
    FUZZ_CHECK(waited == LUME_QUEUE_WAIT_UNKNOWN ||
               (waited >= 0 && waited <= LUME_QUEUE_MAX_WAIT_MS));
    FUZZ_CHECK(lume_queue_waited_ms(NULL, now) == LUME_QUEUE_WAIT_UNKNOWN);
    FUZZ_CHECK(lume_queue_start_parse(NULL, &out) == -1);
    free(s);
    return 0;
}
