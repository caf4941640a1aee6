/* SPDX-License-Identifier: Apache-2.0 */
/* esp_tls_crypto.h on the host: SHA-1 against FIPS 180 vectors, base64 against
 * RFC 4648's, and the size query of mbedtls_base64_encode's contract. */
#include <stdio.h>
#include <string.h>

#include "esp_tls_crypto.h"

#include "../unit/check.h"

static void hex(const unsigned char *d, size_t n, char *out)
{
    for (size_t i = 0; i < n; i++) {
        sprintf(out + 2 * i, "%02x", d[i]);
    }
}

static void sha1_is(const char *in, size_t n, const char *want)
{
    unsigned char d[20];
    char h[41];
    CHECK_EQ_INT(esp_crypto_sha1((const unsigned char *)in, n, d), 0);
    hex(d, 20, h);
    CHECK(strcmp(h, want) == 0);
}

static void b64_is(const char *in, const char *want)
{
    unsigned char out[64];
    size_t olen = 0;
    CHECK_EQ_INT(esp_crypto_base64_encode(NULL, 0, &olen, (const unsigned char *)in, strlen(in)), -0x002A);
    CHECK_EQ_INT((int)olen, (int)strlen(want) + 1);
    CHECK_EQ_INT(esp_crypto_base64_encode(out, sizeof out, &olen, (const unsigned char *)in, strlen(in)), 0);
    CHECK_EQ_INT((int)olen, (int)strlen(want));
    CHECK(strcmp((char *)out, want) == 0);
}

int main(void)
{
    sha1_is("", 0, "da39a3ee5e6b4b0d3255bfef95601890afd80709");
    sha1_is("abc", 3, "a9993e364706816aba3e25717850c26c9cd0d89d");
    static const char two[] = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    sha1_is(two, strlen(two), "84983e441c3bd26ebaae4aa1f95129e5e54670f1");
    char m[1000];
    memset(m, 'a', sizeof m);
    sha1_is(m, 64, "0098ba824b5c16427bd7a1122a5a442a25ec644d");
    sha1_is(m, 1000, "291e9a6c66994949b57ba5e650361e98fc36b1ba");
    b64_is("", "");
    b64_is("f", "Zg==");
    b64_is("fo", "Zm8=");
    b64_is("foo", "Zm9v");
    b64_is("foobar", "Zm9vYmFy");
    b64_is("user:pass", "dXNlcjpwYXNz");
    /* strlcpy/strlcat, as newlib has them (the environment's on an older glibc) */
    char small[6];
    CHECK_EQ_INT((int)strlcpy(small, "hello world", sizeof small), 11);
    CHECK(strcmp(small, "hello") == 0);
    CHECK_EQ_INT((int)strlcpy(small, "hi", sizeof small), 2);
    CHECK_EQ_INT((int)strlcat(small, "there", sizeof small), 7);
    CHECK(strcmp(small, "hithe") == 0);
    return check_summary();
}
