/*
 * settings.c: finding a setting in a table, parsing its text into its
 * owner's struct, and printing it back (see settings.h).
 */
#include "settings.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "decimal.h"

const lume_setting *lume_setting_find(const lume_setting *table, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(table[i].name, name) == 0)
            return &table[i];
    return NULL;
}

const char *lume_setting_shown(const char *s, size_t len, char *out, size_t cap)
{
    size_t n = 0;

    for (; n < len && s[n] != '\0' && n + 1 < cap; n++)
        out[n] = (unsigned char)s[n] < 0x20 || s[n] == 0x7F ? '?' : s[n];
    if (cap > 0)
        out[n] = '\0';
    return out;
}

static int invalid(char *err, size_t errlen, const lume_setting *s, const char *value,
                   const char *expected)
{
    char buf[65];

    snprintf(err, errlen, "invalid %s=%s: expected %s", s->name,
             s->type == LUME_SETTING_SECRET
                 ? LUME_SECRET_SHOWN
                 : lume_setting_shown(value, strlen(value), buf, sizeof(buf)),
             expected);
    return -1;
}

static int parse_bool(const char *v, int *out)
{
    static const char *yes[] = {"1", "on", "yes", "true"}, *no[] = {"0", "off", "no", "false"};

    for (size_t i = 0; i < 4; i++) {
        if (strcasecmp(v, yes[i]) == 0)
            return *out = 1, 0;
        if (strcasecmp(v, no[i]) == 0)
            return *out = 0, 0;
    }
    return -1;
}

static int parse_octal(const char *v, long max, long *out)
{
    char *end;

    errno = 0;
    *out = strtol(v, &end, 8);
    /* digits only: strtol alone would take a sign and leading blanks */
    return *v < '0' || *v > '7' || *end != '\0' || errno != 0 || *out < 0 || *out > max ? -1 : 0;
}

int lume_setting_set(const lume_setting *s, void *base, const char *value, char *err, size_t errlen)
{
    char *field = (char *)base + s->offset, expected[256] = "";
    long n = 0;
    int b;

    switch (s->type) {
    case LUME_SETTING_INT:
        if (lume_decimal_parse(value, strlen(value), s->min, s->max, &n) != 0) {
            snprintf(expected, sizeof(expected), "an integer from %ld to %ld", s->min, s->max);
            return invalid(err, errlen, s, value, expected);
        }
        *(long *)(void *)field = n;
        return 0;
    case LUME_SETTING_OCTAL:
        if (parse_octal(value, s->max, &n) != 0)
            return invalid(err, errlen, s, value, "an octal mode such as 0660");
        *(long *)(void *)field = n;
        return 0;
    case LUME_SETTING_BOOL:
        if (parse_bool(value, &b) != 0)
            return invalid(err, errlen, s, value, "on or off");
        *(int *)(void *)field = b;
        return 0;
    case LUME_SETTING_NAMED:
        if (s->check(value, &n, expected, sizeof(expected)) != 0)
            return invalid(err, errlen, s, value, expected);
        *(long *)(void *)field = n;
        return 0;
    case LUME_SETTING_STR:
    case LUME_SETTING_FILE:
    case LUME_SETTING_SECRET:
        if (s->check != NULL && s->check(value, &n, expected, sizeof(expected)) != 0)
            return invalid(err, errlen, s, value, expected);
        if (strlen(value) >= s->size)
            return invalid(err, errlen, s, value, "a shorter value");
        memset(field, 0, s->size);
        memcpy(field, value, strlen(value));
        return 0;
    }
    return invalid(err, errlen, s, value, "a value of a known type");
}

int lume_settings_defaults(const lume_setting *table, size_t n, void *base, char *err,
                           size_t errlen)
{
    for (size_t i = 0; i < n; i++)
        if (table[i].def != NULL && lume_setting_set(&table[i], base, table[i].def, err, errlen))
            return -1;
    return 0;
}

void lume_setting_format(const lume_setting *s, const void *base, char *out, size_t len)
{
    const char *field = (const char *)base + s->offset;

    switch (s->type) {
    case LUME_SETTING_INT:
    case LUME_SETTING_NAMED: snprintf(out, len, "%ld", *(const long *)(const void *)field); return;
    case LUME_SETTING_OCTAL: snprintf(out, len, "0%lo", *(const long *)(const void *)field); return;
    case LUME_SETTING_BOOL:
        snprintf(out, len, "%s", *(const int *)(const void *)field ? "on" : "off");
        return;
    case LUME_SETTING_STR:
    case LUME_SETTING_FILE: snprintf(out, len, "%s", field); return;
    case LUME_SETTING_SECRET: snprintf(out, len, "%s", field[0] ? LUME_SECRET_SHOWN : ""); return;
    }
    snprintf(out, len, "?");
}

void lume_setting_option(const lume_setting *s, char *out, size_t len)
{
    const char *p = s->name + (strncmp(s->name, "LUME_", 5) == 0 ? 5 : 0);
    size_t n = 0;

    for (; p[n] != '\0' && n + 1 < len; n++)
        out[n] = p[n] == '_' ? '-' : (char)tolower((unsigned char)p[n]);
    if (len > 0)
        out[n] = '\0';
}

void lume_setting_usage(const lume_setting *s, FILE *out)
{
    char opt[64];

    lume_setting_option(s, opt, sizeof(opt));
    fprintf(out, "  --%-22s %-26s %s\n", opt, s->name, s->help);
}

int lume_setting_check_secret(const char *value, long *number, char *expected, size_t len)
{
    size_t n = strlen(value);

    (void)number;
    if (n == 0) /* not set: what uses it is off */
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!isalnum((unsigned char)value[i]) && value[i] != '-' && value[i] != '_')
            n = 0;
    if (n >= 16 && n < LUME_SECRET_LEN)
        return 0;
    snprintf(expected, len, "16 to %d characters of A-Z, a-z, 0-9, - and _", LUME_SECRET_LEN - 1);
    return -1;
}

int lume_setting_read_secret(const char *name, const char *path, char out[LUME_SECRET_LEN],
                             char *err, size_t errlen)
{
    char line[LUME_SECRET_LEN + 2], expected[96];
    FILE *f = fopen(path, "r");
    size_t n, start = 0;
    long unused;

    if (f == NULL) {
        snprintf(err, errlen, "invalid %s=%.300s: cannot be read", name, path);
        return -1;
    }
    n = fgets(line, sizeof(line), f) != NULL ? strlen(line) : 0;
    fclose(f);
    while (n > 0 && isspace((unsigned char)line[n - 1]))
        line[--n] = '\0';
    while (start < n && isspace((unsigned char)line[start]))
        start++;
    if (n == start || lume_setting_check_secret(line + start, &unused, expected, sizeof(expected))) {
        snprintf(err, errlen, "invalid %s=%.300s: expected a file whose first line is %s", name,
                 path, n == start ? "a secret" : expected);
        return -1;
    }
    snprintf(out, LUME_SECRET_LEN, "%s", line + start);
    return 0;
}

int lume_setting_check_url(const char *value, long *number, char *expected, size_t len)
{
    (void)number;
    if (strncmp(value, "http://", 7) == 0 || strncmp(value, "https://", 8) == 0)
        return 0;
    snprintf(expected, len, "an http:// or https:// URL");
    return -1;
}
