/*
 * json_text.h: the bytes a JSON string keeps as they are, shared by the
 * response renderer (render.c) and the log writer (log.c), so that both
 * copy a plain run whole and look at a byte one by one only where it must be
 * escaped or checked as UTF-8.
 */
#ifndef LUME_JSON_TEXT_H
#define LUME_JSON_TEXT_H

#include <stddef.h>

/* 1 for printable ASCII other than '"' and '\\'; 0 for everything else: NUL,
 * the control characters, and every byte of a multi-byte character. */
extern const unsigned char lume_json_plain[256];

/* The length of s's first run of bytes a JSON string keeps as they are; it
 * stops at the NUL, so s[result] == '\0' means the whole of s is plain. */
static inline size_t lume_json_plain_span(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;

    while (lume_json_plain[p[i]])
        i++;
    return i;
}

#endif
