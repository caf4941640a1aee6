/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests of the WebSocket codec (src/ws_codec.c): SHA-1, base64, the
 * handshake accept key, frame headers, unmasking and the UTF-8 validator. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ws_codec.h"
#include "check.h"

/* ---- helpers -------------------------------------------------------------------- */

static void to_hex(const uint8_t *p, size_t n, char *out)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[p[i] >> 4];
        out[2 * i + 1] = digits[p[i] & 0x0F];
    }
    out[2 * n] = '\0';
}

static void sha1_hex(const void *data, size_t len, char out[41])
{
    uint8_t d[20];
    httpd__ws_sha1(data, len, d);
    to_hex(d, sizeof d, out);
}

/* ---- SHA-1 ---------------------------------------------------------------------- */

static void test_sha1(void)
{
    char hex[41];

    sha1_hex("abc", 3, hex);
    CHECK_EQ_STR(hex, "a9993e364706816aba3e25717850c26c9cd0d89d");

    sha1_hex("", 0, hex);
    CHECK_EQ_STR(hex, "da39a3ee5e6b4b0d3255bfef95601890afd80709");

    const char *m448 = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    sha1_hex(m448, strlen(m448), hex);
    CHECK_EQ_STR(hex, "84983e441c3bd26ebaae4aa1f95129e5e54670f1");

    /* The 896-bit FIPS 180-2 vector (two blocks of data). */
    const char *m896 = "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmn"
                       "hijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu";
    sha1_hex(m896, strlen(m896), hex);
    CHECK_EQ_STR(hex, "a49b2446a02c645bf419f995b67091253a04a259");

    size_t n = 1000000;
    char *a = malloc(n);
    CHECK(a != NULL);
    if (a) {
        memset(a, 'a', n);
        sha1_hex(a, n, hex);
        CHECK_EQ_STR(hex, "34aa973cd4c4daa4f61eeb2bdbad27316534016f");
        free(a);
    }

    /* Padding boundaries: 55, 56, 63, 64 bytes of 'a' (one vs two final blocks). */
    char buf[64];
    memset(buf, 'a', sizeof buf);
    sha1_hex(buf, 55, hex);
    CHECK_EQ_STR(hex, "c1c8bbdc22796e28c0e15163d20899b65621d65a");
    sha1_hex(buf, 56, hex);
    CHECK_EQ_STR(hex, "c2db330f6083854c99d4b5bfb6e8f29f201be699");
    sha1_hex(buf, 64, hex);
    CHECK_EQ_STR(hex, "0098ba824b5c16427bd7a1122a5a442a25ec644d");
}

/* ---- base64 --------------------------------------------------------------------- */

static void check_b64_pair(const char *plain, const char *enc)
{
    char out[64];
    uint8_t dec[64];

    memset(out, 'X', sizeof out);
    size_t n = httpd__ws_base64_encode((const uint8_t *)plain, strlen(plain), out);
    CHECK_EQ_INT(n, strlen(enc));
    CHECK_EQ_STR(out, enc);

    long m = httpd__ws_base64_decode(enc, strlen(enc), dec, sizeof dec);
    CHECK_EQ_INT(m, (long)strlen(plain));
    if (m >= 0) {
        CHECK_EQ_MEM(dec, (size_t)m, plain);
    }
    /* Exact capacity is enough; one less is an overflow. */
    CHECK_EQ_INT(httpd__ws_base64_decode(enc, strlen(enc), dec, strlen(plain)), (long)strlen(plain));
    if (strlen(plain) > 0) {
        CHECK_EQ_INT(httpd__ws_base64_decode(enc, strlen(enc), dec, strlen(plain) - 1), -1);
    }
}

static long b64_dec_str(const char *s)
{
    uint8_t dec[64];
    return httpd__ws_base64_decode(s, strlen(s), dec, sizeof dec);
}

static void test_base64(void)
{
    check_b64_pair("", "");
    check_b64_pair("f", "Zg==");
    check_b64_pair("fo", "Zm8=");
    check_b64_pair("foo", "Zm9v");
    check_b64_pair("foob", "Zm9vYg==");
    check_b64_pair("fooba", "Zm9vYmE=");
    check_b64_pair("foobar", "Zm9vYmFy");
    check_b64_pair("the sample nonce", "dGhlIHNhbXBsZSBub25jZQ==");

    /* Empty input decodes to nothing, even with no buffer. */
    CHECK_EQ_INT(httpd__ws_base64_decode("", 0, NULL, 0), 0);

    /* Invalid inputs. */
    CHECK_EQ_INT(b64_dec_str("Z"), -1);          /* length not a multiple of 4 */
    CHECK_EQ_INT(b64_dec_str("Zg"), -1);
    CHECK_EQ_INT(b64_dec_str("Zg="), -1);
    CHECK_EQ_INT(b64_dec_str("Zm9vY"), -1);
    CHECK_EQ_INT(b64_dec_str("===="), -1);       /* padding only */
    CHECK_EQ_INT(b64_dec_str("Z==="), -1);       /* three pads */
    CHECK_EQ_INT(b64_dec_str("Z=g="), -1);       /* pad inside */
    CHECK_EQ_INT(b64_dec_str("=Zg="), -1);
    CHECK_EQ_INT(b64_dec_str("Zg==Zg=="), -1);   /* pad in a non-final quantum */
    CHECK_EQ_INT(b64_dec_str("Zm8=Zm9v"), -1);
    CHECK_EQ_INT(b64_dec_str("Zm9v!A=="), -1);   /* not in the alphabet */
    CHECK_EQ_INT(b64_dec_str("Zm 9"), -1);       /* whitespace */
    CHECK_EQ_INT(b64_dec_str("Zm9v\r\n=="), -1);
    CHECK_EQ_INT(b64_dec_str("-_-_"), -1);       /* base64url alphabet */
    CHECK_EQ_INT(b64_dec_str("Zh=="), -1);       /* non-zero pad bits */
    CHECK_EQ_INT(b64_dec_str("Zm9="), -1);
    {
        const char nul4[4] = { 'Z', 'g', '\0', '=' };   /* embedded NUL */
        uint8_t dec[8];
        CHECK_EQ_INT(httpd__ws_base64_decode(nul4, 4, dec, sizeof dec), -1);
    }
    {
        uint8_t dec[8];
        CHECK_EQ_INT(httpd__ws_base64_decode("Zm9vYmFy", 8, dec, 5), -1);   /* overflow */
        CHECK_EQ_INT(httpd__ws_base64_decode("Zm9vYmFy", 8, dec, 6), 6);
        CHECK_EQ_INT(httpd__ws_base64_decode("Zm9vYmFy", 4, dec, 3), 3);    /* len bounds input */
        CHECK_EQ_MEM(dec, 3, "foo");
    }

    /* Round trip over all byte values and every length 0..70. */
    uint8_t src[70], dec[80];
    char enc[100];
    for (size_t i = 0; i < sizeof src; i++) {
        src[i] = (uint8_t)(i * 37u + 200u);
    }
    int bad = 0;
    for (size_t len = 0; len <= sizeof src; len++) {
        size_t n = httpd__ws_base64_encode(src, len, enc);
        if (n != 4 * ((len + 2) / 3) || strlen(enc) != n) {
            bad++;
        }
        long m = httpd__ws_base64_decode(enc, n, dec, sizeof dec);
        if (m != (long)len || memcmp(dec, src, len) != 0) {
            bad++;
        }
    }
    CHECK_EQ_INT(bad, 0);
    {
        uint8_t all[256];
        char e[4 * 86 + 1];
        uint8_t d[256];
        for (int i = 0; i < 256; i++) {
            all[i] = (uint8_t)i;
        }
        size_t n = httpd__ws_base64_encode(all, sizeof all, e);
        CHECK_EQ_INT(n, 4 * 86);
        CHECK_EQ_INT(httpd__ws_base64_decode(e, n, d, sizeof d), 256);
        CHECK(memcmp(all, d, sizeof d) == 0);
    }
}

/* ---- accept key ----------------------------------------------------------------- */

static void test_accept_key(void)
{
    char out[29];
    const char *key = "dGhlIHNhbXBsZSBub25jZQ==";

    /* RFC 6455 sections 1.3 and 4.2.2 (the RFC's own worked example). */
    memset(out, 'X', sizeof out);
    httpd__ws_accept_key(key, strlen(key), out);
    CHECK_EQ_STR(out, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
    CHECK_EQ_INT(strlen(out), 28);

    /* Only key_len bytes are used. */
    const char *longer = "dGhlIHNhbXBsZSBub25jZQ==trailing garbage";
    httpd__ws_accept_key(longer, 24, out);
    CHECK_EQ_STR(out, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");

    /* Another widely quoted example pair. */
    const char *key2 = "x3JJHMbDL1EzLkh9GBhXDw==";
    httpd__ws_accept_key(key2, strlen(key2), out);
    CHECK_EQ_STR(out, "HSmrc0sMlYUkAGmm5OPpG2HaGWk=");
}

/* ---- frame headers -------------------------------------------------------------- */

/*
 * Parses buf[0..n) as a whole and as every prefix: prefixes shorter than
 * `decide_at` must give AGAIN; prefixes from decide_at to n must give
 * `expect` (with `expect_code` on error, and the same fields when OK).
 * Returns the result for the whole buffer, with *hdr filled when OK.
 */
static int check_parse(const uint8_t *buf, size_t n, uint64_t max, int expect,
                       uint16_t expect_code, size_t decide_at, ws_frame_hdr_t *hdr)
{
    ws_frame_hdr_t whole;
    uint16_t code = 0;
    memset(&whole, 0, sizeof whole);
    int r = httpd__ws_parse_frame_header(buf, n, max, &whole, &code);
    CHECK_EQ_INT(r, expect);
    if (expect == WS_PARSE_ERROR) {
        CHECK_EQ_INT(code, expect_code);
    }
    if (expect == WS_PARSE_OK) {
        CHECK_EQ_INT(whole.header_len, decide_at);
    }

    int bad = 0;
    for (size_t k = 0; k <= n; k++) {
        ws_frame_hdr_t h;
        uint16_t c = 0;
        memset(&h, 0, sizeof h);
        int rk = httpd__ws_parse_frame_header(buf, k, max, &h, &c);
        if (k < decide_at) {
            if (rk != WS_PARSE_AGAIN) {
                fprintf(stderr, "  prefix %zu of %zu: got %d, wanted AGAIN\n", k, n, rk);
                bad++;
            }
        } else {
            if (rk != expect) {
                fprintf(stderr, "  prefix %zu of %zu: got %d, wanted %d\n", k, n, rk, expect);
                bad++;
            } else if (expect == WS_PARSE_ERROR && c != expect_code) {
                bad++;
            } else if (expect == WS_PARSE_OK &&
                       (h.fin != whole.fin || h.rsv != whole.rsv || h.opcode != whole.opcode ||
                        h.masked != whole.masked || memcmp(h.mask, whole.mask, 4) != 0 ||
                        h.payload_len != whole.payload_len || h.header_len != whole.header_len)) {
                bad++;
            }
        }
    }
    CHECK_EQ_INT(bad, 0);
    if (hdr) {
        *hdr = whole;
    }
    return r;
}

/* Writes a masked client header for (b0, payload_len) with mask 0x11 0x22 0x33 0x44,
 * with the minimal length encoding; returns its length. */
static size_t client_header(uint8_t *out, uint8_t b0, uint64_t payload_len)
{
    size_t n = httpd__ws_build_frame_header(out, (b0 & 0x80) != 0, (uint8_t)(b0 & 0x0F), payload_len);
    out[0] = b0;
    out[1] |= 0x80;
    out[n] = 0x11;
    out[n + 1] = 0x22;
    out[n + 2] = 0x33;
    out[n + 3] = 0x44;
    return n + 4;
}

static void test_parse_ok(void)
{
    ws_frame_hdr_t h;
    const uint64_t big = UINT64_MAX;

    /* RFC 6455 section 5.7: a masked "Hello". */
    uint8_t hello[] = { 0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58 };
    CHECK_EQ_INT(check_parse(hello, sizeof hello, big, WS_PARSE_OK, 0, 6, &h), WS_PARSE_OK);
    CHECK(h.fin);
    CHECK_EQ_INT(h.rsv, 0);
    CHECK_EQ_INT(h.opcode, WS_OP_TEXT);
    CHECK(h.masked);
    CHECK_EQ_INT(h.payload_len, 5);
    CHECK_EQ_INT(h.header_len, 6);
    CHECK(memcmp(h.mask, "\x37\xfa\x21\x3d", 4) == 0);
    httpd__ws_unmask(hello + h.header_len, (size_t)h.payload_len, h.mask, 0);
    CHECK_EQ_MEM(hello + 6, 5, "Hello");

    /* Every length encoding and its boundaries. */
    static const struct { uint64_t len; size_t hlen; } cases[] = {
        { 0, 6 }, { 1, 6 }, { 125, 6 },
        { 126, 8 }, { 127, 8 }, { 65535, 8 },
        { 65536, 14 }, { 0xFFFFFFFFull, 14 }, { 0x100000005ull, 14 },
        { 0x7FFFFFFFFFFFFFFFull, 14 },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        uint8_t buf[16];
        size_t n = client_header(buf, 0x82, cases[i].len);
        CHECK_EQ_INT(n, cases[i].hlen);
        memset(&h, 0, sizeof h);
        CHECK_EQ_INT(check_parse(buf, n, big, WS_PARSE_OK, 0, cases[i].hlen, &h), WS_PARSE_OK);
        CHECK(h.payload_len == cases[i].len);
        CHECK_EQ_INT(h.opcode, WS_OP_BINARY);
        CHECK(h.fin);
        CHECK(h.masked);
        CHECK(memcmp(h.mask, "\x11\x22\x33\x44", 4) == 0);
        /* A payload exactly at max_payload is fine. */
        CHECK_EQ_INT(check_parse(buf, n, cases[i].len, WS_PARSE_OK, 0, cases[i].hlen, NULL),
                     WS_PARSE_OK);
    }

    /* Exact bytes for the 16- and 64-bit encodings. */
    {
        uint8_t b126[] = { 0x81, 0xFE, 0x00, 0x7E, 1, 2, 3, 4 };
        CHECK_EQ_INT(check_parse(b126, sizeof b126, big, WS_PARSE_OK, 0, 8, &h), WS_PARSE_OK);
        CHECK_EQ_INT(h.payload_len, 126);
        uint8_t b64k[] = { 0x81, 0xFF, 0, 0, 0, 0, 0, 1, 0, 0, 9, 8, 7, 6 };
        CHECK_EQ_INT(check_parse(b64k, sizeof b64k, big, WS_PARSE_OK, 0, 14, &h), WS_PARSE_OK);
        CHECK_EQ_INT(h.payload_len, 65536);
        CHECK(memcmp(h.mask, "\x09\x08\x07\x06", 4) == 0);
    }

    /* Extra bytes after the header are not part of it. */
    {
        uint8_t more[32];
        size_t n = client_header(more, 0x81, 3);
        memset(more + n, 0xAB, sizeof more - n);
        CHECK_EQ_INT(httpd__ws_parse_frame_header(more, sizeof more, big, &h, NULL), WS_PARSE_OK);
        CHECK_EQ_INT(h.header_len, 6);
        CHECK_EQ_INT(h.payload_len, 3);
    }

    /* Fragments and control frames. */
    {
        uint8_t frag[8];
        size_t n = client_header(frag, 0x01, 10);   /* text, FIN clear */
        CHECK_EQ_INT(check_parse(frag, n, big, WS_PARSE_OK, 0, 6, &h), WS_PARSE_OK);
        CHECK(!h.fin);
        CHECK_EQ_INT(h.opcode, WS_OP_TEXT);
        n = client_header(frag, 0x00, 10);          /* continuation, FIN clear */
        CHECK_EQ_INT(check_parse(frag, n, big, WS_PARSE_OK, 0, 6, &h), WS_PARSE_OK);
        CHECK(!h.fin);
        CHECK_EQ_INT(h.opcode, WS_OP_CONTINUE);
        n = client_header(frag, 0x80, 10);          /* continuation, FIN set */
        CHECK_EQ_INT(check_parse(frag, n, big, WS_PARSE_OK, 0, 6, &h), WS_PARSE_OK);
        CHECK(h.fin);
        CHECK_EQ_INT(h.opcode, WS_OP_CONTINUE);

        static const uint8_t ctl[] = { 0x88, 0x89, 0x8A };
        for (size_t i = 0; i < sizeof ctl; i++) {
            n = client_header(frag, ctl[i], 125);
            CHECK_EQ_INT(check_parse(frag, n, big, WS_PARSE_OK, 0, 6, &h), WS_PARSE_OK);
            CHECK_EQ_INT(h.opcode, ctl[i] & 0x0F);
            CHECK_EQ_INT(h.payload_len, 125);
            n = client_header(frag, ctl[i], 0);
            CHECK_EQ_INT(check_parse(frag, n, big, WS_PARSE_OK, 0, 6, &h), WS_PARSE_OK);
            CHECK_EQ_INT(h.payload_len, 0);
        }
    }

    /* Nothing at all is AGAIN. */
    CHECK_EQ_INT(httpd__ws_parse_frame_header(hello, 0, big, &h, NULL), WS_PARSE_AGAIN);
}

static void test_parse_errors(void)
{
    const uint64_t big = UINT64_MAX;
    uint8_t buf[16];
    size_t n;

    /* RSV bits, decided by byte 0 alone. */
    static const uint8_t rsv[] = { 0xC1, 0xA1, 0x91, 0xF1, 0x41 };
    for (size_t i = 0; i < sizeof rsv; i++) {
        n = client_header(buf, rsv[i], 5);
        check_parse(buf, n, big, WS_PARSE_ERROR, WS_CLOSE_PROTOCOL, 1, NULL);
    }

    /* Unknown opcodes 3-7 and 0xB-0xF, decided by byte 0. */
    for (uint8_t op = 0; op < 16; op++) {
        if (op <= 2 || (op >= 8 && op <= 10)) {
            continue;
        }
        n = client_header(buf, (uint8_t)(0x80 | op), 5);
        check_parse(buf, n, big, WS_PARSE_ERROR, WS_CLOSE_PROTOCOL, 1, NULL);
    }

    /* Control frames without FIN, decided by byte 0. */
    static const uint8_t ctl_nofin[] = { 0x08, 0x09, 0x0A };
    for (size_t i = 0; i < sizeof ctl_nofin; i++) {
        n = client_header(buf, ctl_nofin[i], 5);
        check_parse(buf, n, big, WS_PARSE_ERROR, WS_CLOSE_PROTOCOL, 1, NULL);
    }

    /* Control frames over 125 bytes, decided by byte 1. */
    static const uint8_t ctl[] = { 0x88, 0x89, 0x8A };
    for (size_t i = 0; i < sizeof ctl; i++) {
        n = client_header(buf, ctl[i], 126);
        check_parse(buf, n, big, WS_PARSE_ERROR, WS_CLOSE_PROTOCOL, 2, NULL);
        n = client_header(buf, ctl[i], 70000);
        check_parse(buf, n, big, WS_PARSE_ERROR, WS_CLOSE_PROTOCOL, 2, NULL);
    }

    /* Unmasked frames, decided by byte 1. */
    {
        uint8_t um[] = { 0x81, 0x05, 'H', 'e', 'l', 'l', 'o' };
        check_parse(um, sizeof um, big, WS_PARSE_ERROR, WS_CLOSE_PROTOCOL, 2, NULL);
        uint8_t um16[] = { 0x82, 0x7E, 0x01, 0x00 };
        check_parse(um16, sizeof um16, big, WS_PARSE_ERROR, WS_CLOSE_PROTOCOL, 2, NULL);
        uint8_t ump[] = { 0x89, 0x00 };
        check_parse(ump, sizeof ump, big, WS_PARSE_ERROR, WS_CLOSE_PROTOCOL, 2, NULL);
    }

    /* Non-minimal 16-bit lengths, decided by byte 3. */
    {
        uint8_t nm0[] = { 0x82, 0xFE, 0x00, 0x00, 1, 2, 3, 4 };
        check_parse(nm0, sizeof nm0, big, WS_PARSE_ERROR, WS_CLOSE_PROTOCOL, 4, NULL);
        uint8_t nm125[] = { 0x82, 0xFE, 0x00, 0x7D, 1, 2, 3, 4 };
        check_parse(nm125, sizeof nm125, big, WS_PARSE_ERROR, WS_CLOSE_PROTOCOL, 4, NULL);
    }

    /* 64-bit length with the MSB set, decided by byte 2. */
    {
        uint8_t msb[] = { 0x82, 0xFF, 0x80, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4 };
        check_parse(msb, sizeof msb, big, WS_PARSE_ERROR, WS_CLOSE_PROTOCOL, 3, NULL);
        uint8_t allff[] = { 0x82, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
                            1, 2, 3, 4 };
        check_parse(allff, sizeof allff, big, WS_PARSE_ERROR, WS_CLOSE_PROTOCOL, 3, NULL);
    }

    /* Non-minimal 64-bit lengths, decided by byte 9. */
    {
        uint8_t nm65535[] = { 0x82, 0xFF, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF, 1, 2, 3, 4 };
        check_parse(nm65535, sizeof nm65535, big, WS_PARSE_ERROR, WS_CLOSE_PROTOCOL, 10, NULL);
        uint8_t nm5[] = { 0x82, 0xFF, 0, 0, 0, 0, 0, 0, 0, 5, 1, 2, 3, 4 };
        check_parse(nm5, sizeof nm5, big, WS_PARSE_ERROR, WS_CLOSE_PROTOCOL, 10, NULL);
    }

    /* max_payload -> 1009, as soon as the length is known (before the mask). */
    n = client_header(buf, 0x82, 10);
    check_parse(buf, n, 9, WS_PARSE_ERROR, WS_CLOSE_TOO_BIG, 2, NULL);
    n = client_header(buf, 0x82, 126);
    check_parse(buf, n, 125, WS_PARSE_ERROR, WS_CLOSE_TOO_BIG, 4, NULL);
    n = client_header(buf, 0x82, 65535);
    check_parse(buf, n, 65534, WS_PARSE_ERROR, WS_CLOSE_TOO_BIG, 4, NULL);
    n = client_header(buf, 0x82, 65536);
    check_parse(buf, n, 65535, WS_PARSE_ERROR, WS_CLOSE_TOO_BIG, 10, NULL);
    n = client_header(buf, 0x82, 0x100000000ull);
    check_parse(buf, n, 0xFFFFFFFFull, WS_PARSE_ERROR, WS_CLOSE_TOO_BIG, 10, NULL);
    n = client_header(buf, 0x82, 1);
    check_parse(buf, n, 0, WS_PARSE_ERROR, WS_CLOSE_TOO_BIG, 2, NULL);
    n = client_header(buf, 0x89, 100);   /* control frames count too */
    check_parse(buf, n, 99, WS_PARSE_ERROR, WS_CLOSE_TOO_BIG, 2, NULL);
    n = client_header(buf, 0x82, 0);
    check_parse(buf, n, 0, WS_PARSE_OK, 0, 6, NULL);

    /* A protocol error wins over max_payload when decided first. */
    {
        uint8_t nm[] = { 0x82, 0xFE, 0x00, 0x05, 1, 2, 3, 4 };
        check_parse(nm, sizeof nm, 1, WS_PARSE_ERROR, WS_CLOSE_PROTOCOL, 4, NULL);
    }

    /* A NULL close_code pointer is tolerated. */
    {
        ws_frame_hdr_t h;
        uint8_t rs[] = { 0xC1 };
        CHECK_EQ_INT(httpd__ws_parse_frame_header(rs, 1, big, &h, NULL), WS_PARSE_ERROR);
    }
}

static void test_build(void)
{
    uint8_t out[16];
    ws_frame_hdr_t h;

    CHECK_EQ_INT(httpd__ws_build_frame_header(out, true, WS_OP_TEXT, 5), 2);
    CHECK(memcmp(out, "\x81\x05", 2) == 0);
    CHECK_EQ_INT(httpd__ws_build_frame_header(out, false, WS_OP_BINARY, 0), 2);
    CHECK(memcmp(out, "\x02\x00", 2) == 0);
    CHECK_EQ_INT(httpd__ws_build_frame_header(out, true, WS_OP_CLOSE, 2), 2);
    CHECK(memcmp(out, "\x88\x02", 2) == 0);
    CHECK_EQ_INT(httpd__ws_build_frame_header(out, true, WS_OP_PONG, 125), 2);
    CHECK(memcmp(out, "\x8A\x7D", 2) == 0);
    CHECK_EQ_INT(httpd__ws_build_frame_header(out, true, WS_OP_BINARY, 126), 4);
    CHECK(memcmp(out, "\x82\x7E\x00\x7E", 4) == 0);
    CHECK_EQ_INT(httpd__ws_build_frame_header(out, true, WS_OP_BINARY, 65535), 4);
    CHECK(memcmp(out, "\x82\x7E\xFF\xFF", 4) == 0);
    CHECK_EQ_INT(httpd__ws_build_frame_header(out, false, WS_OP_CONTINUE, 65536), 10);
    CHECK(memcmp(out, "\x00\x7F\x00\x00\x00\x00\x00\x01\x00\x00", 10) == 0);
    CHECK_EQ_INT(httpd__ws_build_frame_header(out, true, WS_OP_BINARY, 0x0102030405060708ull), 10);
    CHECK(memcmp(out, "\x82\x7F\x01\x02\x03\x04\x05\x06\x07\x08", 10) == 0);

    /* Round trip through the parser (after adding a mask, which servers don't send). */
    static const uint64_t lens[] = {
        0, 1, 124, 125, 126, 127, 1000, 65534, 65535, 65536, 65537,
        0xFFFFFFFFull, 0x100000000ull, 0x7FFFFFFFFFFFFFFFull,
    };
    static const size_t hlens[] = { 2, 2, 2, 2, 4, 4, 4, 4, 4, 10, 10, 10, 10, 10 };
    int bad = 0;
    for (size_t i = 0; i < sizeof lens / sizeof lens[0]; i++) {
        for (int fin = 0; fin <= 1; fin++) {
            uint8_t op = fin ? WS_OP_BINARY : WS_OP_TEXT;
            size_t n = httpd__ws_build_frame_header(out, fin != 0, op, lens[i]);
            if (n != hlens[i] || (out[1] & 0x80) != 0) {
                bad++;
            }
            out[1] |= 0x80;
            memcpy(out + n, "\xA1\xB2\xC3\xD4", 4);
            uint16_t code = 0;
            int r = httpd__ws_parse_frame_header(out, n + 4, UINT64_MAX, &h, &code);
            if (r != WS_PARSE_OK || h.payload_len != lens[i] || h.header_len != n + 4 ||
                h.fin != (fin != 0) || h.opcode != op || h.rsv != 0) {
                bad++;
            }
        }
    }
    CHECK_EQ_INT(bad, 0);
}

/* ---- unmask --------------------------------------------------------------------- */

static void test_unmask(void)
{
    const uint8_t mask[4] = { 0x5A, 0xC3, 0x01, 0xFE };
    uint8_t orig[257], whole[257], pieces[257];

    for (size_t i = 0; i < sizeof orig; i++) {
        orig[i] = (uint8_t)(i * 131u + 7u);
    }
    memcpy(whole, orig, sizeof whole);
    httpd__ws_unmask(whole, sizeof whole, mask, 0);
    int bad = 0;
    for (size_t i = 0; i < sizeof orig; i++) {
        if (whole[i] != (uint8_t)(orig[i] ^ mask[i % 4])) {
            bad++;
        }
    }
    CHECK_EQ_INT(bad, 0);

    /* In pieces of every size 1..9, and of a varying pattern. */
    for (size_t step = 1; step <= 9; step++) {
        memcpy(pieces, orig, sizeof pieces);
        for (size_t off = 0; off < sizeof pieces; off += step) {
            size_t n = sizeof pieces - off < step ? sizeof pieces - off : step;
            httpd__ws_unmask(pieces + off, n, mask, off);
        }
        CHECK(memcmp(pieces, whole, sizeof whole) == 0);
    }
    {
        static const size_t pattern[] = { 3, 1, 0, 6, 2, 13, 5, 64, 7 };
        size_t off = 0, k = 0;
        memcpy(pieces, orig, sizeof pieces);
        while (off < sizeof pieces) {
            size_t n = pattern[k++ % (sizeof pattern / sizeof pattern[0])];
            if (n > sizeof pieces - off) {
                n = sizeof pieces - off;
            }
            httpd__ws_unmask(pieces + off, n, mask, off);
            off += n;
        }
        CHECK(memcmp(pieces, whole, sizeof whole) == 0);
    }

    /* Unmasking twice restores the data; zero length does nothing. */
    httpd__ws_unmask(whole, sizeof whole, mask, 0);
    CHECK(memcmp(whole, orig, sizeof orig) == 0);
    httpd__ws_unmask(whole, 0, mask, 3);
    CHECK(memcmp(whole, orig, sizeof orig) == 0);

    /* Only the offset's position in the mask counts: any offset that is 3
     * modulo 4, the largest included, unmasks as 3 does. */
    {
        uint8_t a[8], b[8];
        memcpy(a, orig, 8);
        memcpy(b, orig, 8);
        httpd__ws_unmask(a, 8, mask, 3);
        httpd__ws_unmask(b, 8, mask, 4099);
        CHECK(memcmp(a, b, 8) == 0);
        CHECK_EQ_INT(a[0], orig[0] ^ mask[3]);
        CHECK_EQ_INT(a[1], orig[1] ^ mask[0]);
        memcpy(b, orig, 8);
        httpd__ws_unmask(b, 8, mask, SIZE_MAX);   /* % 4 == 3 */
        CHECK(memcmp(a, b, 8) == 0);
    }
}

/* ---- UTF-8 ---------------------------------------------------------------------- */

typedef struct {
    const char *bytes;
    size_t len;          /* 0 -> strlen */
    bool feed_ok;        /* httpd__ws_utf8_feed() over all bytes */
    bool complete;       /* httpd__ws_utf8_complete() after (only when feed_ok) */
} utf8_case_t;

static const utf8_case_t utf8_cases[] = {
    /* Valid. */
    { "", 0, true, true },
    { "Hello, world", 0, true, true },
    { "\xCE\xBA\xE1\xBD\xB9\xCF\x83\xCE\xBC\xCE\xB5", 0, true, true },   /* κόσμε */
    { "\xF0\x9F\x98\x80", 0, true, true },                               /* U+1F600 */
    { "\xF4\x8F\xBF\xBF", 0, true, true },                               /* U+10FFFF */
    { "\xC2\x80", 0, true, true },                                       /* U+0080 */
    { "\xDF\xBF", 0, true, true },                                       /* U+07FF */
    { "\xE0\xA0\x80", 0, true, true },                                   /* U+0800 */
    { "\xED\x9F\xBF", 0, true, true },                                   /* U+D7FF */
    { "\xEE\x80\x80", 0, true, true },                                   /* U+E000 */
    { "\xEF\xBF\xBF", 0, true, true },                                   /* U+FFFF */
    { "\xF0\x90\x80\x80", 0, true, true },                               /* U+10000 */
    { "\xF3\xBF\xBF\xBF", 0, true, true },                               /* U+FFFFF */
    { "a\xC3\xA9z\xE2\x82\xAC!\xF0\x9F\x98\x80.", 0, true, true },       /* mixed */
    { "\x00\x7F", 2, true, true },                                       /* NUL, DEL */
    /* Truncated at the end: fine so far, but not complete. */
    { "\xCE", 0, true, false },
    { "\xE2\x82", 0, true, false },
    { "\xF0\x9F\x98", 0, true, false },
    { "abc\xF4", 0, true, false },
    { "\xE0", 0, true, false },
    /* Overlong forms. */
    { "\xC0\x80", 0, false, false },
    { "\xC0\xAF", 0, false, false },
    { "\xC1\xBF", 0, false, false },
    { "\xE0\x80\x80", 0, false, false },
    { "\xE0\x9F\xBF", 0, false, false },
    { "\xF0\x80\x80\x80", 0, false, false },
    { "\xF0\x8F\xBF\xBF", 0, false, false },
    /* Surrogates. */
    { "\xED\xA0\x80", 0, false, false },
    { "\xED\xAD\xBF", 0, false, false },
    { "\xED\xBF\xBF", 0, false, false },
    { "\xED\xA0\x80\xED\xB0\x80", 0, false, false },                     /* a pair */
    /* Above U+10FFFF. */
    { "\xF4\x90\x80\x80", 0, false, false },
    { "\xF4\xBF\xBF\xBF", 0, false, false },
    { "\xF5\x80\x80\x80", 0, false, false },
    { "\xF7\xBF\xBF\xBF", 0, false, false },
    { "\xF8\x88\x80\x80\x80", 0, false, false },
    { "\xFC\x84\x80\x80\x80\x80", 0, false, false },
    { "\xFE", 0, false, false },
    { "\xFF", 0, false, false },
    /* Unexpected continuation bytes. */
    { "\x80", 0, false, false },
    { "\xBF", 0, false, false },
    { "a\x80z", 0, false, false },
    { "\xC3\xA9\xA9", 0, false, false },
    { "\xF0\x9F\x98\x80\x80", 0, false, false },
    /* Truncated sequence followed by a non-continuation. */
    { "\xC2\x41", 0, false, false },
    { "\xE2\x82\x41", 0, false, false },
    { "\xF0\x9F\x98\x41", 0, false, false },
    { "\xC2\xC2\x80", 0, false, false },
    { "\xE2\x82\xE2\x82\xAC", 0, false, false },
    { "\xCE\xBA\xE1\xBD", 0, true, false },   /* κ then a cut-off ό */
};

static void test_utf8(void)
{
    for (size_t i = 0; i < sizeof utf8_cases / sizeof utf8_cases[0]; i++) {
        const utf8_case_t *c = &utf8_cases[i];
        const uint8_t *p = (const uint8_t *)c->bytes;
        size_t n = c->len ? c->len : strlen(c->bytes);

        /* Whole. */
        ws_utf8_t v;
        memset(&v, 0, sizeof v);
        CHECK(httpd__ws_utf8_complete(&v));
        bool ok = httpd__ws_utf8_feed(&v, p, n);
        if (ok != c->feed_ok) {
            fprintf(stderr, "  utf8 case %zu: feed gave %d\n", i, ok);
        }
        CHECK_EQ_INT(ok, c->feed_ok);
        if (ok && c->feed_ok) {
            CHECK_EQ_INT(httpd__ws_utf8_complete(&v), c->complete);
        }

        /* Byte by byte: the same outcome. */
        ws_utf8_t b;
        memset(&b, 0, sizeof b);
        bool bok = true;
        for (size_t k = 0; k < n && bok; k++) {
            bok = httpd__ws_utf8_feed(&b, p + k, 1);
        }
        CHECK_EQ_INT(bok, ok);
        if (bok && ok) {
            CHECK_EQ_INT(httpd__ws_utf8_complete(&b), httpd__ws_utf8_complete(&v));
        }

        /* Every split into two pieces (including empty ones): the same outcome. */
        int bad = 0;
        for (size_t s = 0; s <= n; s++) {
            ws_utf8_t t;
            memset(&t, 0, sizeof t);
            bool tok = httpd__ws_utf8_feed(&t, p, s);
            if (tok) {
                tok = httpd__ws_utf8_feed(&t, p + s, n - s);
            }
            if (tok != ok || (tok && httpd__ws_utf8_complete(&t) != httpd__ws_utf8_complete(&v))) {
                bad++;
            }
        }
        CHECK_EQ_INT(bad, 0);
    }

    /* A truncated sequence completed by a later piece. */
    {
        ws_utf8_t v;
        memset(&v, 0, sizeof v);
        CHECK(httpd__ws_utf8_feed(&v, (const uint8_t *)"\xF0\x9F", 2));
        CHECK(!httpd__ws_utf8_complete(&v));
        CHECK(httpd__ws_utf8_feed(&v, (const uint8_t *)"", 0));
        CHECK(!httpd__ws_utf8_complete(&v));
        CHECK(httpd__ws_utf8_feed(&v, (const uint8_t *)"\x98", 1));
        CHECK(!httpd__ws_utf8_complete(&v));
        CHECK(httpd__ws_utf8_feed(&v, (const uint8_t *)"\x80ok", 3));
        CHECK(httpd__ws_utf8_complete(&v));
        CHECK_EQ_INT(v.state, 0);
        CHECK(httpd__ws_utf8_feed(&v, NULL, 0));
        CHECK(httpd__ws_utf8_complete(&v));
    }

    /* The range restriction after E0/ED/F0/F4 applies across a split too. */
    {
        ws_utf8_t v;
        memset(&v, 0, sizeof v);
        CHECK(httpd__ws_utf8_feed(&v, (const uint8_t *)"\xED", 1));
        CHECK(!httpd__ws_utf8_feed(&v, (const uint8_t *)"\xA0\x80", 2));
        memset(&v, 0, sizeof v);
        CHECK(httpd__ws_utf8_feed(&v, (const uint8_t *)"\xF4", 1));
        CHECK(!httpd__ws_utf8_feed(&v, (const uint8_t *)"\x90", 1));
        memset(&v, 0, sizeof v);
        CHECK(httpd__ws_utf8_feed(&v, (const uint8_t *)"\xF4\x8F", 2));
        CHECK(httpd__ws_utf8_feed(&v, (const uint8_t *)"\xBF", 1));   /* later bytes: 80..BF */
        CHECK(httpd__ws_utf8_feed(&v, (const uint8_t *)"\xBF", 1));
        CHECK(httpd__ws_utf8_complete(&v));
    }

    /* Exhaustive two-byte check: C2..DF + 80..BF valid, all else as expected. */
    {
        int bad = 0;
        for (int b0 = 0xC0; b0 <= 0xDF; b0++) {
            for (int b1 = 0; b1 < 256; b1++) {
                uint8_t s[2] = { (uint8_t)b0, (uint8_t)b1 };
                ws_utf8_t v;
                memset(&v, 0, sizeof v);
                bool ok = httpd__ws_utf8_feed(&v, s, 2) && httpd__ws_utf8_complete(&v);
                bool want = b0 >= 0xC2 && b1 >= 0x80 && b1 <= 0xBF;
                if (ok != want) {
                    bad++;
                }
            }
        }
        CHECK_EQ_INT(bad, 0);
    }

    /* Exhaustive three-byte check against a decoder written from the definition. */
    {
        int bad = 0;
        for (int b0 = 0xE0; b0 <= 0xEF; b0++) {
            for (int b1 = 0x80; b1 <= 0xBF; b1++) {
                for (int b2 = 0x7F; b2 <= 0xC0; b2++) {
                    uint8_t s[3] = { (uint8_t)b0, (uint8_t)b1, (uint8_t)b2 };
                    ws_utf8_t v;
                    memset(&v, 0, sizeof v);
                    bool ok = httpd__ws_utf8_feed(&v, s, 3) && httpd__ws_utf8_complete(&v);
                    uint32_t cp = ((uint32_t)(b0 & 0x0F) << 12) | ((uint32_t)(b1 & 0x3F) << 6) |
                                  (uint32_t)(b2 & 0x3F);
                    bool want = b2 >= 0x80 && b2 <= 0xBF && cp >= 0x800 &&
                                !(cp >= 0xD800 && cp <= 0xDFFF);
                    if (ok != want) {
                        bad++;
                    }
                }
            }
        }
        CHECK_EQ_INT(bad, 0);
    }

    /* Four-byte lead/second-byte table. */
    {
        int bad = 0;
        for (int b0 = 0xF0; b0 <= 0xFF; b0++) {
            for (int b1 = 0x80; b1 <= 0xBF; b1++) {
                uint8_t s[4] = { (uint8_t)b0, (uint8_t)b1, 0x80, 0x80 };
                ws_utf8_t v;
                memset(&v, 0, sizeof v);
                bool ok = httpd__ws_utf8_feed(&v, s, 4) && httpd__ws_utf8_complete(&v);
                uint32_t cp = ((uint32_t)(b0 & 0x07) << 18) | ((uint32_t)(b1 & 0x3F) << 12);
                bool want = b0 <= 0xF4 && cp >= 0x10000 && cp <= 0x10FFFF;
                if (ok != want) {
                    bad++;
                }
            }
        }
        CHECK_EQ_INT(bad, 0);
    }
}

/* Runs of ASCII (which the validator may skip several bytes at a time) of
 * every length 0..24 before and after a multi-byte character or a bad byte:
 * the result is the one of feeding the same bytes one at a time. */
static void test_utf8_ascii_runs(void)
{
    static const char *const mid[] = { "", "\xC3\xA9", "\xE2\x82\xAC", "\xF0\x9F\x98\x80", "\x80",
                                       "\xC3", "\xED\xA0\x80", "\xFF", "\xF4\x90\x80\x80" };
    int bad = 0;
    for (size_t m = 0; m < sizeof mid / sizeof mid[0]; m++) {
        for (size_t pre = 0; pre <= 24; pre++) {
            for (size_t post = 0; post <= 24; post += 3) {
                uint8_t buf[64];
                size_t ml = strlen(mid[m]), n = 0;
                memset(buf, 'a', pre);
                n = pre;
                memcpy(buf + n, mid[m], ml);
                n += ml;
                memset(buf + n, 'z', post);
                n += post;
                ws_utf8_t whole = { 0 }, bytes = { 0 };
                bool w = httpd__ws_utf8_feed(&whole, buf, n) && httpd__ws_utf8_complete(&whole);
                bool b = true;
                for (size_t k = 0; k < n && b; k++) {
                    b = httpd__ws_utf8_feed(&bytes, buf + k, 1);
                }
                b = b && httpd__ws_utf8_complete(&bytes);
                bool want = m < 4;   /* the first four are valid; the rest are not (a lone C3 is cut) */
                if (w != b || w != want) {
                    bad++;
                }
            }
        }
    }
    CHECK_EQ_INT(bad, 0);
}

int main(void)
{
    test_sha1();
    test_base64();
    test_accept_key();
    test_parse_ok();
    test_parse_errors();
    test_build();
    test_unmask();
    test_utf8();
    test_utf8_ascii_runs();
    return check_summary();
}
