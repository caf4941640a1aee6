/* SPDX-License-Identifier: Apache-2.0 */
/* test_sha256: SHA-256 against the FIPS 180-4 / NIST example vectors (one call and
 * split updates at every offset), HMAC-SHA-256 against RFC 4231. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../unit/check.h"
#include "sha256.h"

static void hex(const uint8_t *p, size_t n, char *out)
{
    static const char d[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = d[p[i] >> 4];
        out[2 * i + 1] = d[p[i] & 15];
    }
    out[2 * n] = '\0';
}

static const char *sha(const void *data, size_t len)
{
    static char out[65];
    uint8_t h[32];
    httpd__addon_sha256(data, len, h);
    hex(h, sizeof h, out);
    return out;
}

static const char *hmac(const void *key, size_t klen, const char *msg)
{
    static char out[65];
    uint8_t h[32];
    httpd__addon_hmac_sha256(key, klen, msg, strlen(msg), h);
    hex(h, sizeof h, out);
    return out;
}

static const struct {
    const char *msg, *digest;
} VECTORS[] = {
    { "", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" },
    { "abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" },
    { "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",   /* 56 bytes: padding spills */
      "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1" },
    { "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
      "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1" },
};

int main(void)
{
    for (size_t v = 0; v < sizeof VECTORS / sizeof VECTORS[0]; v++) {
        const char *m = VECTORS[v].msg;
        size_t len = strlen(m);
        CHECK_EQ_STR(sha(m, len), VECTORS[v].digest);
        /* the same message in two updates, split at every offset, and byte by byte */
        for (size_t cut = 0; cut <= len; cut++) {
            httpd__addon_sha256_t c;
            uint8_t h[32];
            char out[65];
            httpd__addon_sha256_init(&c);
            httpd__addon_sha256_update(&c, m, cut);
            httpd__addon_sha256_update(&c, m + cut, len - cut);
            httpd__addon_sha256_final(&c, h);
            hex(h, sizeof h, out);
            CHECK_EQ_STR(out, VECTORS[v].digest);
        }
        httpd__addon_sha256_t c;
        uint8_t h[32];
        char out[65];
        httpd__addon_sha256_init(&c);
        for (size_t i = 0; i < len; i++) {
            httpd__addon_sha256_update(&c, m + i, 1);
        }
        httpd__addon_sha256_final(&c, h);
        hex(h, sizeof h, out);
        CHECK_EQ_STR(out, VECTORS[v].digest);
    }

    /* one million 'a': in one call, and in uneven updates that cross block boundaries */
    const size_t million = 1000000;
    char *a = malloc(million);
    CHECK(a != NULL);
    if (a) {
        memset(a, 'a', million);
        const char *want = "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0";
        CHECK_EQ_STR(sha(a, million), want);
        httpd__addon_sha256_t c;
        uint8_t h[32];
        char out[65];
        httpd__addon_sha256_init(&c);
        size_t done = 0, step = 1;
        while (done < million) {
            size_t n = million - done < step ? million - done : step;
            httpd__addon_sha256_update(&c, a + done, n);
            done += n;
            step = step * 3 % 1001 + 1;
        }
        httpd__addon_sha256_final(&c, h);
        hex(h, sizeof h, out);
        CHECK_EQ_STR(out, want);
        free(a);
    }

    /* RFC 4231 test cases 1, 2 and 6 (a key longer than a block) */
    uint8_t k1[20], k6[131];
    memset(k1, 0x0b, sizeof k1);
    memset(k6, 0xaa, sizeof k6);
    CHECK_EQ_STR(hmac(k1, sizeof k1, "Hi There"), "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
    CHECK_EQ_STR(hmac("Jefe", 4, "what do ya want for nothing?"),
                 "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    CHECK_EQ_STR(hmac(k6, sizeof k6, "Test Using Larger Than Block-Size Key - Hash Key First"),
                 "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
    return check_summary();
}
