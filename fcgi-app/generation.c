/*
 * generation.c: the cache generation of a configuration (see generation.h).
 * The fingerprint is SipHash-2-4 of a text that lists what decides answers,
 * one NAME=value line each, then the contents of every file setting.
 */
#include "generation.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hash.h"

/* A fixed key: the same configuration has the same generation everywhere. */
static const unsigned char GENERATION_KEY[16] = "lume-generation1";

/* Append the contents of the file at path to out, or a line saying it cannot be read. */
static void put_file(FILE *out, const char *name, const char *path)
{
    char buf[8192];
    size_t n;
    FILE *f = fopen(path, "rb");

    fprintf(out, "%s contents:\n", name);
    if (f == NULL) {
        fputs("(unreadable)\n", out);
        return;
    }
    while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
        fwrite(buf, 1, n, out);
    if (ferror(f))
        fputs("\n(read error)\n", out);
    fclose(f);
}

void lume_generation(const lume_config *c, char out[LUME_GENERATION_BUF])
{
    char *text = NULL, value[LUME_PATH_LEN + 32];
    size_t len = 0;
    uint64_t h;
    FILE *f = open_memstream(&text, &len);

    if (f != NULL) {
        fprintf(f, "lume-fcgi %s\nLUME_PROVIDER=%s\n", LUME_VERSION, c->provider.name);
        for (size_t i = 0; i < lume_provider_count(); i++) {
            const lume_provider_def *def = lume_provider_at(i);
            if (strcmp(def->config_name, c->provider.name) != 0)
                continue;
            for (size_t j = 0; j < def->nsettings; j++) {
                const lume_setting *s = &def->settings[j];
                lume_setting_format(s, c->provider.blocks[i], value, sizeof(value));
                if (s->type == LUME_SETTING_SECRET) /* its hash: a new secret, new links */
                    snprintf(value, sizeof(value), "%016llx",
                             (unsigned long long)lume_siphash(
                                 GENERATION_KEY, (const char *)c->provider.blocks[i] + s->offset,
                                 strlen((const char *)c->provider.blocks[i] + s->offset)));
                fprintf(f, "%s=%s\n", s->name, value);
                if (s->type == LUME_SETTING_FILE && value[0] != '\0')
                    put_file(f, s->name, value);
            }
        }
        fclose(f);
    }
    /* Out of memory: the generation of nothing, which no real configuration has. */
    h = lume_siphash(GENERATION_KEY, text != NULL ? text : "", text != NULL ? len : 0);
    free(text);
    snprintf(out, LUME_GENERATION_BUF, "%016llx", (unsigned long long)h);
}
