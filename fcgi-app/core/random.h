/*
 * random.h: the one pseudo-random generator of Lume (splitmix64) and its
 * seed. Fast, well mixed and not cryptographic: request ids (http.c) and
 * retry jitter (backoff.c) need variety, not secrecy. Each user keeps its own
 * state (no global generator), seeded once per process after fork.
 */
#ifndef LUME_RANDOM_H
#define LUME_RANDOM_H

#include <stdint.h>

/* The next number of the sequence; advances *state. Any seed, 0 included. */
uint64_t lume_random_next(uint64_t *state);

/* A fresh seed from the OS (getrandom, never blocking), else from the clock
 * and the pid. */
uint64_t lume_random_seed(void);

#endif
