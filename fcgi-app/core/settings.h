/*
 * settings.h: tables of settings, and setting one from its text.
 *
 * A setting has an environment name (LUME_WORKERS), from which its option
 * (--workers) is derived, a type, and where its value lives: an offset into
 * a plain struct that the table's owner defines (lume_config for the core
 * settings, a provider's own settings block for the provider's). A table's
 * owner needs nothing but this header; the loader (config.c) walks the
 * tables, the way nginx walks the directives its modules declare.
 */
#ifndef LUME_SETTINGS_H
#define LUME_SETTINGS_H

#include <stddef.h>
#include <stdio.h>

/* Bytes of a path or URL setting, NUL included. */
#define LUME_PATH_LEN 512
/* Bytes of a secret setting (a token, a signing key), NUL included. */
#define LUME_SECRET_LEN 128

typedef enum lume_setting_type {
    LUME_SETTING_INT,   /* long from min to max, plain decimal digits */
    LUME_SETTING_OCTAL, /* long from 0 to max, octal digits: a file mode */
    LUME_SETTING_BOOL,  /* int: on/off, yes/no, true/false, 1/0, any case */
    LUME_SETTING_NAMED, /* long: a name that check turns into a number */
    LUME_SETTING_STR,   /* char[size]; check, when set, must accept it */
    LUME_SETTING_FILE,  /* a STR naming a file whose contents are part of the configuration
                           (a catalog): they count in the cache generation (generation.h) */
    LUME_SETTING_SECRET /* a STR never shown: formatted as LUME_SECRET_SHOWN when set
                           (--dump-config, --help, the file's lines) */
} lume_setting_type;

/* What a set secret shows as. */
#define LUME_SECRET_SHOWN "(hidden)"

/* A value check: 0 when value is acceptable (NAMED: its number in *number),
 * else -1 with what was expected in expected ("an http:// or https:// URL"). */
typedef int (*lume_setting_check)(const char *value, long *number, char *expected, size_t len);

typedef struct lume_setting {
    const char *name; /* environment name, LUME_ and upper case */
    lume_setting_type type;
    size_t offset;            /* of the value in its owner's struct */
    size_t size;              /* STR: bytes of the buffer, NUL included */
    long min, max;            /* INT; OCTAL: max */
    lume_setting_check check; /* STR: optional; NAMED: required */
    const char *def;          /* default, as text; NULL: the owner sets it */
    const char *help;
} lume_setting;

/* Table rows: LUME_SETTING_ROW_INT("LUME_RETRIES", archive_settings, retries, 0, 10, "2", "...").
 */
#define LUME_SETTING_ROW_INT(name, type, field, lo, hi, def, help)                                 \
    {                                                                                              \
        name, LUME_SETTING_INT, offsetof(type, field), 0, lo, hi, NULL, def, help                  \
    }
#define LUME_SETTING_ROW_STR(name, type, field, check, def, help)                                  \
    {                                                                                              \
        name, LUME_SETTING_STR, offsetof(type, field), sizeof(((type *)0)->field), 0, 0, check,    \
            def, help                                                                              \
    }

#define LUME_SETTING_ROW_SECRET(name, type, field, check, help)                                     \
    {                                                                                              \
        name, LUME_SETTING_SECRET, offsetof(type, field), sizeof(((type *)0)->field), 0, 0, check, \
            "", help                                                                               \
    }

#define LUME_SETTING_ROW_FILE(name, type, field, check, def, help)                                 \
    {                                                                                              \
        name, LUME_SETTING_FILE, offsetof(type, field), sizeof(((type *)0)->field), 0, 0, check,   \
            def, help                                                                              \
    }

/* The setting of table[0..n) called name, or NULL. */
const lume_setting *lume_setting_find(const lume_setting *table, size_t n, const char *name);

/* Parse value into the struct at base. Returns 0, or -1 with the one-line
 * message "invalid NAME=value: expected ..." in err; base is unchanged then.
 * A STR buffer is zeroed past its value, so that a configuration's bytes
 * depend on its values only (equal configurations compare equal). */
int lume_setting_set(const lume_setting *s, void *base, const char *value, char *err,
                     size_t errlen);

/* Set every setting of table[0..n) that has a default to it. Returns 0, or
 * -1 with the message of the first default that is not a valid value. */
int lume_settings_defaults(const lume_setting *table, size_t n, void *base, char *err,
                           size_t errlen);

/* A secret is 16 to LUME_SECRET_LEN - 1 characters of A-Za-z0-9, '-' and
 * '_' (what `openssl rand -hex` or base64url make); the check of a
 * LUME_SETTING_SECRET row. */
int lume_setting_check_secret(const char *value, long *number, char *expected, size_t len);

/* Read the secret in the file at path (its first line, surrounding blanks
 * trimmed) into out[LUME_SECRET_LEN], checked as above. 0, or -1 with
 * "invalid NAME=path: ..." in err (never the secret). */
int lume_setting_read_secret(const char *name, const char *path, char out[LUME_SECRET_LEN],
                             char *err, size_t errlen);

/* The value at base as text, as it could be given ("on", "0660", "25"); a
 * secret that is set as LUME_SECRET_SHOWN. */
void lume_setting_format(const lume_setting *s, const void *base, char *out, size_t len);

/* s[0..len) for a message, cut to fit out (cap bytes): a message is one
 * line, so control characters are shown as '?'. Returns out. */
const char *lume_setting_shown(const char *s, size_t len, char *out, size_t cap);

/* The option of a setting: "max-requests" for LUME_MAX_REQUESTS. */
void lume_setting_option(const lume_setting *s, char *out, size_t len);

/* The --help line of a setting: option, environment name, help. */
void lume_setting_usage(const lume_setting *s, FILE *out);

/* A check for STR settings that hold a URL: http:// or https://. */
int lume_setting_check_url(const char *value, long *number, char *expected, size_t len);

#endif
