/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Helpers shared by the fuzzing harnesses in tests/fuzz/: a failing-check
 * macro that stops the run, a small deterministic PRNG seeded from the input
 * (so a crash input replays the same splits), and ASan poisoning that is a
 * no-op when the harness is built without AddressSanitizer.
 */
#ifndef HTTPD_FUZZ_COMMON_H
#define HTTPD_FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

/* ---- AddressSanitizer manual poisoning (no-op without ASan) ---------------------- */

#if defined(__SANITIZE_ADDRESS__)
#define FUZZ_HAVE_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define FUZZ_HAVE_ASAN 1
#endif
#endif

#ifdef FUZZ_HAVE_ASAN
void __asan_poison_memory_region(void const volatile *addr, size_t size);
void __asan_unpoison_memory_region(void const volatile *addr, size_t size);
#define FUZZ_POISON(addr, size)   __asan_poison_memory_region((addr), (size))
#define FUZZ_UNPOISON(addr, size) __asan_unpoison_memory_region((addr), (size))
#else
#define FUZZ_POISON(addr, size)   ((void)(addr), (void)(size))
#define FUZZ_UNPOISON(addr, size) ((void)(addr), (void)(size))
#endif

/* ---- Checks -------------------------------------------------------------------- */

/* A property the library must keep: on failure, say which and where, then
 * abort (libFuzzer saves the input as a crash-* file; replay exits non-zero). */
#define FUZZ_CHECK(cond)                                                              \
    do {                                                                              \
        if (!(cond)) {                                                                \
            fprintf(stderr, "%s:%d: fuzz check failed: %s\n", __FILE__, __LINE__, #cond); \
            fflush(stderr);                                                           \
            abort();                                                                  \
        }                                                                             \
    } while (0)

/* ---- Deterministic pseudo-random numbers from the input ---------------------------- */

/* FNV-1a over the input: the seed of the piece sizes. */
static inline uint64_t fuzz_hash(const uint8_t *data, size_t size)
{
    uint64_t h = 0xcbf29ce484222325u;
    for (size_t i = 0; i < size; i++) {
        h = (h ^ data[i]) * 0x100000001b3u;
    }
    return h;
}

typedef struct {
    uint64_t s;
} fuzz_rng_t;

static inline void fuzz_rng_init(fuzz_rng_t *r, uint64_t seed)
{
    r->s = seed ? seed : 0x9E3779B97F4A7C15u;
}

/* xorshift64* */
static inline uint64_t fuzz_rng_next(fuzz_rng_t *r)
{
    r->s ^= r->s >> 12;
    r->s ^= r->s << 25;
    r->s ^= r->s >> 27;
    return r->s * 0x2545F4914F6CDD1Du;
}

/* The next piece length for splitting `left` bytes: 1..left, mostly small
 * (1..16) so that boundaries fall everywhere, now and then larger. */
static inline size_t fuzz_piece(fuzz_rng_t *r, size_t left)
{
    if (left == 0) {
        return 0;
    }
    uint64_t x = fuzz_rng_next(r);
    size_t n = (x & 3u) == 0 ? (size_t)(x >> 8) % 257u + 1u : (size_t)(x >> 8) % 16u + 1u;
    return n < left ? n : left;
}

#endif /* HTTPD_FUZZ_COMMON_H */
