/*
 * hash.h: SipHash-2-4 (Aumasson and Bernstein), a keyed 64-bit hash of a byte
 * string with good distribution. Used for validators (etag.h): with a fixed
 * key, two different bodies get the same value with negligible probability.
 * Pure function, no state.
 */
#ifndef LUME_HASH_H
#define LUME_HASH_H

#include <stddef.h>
#include <stdint.h>

/* SipHash-2-4 of data[0..len) under the 16-byte key. */
uint64_t lume_siphash(const unsigned char key[16], const void *data, size_t len);

#endif
