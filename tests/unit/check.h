/* SPDX-License-Identifier: Apache-2.0 */
/* A tiny assertion kit for the C unit tests: CHECK counts, never aborts, and
 * check_summary() prints "N passed, N failed" and gives main()'s exit code. */
#ifndef HTTPD_TEST_CHECK_H
#define HTTPD_TEST_CHECK_H

#include <stdio.h>
#include <string.h>

static int check_passed_;
static int check_failed_;

#define CHECK(cond) do {                                                       \
        if (cond) { check_passed_++; }                                         \
        else { check_failed_++;                                                \
               fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); } \
    } while (0)

#define CHECK_EQ_INT(a, b) do {                                                \
        long long a_ = (long long)(a), b_ = (long long)(b);                    \
        if (a_ == b_) { check_passed_++; }                                     \
        else { check_failed_++;                                                \
               fprintf(stderr, "%s:%d: CHECK_EQ_INT failed: %s == %lld, %s == %lld\n", \
                       __FILE__, __LINE__, #a, a_, #b, b_); }                  \
    } while (0)

#define CHECK_EQ_STR(a, b) do {                                                \
        const char *a_ = (a), *b_ = (b);                                       \
        if (a_ && b_ && strcmp(a_, b_) == 0) { check_passed_++; }              \
        else { check_failed_++;                                                \
               fprintf(stderr, "%s:%d: CHECK_EQ_STR failed: %s == \"%s\", %s == \"%s\"\n", \
                       __FILE__, __LINE__, #a, a_ ? a_ : "(null)", #b, b_ ? b_ : "(null)"); } \
    } while (0)

#define CHECK_EQ_MEM(p, n, s) do {                                             \
        const char *p_ = (const char *)(p); size_t n_ = (size_t)(n); const char *s_ = (s); \
        if (p_ && n_ == strlen(s_) && memcmp(p_, s_, n_) == 0) { check_passed_++; } \
        else { check_failed_++;                                                \
               fprintf(stderr, "%s:%d: CHECK_EQ_MEM failed: %s[0..%zu) != \"%s\"\n", \
                       __FILE__, __LINE__, #p, n_, s_); }                      \
    } while (0)

static inline int check_summary(void)
{
    printf("%d passed, %d failed\n", check_passed_, check_failed_);
    return check_failed_ ? 1 : 0;
}

#endif /* HTTPD_TEST_CHECK_H */
