/*
 * mock.h: the mock provider (mock.c), registered as lume_mock_provider, and
 * its catalog loader over text, for tests and fuzzers that have the catalog
 * in memory rather than in a file.
 */
#ifndef LUME_MOCK_H
#define LUME_MOCK_H

#include <stddef.h>

#include "provider.h"

extern const lume_provider_def lume_mock_provider;

/* The mock provider's instance (for lume_mock_provider.search and .destroy)
 * with the catalog text[0..len), checked exactly as LUME_MOCK_CATALOG=name
 * is from a file. NULL with a message naming LUME_MOCK_CATALOG in err. */
void *lume_mock_create_from_text(const char *text, size_t len, const char *name, long delay_ms,
                                 char *err, size_t errlen);

#endif
