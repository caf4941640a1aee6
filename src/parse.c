/* SPDX-License-Identifier: Apache-2.0 */
/*
 * HTTP/1.1 request-head parser and chunked-body decoder (see parse.h).
 *
 * A whole, ordinary request head is parsed in one pass (parse_fast_as: the hot
 * path, and the only place written for speed; builds optimised for size leave
 * it out, see HTTPD_PARSE_FAST in parse.h). Everything else goes to a
 * byte-at-a-time state machine, written small rather than fast, which decides
 * every error and limit; the chunked decoder is built the same way. Both
 * machines keep their whole state in the caller's struct, so input may arrive
 * in pieces of any size. Nothing here allocates, performs I/O or keeps mutable
 * state of its own.
 */
#include "parse.h"

#include <string.h>
#include <strings.h>

#include "http_parser.h"

#if defined(__GNUC__)
#define ALWAYS_INLINE inline __attribute__((always_inline))
#define NOINLINE __attribute__((noinline))
#else
#define ALWAYS_INLINE inline
#define NOINLINE
#endif

/* ---- Character classes --------------------------------------------------------- */

static bool is_digit(unsigned char c) { return c >= '0' && c <= '9'; }

static bool is_alpha(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_ows(unsigned char c) { return c == ' ' || c == '\t'; }

/* Byte classes as one bit per byte of 0x20..0x7F:
 * RFC 9110 5.6.2 tchar; the bytes of a Host's reg-name or IPv4 address
 * (RFC 3986 3.2.2: unreserved, sub-delims and the '%' of pct-encoded); and
 * those of a URI scheme after its first (RFC 3986 3.1: ALPHA, DIGIT, "+-."). */
enum { CL_TCHAR, CL_HOST, CL_SCHEME };
static const uint32_t CLASS_BITS[3][3] = {
    { 0x03FF6CFAu, 0xC7FFFFFEu, 0x57FFFFFFu },
    { 0x2BFF7FF2u, 0x87FFFFFEu, 0x47FFFFFEu },
    { 0x03FF6800u, 0x07FFFFFEu, 0x07FFFFFEu },
};

static bool in_class(unsigned cls, unsigned char c)
{
    unsigned i = c - 0x20u;
    return i < 96 && ((CLASS_BITS[cls][i / 32] >> (i % 32)) & 1u);
}

static bool is_tchar(unsigned char c) { return in_class(CL_TCHAR, c); }

/* Request-target bytes: visible ASCII and obs-text. */
static bool is_target_byte(unsigned char c) { return c > ' ' && c != 0x7F; }

/* Field-value bytes: field-vchar, obs-text, SP, HTAB. */
static bool is_value_byte(unsigned char c) { return c >= ' ' ? c != 0x7F : c == '\t'; }

int httpd__hex_value(int c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    c |= 0x20;   /* 'A'..'F' to 'a'..'f'; nothing else lands there */
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    return -1;
}

/* Case-insensitive compare with a lowercase literal of length lit_len; the
 * length test first makes a miss (the usual case) cost a couple of instructions. */
#if HTTPD_PARSE_FAST
#define IEQ_INLINE ALWAYS_INLINE
#else
#define IEQ_INLINE
#endif
static IEQ_INLINE bool ieq_n(const unsigned char *s, size_t n, const char *lit, size_t lit_len)
{
    if (n != lit_len) {
        return false;
    }
#if HTTPD_PARSE_FAST
    /* lit holds lowercase letters, digits and '-'; OR-ing 0x20 folds case for
     * letters and leaves those unchanged. The only other bytes it maps onto
     * them are controls, which a validated name or value cannot hold. The
     * literal's length is a constant: words of 8 (or 4) bytes, the last one
     * overlapping the one before, fold and compare without a loop. */
    if (lit_len >= 8) {
        uint64_t a, l, diff = 0;
        for (size_t i = 0; i + 8 <= lit_len; i += 8) {
            memcpy(&a, s + i, 8);
            memcpy(&l, lit + i, 8);
            diff |= (a | UINT64_C(0x2020202020202020)) ^ l;
        }
        memcpy(&a, s + lit_len - 8, 8);
        memcpy(&l, lit + lit_len - 8, 8);
        return (diff | ((a | UINT64_C(0x2020202020202020)) ^ l)) == 0;
    }
    if (lit_len >= 4) {
        uint32_t a, b, l, m;
        memcpy(&a, s, 4);
        memcpy(&b, s + lit_len - 4, 4);
        memcpy(&l, lit, 4);
        memcpy(&m, lit + lit_len - 4, 4);
        return (((a | 0x20202020u) ^ l) | ((b | 0x20202020u) ^ m)) == 0;
    }
    for (size_t i = 0; i < lit_len; i++) {
        if ((s[i] | 0x20u) != (unsigned char)lit[i]) {
            return false;
        }
    }
    return true;
#else
    /* Small: the C library's compare (s holds no NUL: a validated name or value). */
    return strncasecmp((const char *)s, lit, n) == 0;
#endif
}

#define ieq(s, n, lit) ieq_n((s), (n), (lit), sizeof(lit) - 1)

/* ---- Methods ------------------------------------------------------------------- */

/* The method tokens, each ending with its NUL; one that ends another
 * ("LOCK" in "UNLOCK") is that one's tail. */
static const char METHOD_TEXT[] =
    "DELETE\0GET\0HEAD\0POST\0PUT\0CONNECT\0OPTIONS\0TRACE\0COPY\0MKCOL\0MOVE\0PROPFIND\0"
    "PROPPATCH\0UNLOCK\0REBIND\0UNBIND\0ACL\0REPORT\0MKACTIVITY\0CHECKOUT\0MERGE\0M-SEARCH\0"
    "NOTIFY\0UNSUBSCRIBE\0PURGE\0MKCALENDAR\0UNLINK";

#define METHOD_COUNT (HTTP_UNLINK + 1)

/* Where each token begins in METHOD_TEXT, in enum http_method order. */
static const uint8_t METHOD_AT[METHOD_COUNT] = {
    0, 7, 11, 16, 21, 25, 33, 41, 47, 84, 52, 58, 63, 72, 142, 82, 91,
    89, 96, 103, 107, 114, 125, 134, 140, 149, 158, 156, 76, 168, 174, 187, 185,
};

const char *httpd__method_name(int method)
{
    return (unsigned)method < METHOD_COUNT ? METHOD_TEXT + METHOD_AT[method] : NULL;
}

const char *http_method_str(enum http_method m)
{
    const char *s = httpd__method_name((int)m);
    return s ? s : "<unknown>";
}

/* Exact, case-sensitive lookup; -1 when the token is not a known method. */
static int method_lookup(const unsigned char *s, size_t n)
{
    for (int i = 0; i < METHOD_COUNT; i++) {
        /* s holds no NUL: equal n bytes leave m[n] in the array */
        const char *m = METHOD_TEXT + METHOD_AT[i];
        if (strncmp(m, (const char *)s, n) == 0 && m[n] == '\0') {
            return i;
        }
    }
    return -1;
}

/* ---- Request head -------------------------------------------------------------- */

/* The machine's states; S_CR is added while the LF of a CR must follow. */
enum {
    S_START = 0,    /* before the request line: leading empty lines are skipped */
    S_METHOD,       /* in the method token (mark: its first byte) */
    S_TARGET,       /* in the request target (target_off: its first byte) */
    S_VERSION,      /* in "HTTP/x.y" and the line end (index = pos - mark) */
    S_NAME,         /* in a header line's name, or at the start of the blank line (mark: the line's first byte) */
    S_VALUE,        /* after the colon: the value and the line end */
    S_DONE,
    S_ERROR,
    S_CR = 0x08,
};

#define MAX_SKIPPED_LINES   4u
#define MAX_METHOD_LEN      32u
#define CONTENT_LENGTH_MAX  UINT64_C(4294967295)

/* Private flag bits, cleared before the head is reported complete. */
#define F_HOST_DUP          0x10000u
_Static_assert(F_HOST_DUP == HTTP_F_HOST << 9, "apply_header() shifts one onto the other");
#define F_PUBLIC_MASK       0x0FFFFu

/* The machine's starting state. */
#define PARSER_START ((http_parser_t){ .method = -1, .state = S_START })

void httpd__parser_init(http_parser_t *p)
{
#if HTTPD_PARSE_FAST
    /* Only what httpd__parse_head() looks at first: the fast path sets every
     * result itself, and the machine starts from PARSER_START there. */
    p->state = S_START;
    p->pos = 0;
#else
    *p = PARSER_START;
#endif
}

/* Classifies the request target t[0..n) and sets the path and the form flags.
 * t[n] is the SP that ended it (which no target byte is, nor NUL): it stops
 * every scan below. Returns 0 or an HTTP status. */
static int classify_target(http_parser_t *p, const unsigned char *buf)
{
    static const char STOPS[] = "/?# ";   /* the authority's end; from "?", the path's */
    const char *t = (const char *)buf + p->target_off;
    size_t n = p->target_len;
    size_t a = 0, i = 1;   /* the path is t[a..), "*" is t[0..1) */

    if (t[0] == '*' && n == 1) {  /* asterisk-form */
        p->flags |= HTTP_F_ASTERISK_FORM;
    } else if (t[0] != '/') {
        /* absolute-form: scheme "://" authority [ path ] [ "?" query ] */
        if (!is_alpha((unsigned char)t[0])) {
            return 400;
        }
        while (in_class(CL_SCHEME, (unsigned char)t[i])) {
            i++;
        }
        /* each test reads a byte only after the one before matched: t[n] is
         * an SP, so none reads past it */
        if (t[i] != ':' || t[i + 1] != '/' || t[i + 2] != '/') {
            return 400;  /* authority-form, a bare word, ... */
        }
        i += 3;
        a = i + strcspn(t + i, STOPS);
        if (a == i) {
            return 400;  /* empty authority */
        }
        p->flags |= HTTP_F_ABSOLUTE_FORM;
        i = a;   /* no path when a query or nothing follows the authority */
    }
    if (t[a] == '/') {  /* origin-form, or an absolute-form path */
        i = a + strcspn(t + a, STOPS + 1);
    }
    p->path_off = p->target_off + a;
    p->path_len = i - a;
    return 0;
}

/* The next element of the sep-separated list v[*i..n), without the OWS around
 * it: returns its offset and sets *len; *i moves past its separator (to n + 1
 * after the last element). Shared with query.c's cookie finder. */
size_t httpd__list_next(const char *v, size_t n, size_t *i, size_t *len, char sep)
{
    size_t a = *i, e = a;
    while (e < n && v[e] != sep) {
        e++;
    }
    *i = e + 1;
    while (a < e && is_ows((unsigned char)v[a])) {
        a++;
    }
    while (e > a && is_ows((unsigned char)v[e - 1])) {
        e--;
    }
    *len = e - a;
    return a;
}

#define list_next(v, n, i, len) httpd__list_next((const char *)(v), (n), (i), (len), ',')

#if HTTPD_PARSE_FAST
#define ieq_word(s, n, lit, off) ieq((s), (n), lit)
#else
/* Small: every word the machine compares, in one string: the Connection
 * tokens, the header names, the values. */
static const char WORDS[] = "close" "keep-alive" "upgrade" "host" "expect" "connection"
                            "content-length" "transfer-encoding" "chunked" "100-continue";
_Static_assert(sizeof WORDS == 93, "the offsets below");
/* lit, which is at WORDS + off */
#define ieq_word(s, n, lit, off) ieq_n((s), (n), WORDS + (off), sizeof(lit) - 1)

/* Is s[0..n) the word at WORDS + e - 1? (e: an entry of the tables below,
 * 0 for none.) */
static bool is_word(const unsigned char *s, size_t n, unsigned e)
{
    return e && ieq_n(s, n, WORDS + e - 1, n);
}
#endif

/* The flag of a Connection token: "close", "keep-alive" or "upgrade"; else 0. */
static unsigned conn_token(const unsigned char *t, size_t len)
{
#if HTTPD_PARSE_FAST
    /* On the hot path: literals of known length, which the compiler unrolls. */
    return ieq(t, len, "close") ? HTTP_F_CONN_CLOSE : ieq(t, len, "keep-alive") ? HTTP_F_CONN_KEEP_ALIVE
           : ieq(t, len, "upgrade") ? HTTP_F_CONN_UPGRADE : 0;
#else
    /* Small: the length (5, 10, 7) gives the flag too: its low bits (1, 2, 3)
     * are one more than the flag's shift from HTTP_F_CONN_CLOSE. */
    _Static_assert(HTTP_F_CONN_CLOSE << 1 == HTTP_F_CONN_KEEP_ALIVE &&
                   HTTP_F_CONN_CLOSE << 2 == HTTP_F_CONN_UPGRADE, "one bit after another");
    static const uint8_t tok[11] = { [5] = 1, [10] = 6, [7] = 16 };   /* 1 + offset in WORDS */
    return len < sizeof tok && is_word(t, len, tok[len]) ? (HTTP_F_CONN_CLOSE >> 1) << (len & 3) : 0;
#endif
}

/* Is name[0..nlen) one of the header names the parser interprets? They
 * differ in length, so there is one candidate per length. */
static bool known_name(const unsigned char *name, size_t nlen)
{
#if HTTPD_PARSE_FAST
    /* On the hot path: a literal of known length per case, which the compiler unrolls. */
    switch (nlen) {
    case 4:  return ieq(name, nlen, "host");
    case 6:  return ieq(name, nlen, "expect");
    case 7:  return ieq(name, nlen, "upgrade");
    case 10: return ieq(name, nlen, "connection");
    case 14: return ieq(name, nlen, "content-length");
    case 17: return ieq(name, nlen, "transfer-encoding");
    default: return false;
    }
#else
    /* Small: for each length, 1 + the offset of its name in WORDS (0: none). */
    static const uint8_t at[18] = { [4] = 23, [6] = 27, [7] = 16, [10] = 33, [14] = 43, [17] = 57 };
    return nlen < sizeof at && is_word(name, nlen, at[nlen]);
#endif
}

#if HTTPD_PARSE_FAST
/* The fast path's byte classes, as one table: its loops test one byte per
 * lookup. The machine below uses the small tests above instead (but for the
 * Host check, which both share); the unit tests compare the two paths on
 * every input they try.
 *   C_TCHAR  RFC 9110 5.6.2 tchar
 *   C_TARGET request-target bytes: visible ASCII and obs-text
 *   C_VALUE  field-value bytes: field-vchar, obs-text, SP, HTAB
 *   C_PATH   request-target bytes other than '?' and '#' (the path of an origin-form target)
 *   C_HOST   the bytes of a Host's reg-name or IPv4 address (CL_HOST above; host_valid()) */
enum { C_TCHAR = 1, C_TARGET = 2, C_VALUE = 4, C_PATH = 8, C_HOST = 16 };

#define R4(x)   x, x, x, x
#define R16(x)  R4(x), R4(x), R4(x), R4(x)
#define TV      (C_TARGET | C_VALUE | C_PATH)
#define TTV     (C_TCHAR | C_TARGET | C_VALUE | C_PATH)
#define QV      (C_TARGET | C_VALUE)                      /* '?' and '#' */
#define QTV     (C_TCHAR | C_TARGET | C_VALUE)
#define TTH     (TTV | C_HOST)
#define TVH     (TV | C_HOST)
static const uint8_t CLASS[256] = {
    /* 0x00-0x0F */ 0, 0, 0, 0, 0, 0, 0, 0, 0, C_VALUE, 0, 0, 0, 0, 0, 0,
    /* 0x10-0x1F */ R16(0),
    /* 0x20-0x2F  SP ! " # $ % & ' ( ) * + , - . / */
    C_VALUE, TTH, TV, QTV, TTH, TTH, TTH, TTH, TVH, TVH, TTH, TTH, TVH, TTH, TTH, TV,
    /* 0x30-0x3F  0-9 : ; < = > ? */
    TTH, TTH, TTH, TTH, TTH, TTH, TTH, TTH, TTH, TTH, TV, TVH, TV, TVH, TV, QV,
    /* 0x40-0x4F  @ A-O */
    TV, TTH, TTH, TTH, TTH, TTH, TTH, TTH, TTH, TTH, TTH, TTH, TTH, TTH, TTH, TTH,
    /* 0x50-0x5F  P-Z [ \ ] ^ _ */
    TTH, TTH, TTH, TTH, TTH, TTH, TTH, TTH, TTH, TTH, TTH, TV, TV, TV, TTV, TTH,
    /* 0x60-0x6F  ` a-o */
    TTV, TTH, TTH, TTH, TTH, TTH, TTH, TTH, TTH, TTH, TTH, TTH, TTH, TTH, TTH, TTH,
    /* 0x70-0x7F  p-z { | } ~ DEL */
    TTH, TTH, TTH, TTH, TTH, TTH, TTH, TTH, TTH, TTH, TTH, TV, TTV, TV, TTH, 0,
    /* 0x80-0xFF  obs-text */
    R16(TV), R16(TV), R16(TV), R16(TV), R16(TV), R16(TV), R16(TV), R16(TV),
};
#undef R4
#undef R16
#undef TV
#undef TTV
#undef QV
#undef QTV
#undef TTH
#undef TVH

static inline bool fast_tchar(unsigned char c) { return (CLASS[c] & C_TCHAR) != 0; }
static inline bool fast_target_byte(unsigned char c) { return (CLASS[c] & C_TARGET) != 0; }
static inline bool fast_value_byte(unsigned char c) { return (CLASS[c] & C_VALUE) != 0; }
static inline bool fast_path_byte(unsigned char c) { return (CLASS[c] & C_PATH) != 0; }
static inline bool fast_host_byte(unsigned char c) { return (CLASS[c] & C_HOST) != 0; }
#endif /* HTTPD_PARSE_FAST */

/* RFC 9112 3.2: Host = uri-host [ ":" port ], where uri-host is a reg-name or
 * IPv4 address, or an IP-literal in brackets (RFC 3986 3.2.2; inside them the
 * same bytes and ':' are allowed, which covers IPv6 and IPvFuture); port is
 * *DIGIT. An empty value is allowed (a target without an authority).
 * v[n] is the OWS, CR or LF after the value: no byte tested below, so every
 * scan stops by itself and only where it stops needs comparing with v + n. */
static bool host_valid(const unsigned char *v, size_t n)
{
    const unsigned char *e = v + n;
    bool lit = *v == '[';
    v += lit;
#if HTTPD_PARSE_FAST
    while ((CLASS[*v] & C_HOST) || (lit && *v == ':')) {   /* one lookup a byte */
#else
    while (in_class(CL_HOST, *v) || (lit && *v == ':')) {
#endif
        v++;
    }
    if (lit && *v++ != ']') {
        return false;
    }
    if (*v == ':') {
        while (is_digit(*++v)) {
        }
    }
    return v == e;
}

/* Applies the meaning of one header line. Returns 0 or a status. */
static int apply_header(http_parser_t *p, const unsigned char *name, size_t nlen,
                        const unsigned char *val, size_t vlen)
{
    if (!known_name(name, nlen)) {
        return 0;
    }
    switch (nlen) {
    case 4:   /* Host, a valid one; F_HOST_DUP when it was there already */
        if (!host_valid(val, vlen)) {
            return 400;
        }
        p->flags |= HTTP_F_HOST | (p->flags & HTTP_F_HOST) << 9;
        break;
    case 6:   /* Expect */
        if (ieq_word(val, vlen, "100-continue", 80)) {
            p->flags |= HTTP_F_EXPECT_CONTINUE;
        }
        break;
    case 7:   /* Upgrade */
        p->flags |= HTTP_F_UPGRADE;
        break;
    case 17:  /* Transfer-Encoding */
        if (p->flags & (HTTP_F_CHUNKED | HTTP_F_CONTENT_LENGTH)) {
            return 400;
        }
        if (!ieq_word(val, vlen, "chunked", 73)) {
            return 501;
        }
        p->flags |= HTTP_F_CHUNKED;
        break;
    default:  /* Connection or Content-Length: a list, split once for both */
        if (nlen == 14 && (p->flags & HTTP_F_CHUNKED)) {
            return 400;
        }
        for (size_t i = 0; i <= vlen;) {
            size_t len;
            const unsigned char *t = val + list_next(val, vlen, &i, &len);
            if (nlen == 10) {   /* Connection: the flags of the tokens it knows */
                p->flags |= conn_token(t, len);
                continue;
            }
            /* Content-Length: 1*DIGIT, identical to any value before (of this
             * line or an earlier one); saturates just above CONTENT_LENGTH_MAX */
            uint64_t e = 0;
            if (len == 0) {
                return 400;
            }
            for (size_t k = 0; k < len; k++) {
                unsigned d = t[k] - (unsigned)'0';
                if (d > 9) {
                    return 400;   /* not a digit */
                }
                if (e <= CONTENT_LENGTH_MAX) {   /* e fits 32 bits: a 32 x 32 multiply */
                    e = (uint64_t)(uint32_t)e * 10u + d;
                }
            }
            if ((p->flags & HTTP_F_CONTENT_LENGTH) && e != p->content_length) {
                return 400;
            }
            p->content_length = e;
            p->flags |= HTTP_F_CONTENT_LENGTH;
        }
        if (p->content_length > CONTENT_LENGTH_MAX) {
            return 413;
        }
        break;
    }
    return 0;
}

/* The blank line ended at buf[pos]: final checks. Returns 0 (the head is
 * complete) or 400. */
static int finish(http_parser_t *p, size_t pos)
{
    if ((p->flags & F_HOST_DUP) || (p->version_minor == 1 && !(p->flags & HTTP_F_HOST))) {
        return 400;
    }
    p->head_len = pos + 1;
    p->hdr_len = p->head_len - p->hdr_off;
    p->flags &= F_PUBLIC_MASK;
    p->pos = pos + 1;
    p->state = S_DONE;
    return 0;
}

#if HTTPD_PARSE_FAST
/* parse_fast_as(): a run of bytes that pass test, from pos. With the
 * sentinel, four a turn: each byte is read only once the one before it
 * passed, so never past the final LF. */
#define RUN(test)                                                   \
    if (sentinel) {                                                 \
        while (test(b[pos])) {                                      \
            if (!test(b[pos + 1])) { pos += 1; break; }             \
            if (!test(b[pos + 2])) { pos += 2; break; }             \
            if (!test(b[pos + 3])) { pos += 3; break; }             \
            pos += 4;                                               \
        }                                                           \
    } else {                                                        \
        while (pos < len && test(b[pos])) { pos++; }                \
    }

/* value_run8(): from pos, past the bytes of a field value eight at a time,
 * while all eight are field-vchar, obs-text or SP, and eight are there; the
 * byte loop takes the rest (HTAB among them). For each byte b below 0x80
 * (the others are obs-text), x = b & 0x7F: x + 0x01 sets the top bit only for
 * DEL, x + 0x60 only for 0x20 and above, and neither carries into the next
 * byte; ~(w | 0x7F..) keeps the top bit of just those bytes below 0x80. So
 * every byte that stops the scan is marked, and the first one is found at
 * once (on little-endian targets; elsewhere the byte loop finds it). It
 * loads whole words within len only, and stops at a CR or LF: the byte
 * loop's sentinel (the final LF) still holds. */
static ALWAYS_INLINE size_t value_run8(const unsigned char *b, size_t pos, size_t len)
{
    const uint64_t low7 = UINT64_C(0x7f7f7f7f7f7f7f7f), ones = UINT64_C(0x0101010101010101);
    if (len - pos < 8) {
        return pos;
    }
    const unsigned char *p = b + pos, *last = b + len - 8;
    do {
        uint64_t w;
        memcpy(&w, p, 8);
        uint64_t x = w & low7;
        uint64_t bad = ((x + ones) | ~(x + ones * 0x60)) & ~(w | low7);
        if (bad) {
#if defined(__GNUC__) && defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
            p += (unsigned)__builtin_ctzll(bad) >> 3;   /* the first such byte: each one is marked */
#endif
            break;
        }
        p += 8;
    } while (p <= last);
    return (size_t)(p - b);
}

/* One pass over a whole head that arrived complete and is ordinary: origin-form
 * target, "HTTP/1.x" with CRLF endings, "name: value" lines. This is nearly
 * every request, and it costs a fraction of the byte-at-a-time machine below.
 * Returns HTTP_PARSE_DONE with the results set, or HTTP_PARSE_AGAIN for anything
 * else (incomplete, unusual, over a limit, wrong): then the state machine
 * starts afresh on the same bytes, so every error and limit is decided there.
 *
 * With `sentinel` the caller has seen b[len - 1] == '\n': no byte class below
 * includes LF, so every run stops by itself before the end and the loops need
 * no bounds test; the limits are checked once per run instead. */
static ALWAYS_INLINE int parse_fast_as(http_parser_t *p, const unsigned char *b, size_t len,
                                       const http_parse_limits_t *lim, const bool sentinel)
{
    size_t pos = 0;
    int method;

    if (len >= 4 && memcmp(b, "GET ", 4) == 0) {
        method = HTTP_GET;
        pos = 4;
    } else {
        RUN(fast_tchar);
        if (pos == 0 || pos > MAX_METHOD_LEN || pos >= len || b[pos] != ' ' ||
            (method = method_lookup(b, pos)) < 0) {
            return HTTP_PARSE_AGAIN;
        }
        pos++;
    }

    /* origin-form target: the path, then any query or fragment; the target
     * within max_target and the request line within max_line */
    size_t t0 = pos;
    if (pos >= len || b[pos] != '/') {
        return HTTP_PARSE_AGAIN;
    }
    RUN(fast_path_byte);
    size_t path_end = pos;
    RUN(fast_target_byte);
    if (pos >= len || b[pos] != ' ' || pos - t0 > lim->max_target) {
        return HTTP_PARSE_AGAIN;
    }
    size_t t1 = pos++;

    /* "HTTP/1.1" or "HTTP/1.0", CRLF: compared as one 8-byte word */
    uint64_t w, v11, v10;
    if (len - pos < 10) {
        return HTTP_PARSE_AGAIN;
    }
    memcpy(&w, b + pos, 8);
    memcpy(&v11, "HTTP/1.1", 8);
    memcpy(&v10, "HTTP/1.0", 8);
    if ((w != v11 && w != v10) || b[pos + 8] != '\r' || b[pos + 9] != '\n' || pos + 10 > lim->max_line) {
        return HTTP_PARSE_AGAIN;
    }
    int minor = w == v11;
    pos += 10;

    /* The request line's results go to p now (should the headers not be
     * ordinary, the machine starts afresh anyway): fewer values to keep in
     * registers across the loop below. */
    p->method = method;
    p->version_minor = minor;
    p->target_off = t0;
    p->target_len = t1 - t0;
    p->path_off = t0;
    p->path_len = path_end - t0;
    p->hdr_off = pos;
    p->flags = 0;
    p->content_length = 0;

    /* header lines; the block within max_headers: each line ends by hmax */
    size_t h0 = pos;
    size_t hmax = lim->max_headers < SIZE_MAX - h0 ? h0 + lim->max_headers : SIZE_MAX;
    while (pos < len && b[pos] != '\r') {
        size_t n0 = pos;
        RUN(fast_tchar);
        size_t nlen = pos - n0;
        if (nlen == 0 || pos >= len || b[pos] != ':') {
            goto slow;
        }
        pos++;
        RUN(is_ows);
        size_t v0 = pos, v1;
        bool host = ieq(b + n0, nlen, "host");
        if (host) {
            /* Host, checked as it is scanned (host_valid()'s usual case: a
             * reg-name or IPv4 address, then perhaps ":" port); anything else
             * there, an IP literal among them, is left to the machine. */
            RUN(fast_host_byte);
            if ((sentinel || pos < len) && b[pos] == ':') {
                pos++;
                RUN(is_digit);
            }
            v1 = pos;
            RUN(is_ows);
            p->flags |= HTTP_F_HOST | (p->flags & HTTP_F_HOST) << 9;
        } else {
            pos = value_run8(b, pos, len);
            RUN(fast_value_byte);
            v1 = pos;
            while (v1 > v0 && is_ows(b[v1 - 1])) {
                v1--;
            }
        }
        if (pos + 1 >= len || b[pos] != '\r' || b[pos + 1] != '\n' || pos + 2 > hmax) {
            goto slow;
        }
        pos += 2;
        if (!host && apply_header(p, b + n0, nlen, b + v0, v1 - v0) != 0) {
            goto slow;
        }
    }
    if (pos + 1 >= len || b[pos + 1] != '\n' || pos + 2 > hmax || (p->flags & F_HOST_DUP) ||
        (p->version_minor == 1 && !(p->flags & HTTP_F_HOST))) {
        goto slow;
    }
    pos += 2;
    p->head_len = pos;
    p->hdr_len = pos - h0;
    p->pos = pos;
    p->state = S_DONE;
    return HTTP_PARSE_DONE;

slow:
    return HTTP_PARSE_AGAIN;   /* (the machine starts afresh) */
}
#undef RUN

static int parse_fast(http_parser_t *p, const unsigned char *b, size_t len, const http_parse_limits_t *lim)
{
#ifdef __OPTIMIZE_SIZE__
    return parse_fast_as(p, b, len, lim, false);   /* size first: one copy of the code */
#else
    return b[len - 1] == '\n' ? parse_fast_as(p, b, len, lim, true) : parse_fast_as(p, b, len, lim, false);
#endif
}
#endif /* HTTPD_PARSE_FAST */

/* ---- Request head: the byte-at-a-time machine ---------------------------------- */

/* The machine takes every head the fast path leaves (pieces, leading empty
 * lines, other target forms, bare LF, errors, limits), so it is written to be
 * small rather than fast: step() looks at the byte at pos in the light of the
 * state, which lives in p between calls, so a call resumes at p->pos. A byte
 * is looked at by at most two states, and a target or header line once more
 * when it is complete, so a head dribbled one byte per call still costs O(n)
 * in total. A CR anywhere it may end a line adds S_CR to the state: the next
 * byte must be its LF, which the state then takes as a bare LF.
 *
 * step() returns what it did with the byte: */
enum {
    STEP_NEXT = 0,  /* took it (perhaps changing state): go on with the next byte */
    STEP_DONE = 1,  /* it ended the head, which finish() found complete */
    /* anything else is the HTTP status of the error the byte makes */
};

/* The line that ended at pos was the request line or a header line: a header
 * line (or the blank line) starts after it. */
static int next_line(http_parser_t *p, size_t pos)
{
    p->mark = pos + 1;
    p->state = S_NAME;
    return STEP_NEXT;
}

/* Gives the byte at pos to the current state, once the line or block it
 * belongs to is known to be within its limit. While in the request line,
 * hdr_off holds the line's first byte; from its end on, the header block's.
 * Without the fast path, out of line: the loop around it then keeps fewer
 * registers live (rv32imc 48 B smaller, Cortex-M4 8 B larger). With it, in
 * line: no call per byte. */
#if HTTPD_PARSE_FAST
#define STEP_NOINLINE
#else
#define STEP_NOINLINE NOINLINE
#endif
static STEP_NOINLINE int step(http_parser_t *p, const unsigned char *b, size_t pos, const http_parse_limits_t *lim)
{
    unsigned char c = b[pos];
    unsigned st = p->state & ~(unsigned)S_CR;
    bool after_cr = (p->state & S_CR) != 0;
    bool eol = c == '\r' || c == '\n';

    if (st == S_START && !after_cr && !eol) {   /* the request line's first byte */
        p->hdr_off = pos;  /* for max_line */
        p->mark = pos;
        st = S_METHOD;
    }
    if (st != S_START && pos - p->hdr_off >= (st <= S_VERSION ? lim->max_line : lim->max_headers)) {
        return st <= S_VERSION ? 414 : 431;
    }
    if (after_cr && c != '\n') {
        return 400;   /* a bare CR */
    }
    p->state = (uint8_t)(st | (c == '\r') * (unsigned)S_CR);   /* S_CR: a CR is taken where a line may end */
    switch (st) {
    case S_START:    /* an empty line (any other byte after a CR is a bare CR, above):
                        counted at its CR, or at a bare LF */
        return !after_cr && ++p->skipped_lines > MAX_SKIPPED_LINES ? 400 : STEP_NEXT;
    case S_METHOD:   /* up to MAX_METHOD_LEN tchars, then one SP; the token must be known */
        if (is_tchar(c)) {
            return pos - p->mark >= MAX_METHOD_LEN ? 400 : STEP_NEXT;
        }
        if (c != ' ' || pos == p->mark) {
            return 400;
        }
        p->method = method_lookup(b + p->mark, pos - p->mark);
        if (p->method < 0) {
            return 501;
        }
        p->target_off = pos + 1;
        p->state = S_TARGET;
        return STEP_NEXT;
    case S_TARGET:   /* up to max_target bytes, then the SP before the version */
        if (c == ' ' && pos > p->target_off) {
            p->target_len = pos - p->target_off;
            int r = classify_target(p, b);
            p->mark = pos + 1;
            p->state = S_VERSION;
            return r;
        }
        if (!is_target_byte(c)) {
            return 400;
        }
        return pos - p->target_off >= lim->max_target ? 414 : STEP_NEXT;
    case S_VERSION: {
        /* "HTTP/" DIGIT "." DIGIT, then CR or LF. Only once the line end shows
         * the version complete is it checked for 1.0 or 1.1, so "HTTP/1.10" is
         * malformed (400), not unsupported (505). */
        size_t i = pos - p->mark;
        const unsigned char *v = b + p->mark;
        if (i < 8) {
            unsigned char want = (unsigned char)"HTTP/\0.\0"[i];   /* NUL: a digit */
            return (want ? c == want : is_digit(c)) ? STEP_NEXT : 400;
        }
        if (!eol) {
            return 400;
        }
        if (v[5] != '1' || (unsigned)(v[7] - '0') > 1) {
            return 505;
        }
        p->version_minor = v[7] - '0';
        if (c == '\r') {
            return STEP_NEXT;
        }
        p->hdr_off = pos + 1;   /* from here on, the start of the header block */
        return next_line(p, pos);
    }
    case S_NAME:     /* tchars up to the colon; at the line's start, CR or LF ends the head */
        if (eol && (pos == p->mark || after_cr)) {
            return c == '\r' ? STEP_NEXT : finish(p, pos) ? 400 : STEP_DONE;
        }
        if (is_tchar(c)) {
            return STEP_NEXT;
        }
        if (c != ':' || pos == p->mark) {
            return 400;   /* SP or HTAB (obs-fold, or before the colon), a control byte, an empty name */
        }
        p->name_end = pos;
        p->val_off = pos + 1;
        p->val_end = pos + 1;
        p->state = S_VALUE;
        return STEP_NEXT;
    default:         /* S_VALUE: val_off..val_end is the value without the OWS around it */
        if (c == '\n') {
            int r = apply_header(p, b + p->mark, p->name_end - p->mark, b + p->val_off, p->val_end - p->val_off);
            return r ? r : next_line(p, pos);
        }
        if (c == '\r') {
            return STEP_NEXT;
        }
        if (!is_value_byte(c)) {
            return 400;
        }
        if (!is_ows(c)) {
            p->val_end = pos + 1;
        } else if (p->val_end == p->val_off) {
            p->val_off = p->val_end = pos + 1;   /* OWS before the value */
        }
        return STEP_NEXT;
    }
}

/* Feeds buf[p->pos..len) to the machine until the head ends, an error is
 * found or the bytes run out. With the fast path, kept out of line: inlined
 * into httpd__parse_head it shares registers with the fast path there, and the
 * keep-alive GET cost 7 instructions more per request (gcc 12 -O2); out of
 * line, the fast path's code does not move when the machine changes. Without
 * it, in line in its only caller. */
#if HTTPD_PARSE_FAST
#define SLOW_NOINLINE NOINLINE
#else
#define SLOW_NOINLINE
#endif
static SLOW_NOINLINE int parse_slow(http_parser_t *p, const unsigned char *b, size_t len,
                                    const http_parse_limits_t *lim)
{
    size_t pos = p->pos;

    while (pos < len) {
        int r = step(p, b, pos, lim);
        if (r == STEP_DONE) {
            return HTTP_PARSE_DONE;
        }
        if (r == STEP_NEXT) {
            pos++;
        } else {
            p->state = S_ERROR;
            p->status = r;
            p->pos = pos;
            return HTTP_PARSE_ERROR;
        }
    }
    p->pos = pos;
    return HTTP_PARSE_AGAIN;
}

int httpd__parse_head(http_parser_t *p, const char *buf, size_t len, const http_parse_limits_t *lim)
{
    const unsigned char *b = (const unsigned char *)buf;

    _Static_assert(S_ERROR == S_DONE + 1 && HTTP_PARSE_DONE == 1 && HTTP_PARSE_ERROR == -1, "the answer below");
    if (p->state - S_DONE < 2u) {   /* S_DONE or S_ERROR: the answer again */
        return 1 - 2 * (int)(p->state - S_DONE);
    }
    /* A head not begun may be whole: the fast path, else the machine from byte 0 */
#if HTTPD_PARSE_FAST
    if (p->state == S_START && p->pos == 0) {
        if (len > 0 && parse_fast(p, b, len, lim) == HTTP_PARSE_DONE) {
            return HTTP_PARSE_DONE;
        }
        *p = PARSER_START;
    }
#endif
    return parse_slow(p, b, len, lim);
}

/* ---- Compacted header block ---------------------------------------------------- */

size_t httpd__headers_compact(char *block, size_t len, size_t *count)
{
    size_t w = 0, n = 0, vs = 0;
    bool in_value = false;

    /* One pass over a validated block (every line whole, up to the blank
     * line); bytes only move left (w <= r): the name loses nothing while ':'
     * becomes its NUL, the value loses at least its OWS, and its NUL lands at
     * most on the line's LF. A name holds no CR or LF: one there is the blank
     * line. */
    for (size_t r = 0; r < len; r++) {
        char c = block[r];
        if (!in_value) {
            if (c == '\r' || c == '\n') {
                break;
            }
            if (c == ':') {
                c = '\0';
                in_value = true;
                vs = w + 1;
            }
        } else if (c == '\n') {
            while (w > vs && (block[w - 1] == '\r' || is_ows((unsigned char)block[w - 1]))) {
                w--;
            }
            c = '\0';
            in_value = false;
            n++;
        } else if (w == vs && is_ows((unsigned char)c)) {
            continue;   /* OWS before the value */
        }
        block[w++] = c;
    }
    if (count) {
        *count = n;
    }
    return w;
}

bool httpd__header_find(const char *block, size_t len, const char *name,
                      const char **val, size_t *val_len)
{
    const char *p = block, *end = block + len;
    while (p < end) {
        /* "name\0value\0", each pair whole in a compacted block */
        const char *v = p + strlen(p) + 1;
        size_t vl = strlen(v);
        if (strcasecmp(p, name) == 0) {   /* both end with their NUL: the same length */
            *val = v;
            *val_len = vl;
            return true;
        }
        p = v + vl + 1;
    }
    return false;
}

/* ---- Chunked body -------------------------------------------------------------- */

/* The decoder's states; C_CR is added while the LF of a CR must follow. */
enum {
    C_SIZE = 0,   /* in the chunk-size (line_len: bytes of the size line so far) */
    C_SIZE_WS,    /* BWS after the size, before ';' */
    C_EXT,        /* in chunk extensions, up to the line end */
    C_DATA_END,   /* after the data: CRLF (or LF) required */
    C_TRL_START,  /* at the start of a trailer line, or of the final empty line
                     (line_len: bytes of all trailers so far) */
    C_TRL_NAME,   /* in a trailer field name */
    C_TRL_VAL,    /* in a trailer value */
    C_DATA,       /* in chunk data (remaining > 0), which chunk_step() never
                     sees: its states come first, without a gap */
    C_DONE,
    C_ERROR,
    C_CR = 0x10,
};

void httpd__chunked_init(http_chunked_t *c)
{
    memset(c, 0, sizeof(*c));
    c->state = C_SIZE;
}

bool httpd__chunked_done(const http_chunked_t *c)
{
    return c->state == C_DONE;
}

/* The byte ends a line (CR: its LF must follow; LF: the state next follows).
 * false: it is no line end. */
static NOINLINE bool line_end(http_chunked_t *c, unsigned ch, unsigned next)
{
    if (ch == '\r') {
        c->state |= C_CR;
        return true;
    }
    if (ch != '\n') {
        return false;
    }
    if (c->state < C_TRL_START) {
        c->line_len = 0;   /* a size line begins, or the trailers: one count for all of them */
    }
    c->state = next == C_DATA && c->remaining == 0 ? C_TRL_START : next;   /* after size 0: the trailers */
    return true;
}

/* Takes one byte of framing; false when it is malformed there. Each byte is
 * first counted against the bound of the size line or of the trailers it
 * belongs to (the CRLF after data counts too: far below either). Data bytes
 * are not framing: the decoder hands them over as one span (chunk_data). */
static bool chunk_step(http_chunked_t *c, unsigned char ch)
{
    unsigned st = c->state & ~(unsigned)C_CR;
    bool after_cr = (c->state & C_CR) != 0;

    if (++c->line_len > (st <= C_EXT ? HTTP_CHUNKED_MAX_LINE : HTTP_CHUNKED_MAX_TRAILERS)) {
        return false;
    }
    if (after_cr && ch != '\n') {
        return false;   /* a bare CR */
    }
    c->state = st;
    switch (st) {
    case C_SIZE: {  /* hex digits (at most 16 significant ones, so the size fits 64 bits), then
                       ';' of an extension, whitespace before it, or the line end */
        int h = httpd__hex_value(ch);
        if (h >= 0) {
            if (c->remaining >> 60) {
                return false;  /* a 17th significant digit */
            }
            c->remaining = (c->remaining << 4) | (uint64_t)h;
            return true;
        }
        if (c->line_len == 1) {
            return false;  /* an empty size */
        }
        if (line_end(c, ch, C_DATA)) {
            return true;
        }
        /* else ';' of an extension, or whitespace before it */
    }
    /* fall through */
    case C_SIZE_WS:  /* only before an extension (BWS ';') */
        c->state = ch == ';' ? C_EXT : C_SIZE_WS;   /* on false, the caller's C_ERROR replaces it */
        return ch == ';' || is_ows(ch);
    case C_DATA_END: /* CRLF or a bare LF */
        return line_end(c, ch, C_SIZE);
    case C_TRL_START: /* the empty line ends the body; else a field name begins */
        if (line_end(c, ch, C_DONE)) {
            return true;
        }
        /* fall through */
    case C_TRL_NAME: /* tchars up to the colon, after one at least */
        if (ch == ':' && st == C_TRL_NAME) {
            c->state = C_TRL_VAL;
            return true;
        }
        c->state = C_TRL_NAME;
        return is_tchar(ch);
    default:         /* C_EXT (not interpreted) or C_TRL_VAL (trailers are skipped):
                        field-value bytes up to the line end */
        return line_end(c, ch, st == C_EXT ? C_DATA : C_TRL_START) || is_value_byte(ch);
    }
}

/* Chunk data: as much of the chunk as buf[i..len) holds, as the call's span.
 * Returns the bytes consumed, data included. */
static ssize_t chunk_data(http_chunked_t *c, size_t i, size_t len, size_t *data_off, size_t *data_len)
{
    size_t n = len - i;
    if (c->remaining <= (uint64_t)n) {   /* the chunk ends here */
        n = (size_t)c->remaining;
        c->state = C_DATA_END;
    }
    *data_off = i;
    *data_len = n;
    c->remaining -= n;
    return (ssize_t)(i + n);
}

ssize_t httpd__chunked_decode(http_chunked_t *c, const char *buf, size_t len,
                            size_t *data_off, size_t *data_len)
{
    const unsigned char *b = (const unsigned char *)buf;
    size_t i = 0;

    *data_off = 0;
    *data_len = 0;
    if (c->state == C_ERROR) {
        return -1;
    }
    while (i < len && c->state != C_DONE) {
        if (c->state == C_DATA) {
            return chunk_data(c, i, len, data_off, data_len);
        }
        if (!chunk_step(c, b[i])) {
            c->state = C_ERROR;
            return -1;
        }
        i++;
    }
    return (ssize_t)i;
}
