/*
 * unit.h: what several cmocka unit tests share: the cmocka includes in the
 * order cmocka needs, temporary files (catalogs, configuration files), and
 * building long strings for the length limits.
 */
#ifndef LUME_TESTS_UNIT_H
#define LUME_TESTS_UNIT_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

/* Write text to a new temporary file; returns its path (free it, and unlink
 * the file, with unit_remove_file). */
static inline char *unit_write_file(const char *text)
{
    char tmpl[] = "/tmp/lume-unit-XXXXXX";
    int fd = mkstemp(tmpl);
    size_t len = strlen(text);

    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, len), (ssize_t)len);
    close(fd);
    return strdup(tmpl);
}

static inline void unit_remove_file(char *path)
{
    if (path != NULL)
        unlink(path);
    free(path);
}

/* A new string of n copies of piece, with prefix and suffix around them. */
static inline char *unit_repeat(const char *prefix, const char *piece, size_t n, const char *suffix)
{
    size_t plen = strlen(piece), len = strlen(prefix) + plen * n + strlen(suffix);
    char *s = malloc(len + 1), *p = s;

    assert_non_null(s);
    p = stpcpy(p, prefix);
    for (size_t i = 0; i < n; i++)
        p = stpcpy(p, piece);
    strcpy(p, suffix);
    return s;
}

#endif
