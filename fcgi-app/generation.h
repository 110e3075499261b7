/*
 * generation.h: the cache generation, a fingerprint of everything in a
 * configuration that decides what an answer says: the version of lume-fcgi,
 * the provider, each of its settings and the contents of the files they name
 * (a catalog). nginx keeps the answers of one generation apart from every
 * other's (docs/architecture.md, "The response cache"): the worker names its
 * generation in every answer (X-Lume-Generation), and nginx stores only the
 * answers of the generation it was configured with (lume-fcgi --dump-config).
 */
#ifndef LUME_GENERATION_H
#define LUME_GENERATION_H

#include "config.h"

#define LUME_GENERATION_BUF 17 /* 16 hex digits and NUL */

/* The generation of c: 16 lower-case hex digits. A file that cannot be read
 * counts as such (the provider will refuse to start on it anyway). */
void lume_generation(const lume_config *c, char out[LUME_GENERATION_BUF]);

#endif
