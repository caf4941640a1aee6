/* SPDX-License-Identifier: Apache-2.0 */
/*
 * HTTP/1.1 request-head parser and chunked-body decoder (see parse.h).
 *
 * A whole, ordinary request head is parsed in one pass (parse_fast_as: the hot
 * path, and the only place written for speed; builds optimised for size leave
 * it out, see HTTPD_PARSE_FAST in parse.h). Everything else goes to a
 * byte-at-a-time state machine, one small function per state, which decides
 * every error and limit; the chunked decoder is built the same way. Both
 * machines keep their whole state in the caller's struct, so input may arrive
 * in pieces of any size. Nothing here allocates, performs I/O or keeps mutable
 * state of its own.
 */
#include "parse.h"

#include <string.h>

#include "http_parser.h"

/* ---- Character classes --------------------------------------------------------- */

static bool is_digit(unsigned char c) { return c >= '0' && c <= '9'; }

static bool is_alpha(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_ows(unsigned char c) { return c == ' ' || c == '\t'; }

/* Byte classes, as one table: the hot loops test one byte per lookup.
 *   C_TCHAR  RFC 9110 5.6.2 tchar
 *   C_TARGET request-target bytes: visible ASCII and obs-text
 *   C_VALUE  field-value bytes: field-vchar, obs-text, SP, HTAB
 *   C_PATH   request-target bytes other than '?' and '#' (the path of an origin-form target) */
enum { C_TCHAR = 1, C_TARGET = 2, C_VALUE = 4, C_PATH = 8 };

#define R4(x)   x, x, x, x
#define R16(x)  R4(x), R4(x), R4(x), R4(x)
#define TV      (C_TARGET | C_VALUE | C_PATH)
#define TTV     (C_TCHAR | C_TARGET | C_VALUE | C_PATH)
#define QV      (C_TARGET | C_VALUE)                      /* '?' and '#' */
#define QTV     (C_TCHAR | C_TARGET | C_VALUE)
static const uint8_t CLASS[256] = {
    /* 0x00-0x0F */ 0, 0, 0, 0, 0, 0, 0, 0, 0, C_VALUE, 0, 0, 0, 0, 0, 0,
    /* 0x10-0x1F */ R16(0),
    /* 0x20-0x2F  SP ! " # $ % & ' ( ) * + , - . / */
    C_VALUE, TTV, TV, QTV, TTV, TTV, TTV, TTV, TV, TV, TTV, TTV, TV, TTV, TTV, TV,
    /* 0x30-0x3F  0-9 : ; < = > ? */
    TTV, TTV, TTV, TTV, TTV, TTV, TTV, TTV, TTV, TTV, TV, TV, TV, TV, TV, QV,
    /* 0x40-0x4F  @ A-O */
    TV, TTV, TTV, TTV, TTV, TTV, TTV, TTV, TTV, TTV, TTV, TTV, TTV, TTV, TTV, TTV,
    /* 0x50-0x5F  P-Z [ \ ] ^ _ */
    TTV, TTV, TTV, TTV, TTV, TTV, TTV, TTV, TTV, TTV, TTV, TV, TV, TV, TTV, TTV,
    /* 0x60-0x6F  ` a-o */
    TTV, TTV, TTV, TTV, TTV, TTV, TTV, TTV, TTV, TTV, TTV, TTV, TTV, TTV, TTV, TTV,
    /* 0x70-0x7F  p-z { | } ~ DEL */
    TTV, TTV, TTV, TTV, TTV, TTV, TTV, TTV, TTV, TTV, TTV, TV, TTV, TV, TTV, 0,
    /* 0x80-0xFF  obs-text */
    R16(TV), R16(TV), R16(TV), R16(TV), R16(TV), R16(TV), R16(TV), R16(TV),
};
#undef R4
#undef R16
#undef TV
#undef TTV
#undef QV
#undef QTV

static inline bool is_tchar(unsigned char c) { return (CLASS[c] & C_TCHAR) != 0; }

static inline bool is_target_byte(unsigned char c) { return (CLASS[c] & C_TARGET) != 0; }
static inline bool is_value_byte(unsigned char c) { return (CLASS[c] & C_VALUE) != 0; }
#if HTTPD_PARSE_FAST
static inline bool is_path_byte(unsigned char c) { return (CLASS[c] & C_PATH) != 0; }
#endif

int httpd__hex_value(int c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

static unsigned char ascii_lower(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') ? (unsigned char)(c - 'A' + 'a') : c;
}

/* Case-insensitive comparison of s[0..n) with the NUL-terminated lit. */
/* Case-insensitive compare with a lowercase literal of length lit_len; the
 * length test first makes a miss (the usual case) cost a couple of instructions. */
static bool ieq_n(const unsigned char *s, size_t n, const char *lit, size_t lit_len)
{
    if (n != lit_len) {
        return false;
    }
    /* lit holds lowercase letters, digits and '-'; OR-ing 0x20 folds case for
     * letters and leaves those unchanged. The only other bytes it maps onto
     * them are controls, which a validated name or value cannot hold. */
    for (size_t i = 0; i < n; i++) {
        if ((s[i] | 0x20u) != (unsigned char)lit[i]) {
            return false;
        }
    }
    return true;
}

#define ieq(s, n, lit) ieq_n((s), (n), (lit), sizeof(lit) - 1)

/* Case-insensitive compare of s[0..n) with a NUL-terminated string of any case. */
static bool ieq_str(const unsigned char *s, size_t n, const char *str)
{
    size_t i;
    for (i = 0; i < n; i++) {
        if (str[i] == '\0' || ascii_lower(s[i]) != ascii_lower((unsigned char)str[i])) {
            return false;
        }
    }
    return str[n] == '\0';
}

/* ---- Methods ------------------------------------------------------------------- */

static const char *const method_names[] = {
    [HTTP_DELETE]      = "DELETE",
    [HTTP_GET]         = "GET",
    [HTTP_HEAD]        = "HEAD",
    [HTTP_POST]        = "POST",
    [HTTP_PUT]         = "PUT",
    [HTTP_CONNECT]     = "CONNECT",
    [HTTP_OPTIONS]     = "OPTIONS",
    [HTTP_TRACE]       = "TRACE",
    [HTTP_COPY]        = "COPY",
    [HTTP_LOCK]        = "LOCK",
    [HTTP_MKCOL]       = "MKCOL",
    [HTTP_MOVE]        = "MOVE",
    [HTTP_PROPFIND]    = "PROPFIND",
    [HTTP_PROPPATCH]   = "PROPPATCH",
    [HTTP_SEARCH]      = "SEARCH",
    [HTTP_UNLOCK]      = "UNLOCK",
    [HTTP_BIND]        = "BIND",
    [HTTP_REBIND]      = "REBIND",
    [HTTP_UNBIND]      = "UNBIND",
    [HTTP_ACL]         = "ACL",
    [HTTP_REPORT]      = "REPORT",
    [HTTP_MKACTIVITY]  = "MKACTIVITY",
    [HTTP_CHECKOUT]    = "CHECKOUT",
    [HTTP_MERGE]       = "MERGE",
    [HTTP_MSEARCH]     = "M-SEARCH",
    [HTTP_NOTIFY]      = "NOTIFY",
    [HTTP_SUBSCRIBE]   = "SUBSCRIBE",
    [HTTP_UNSUBSCRIBE] = "UNSUBSCRIBE",
    [HTTP_PATCH]       = "PATCH",
    [HTTP_PURGE]       = "PURGE",
    [HTTP_MKCALENDAR]  = "MKCALENDAR",
    [HTTP_LINK]        = "LINK",
    [HTTP_UNLINK]      = "UNLINK",
};

#define METHOD_COUNT ((int)(sizeof(method_names) / sizeof(method_names[0])))

const char *httpd__method_name(int method)
{
    if (method < 0 || method >= METHOD_COUNT) {
        return NULL;
    }
    return method_names[method];
}

const char *http_method_str(enum http_method m)
{
    const char *s = httpd__method_name((int)m);
    return s ? s : "<unknown>";
}

/* Exact, case-sensitive lookup; -1 when the token is not a known method. */
static int method_lookup(const unsigned char *s, size_t n)
{
    int i;
    for (i = 0; i < METHOD_COUNT; i++) {
        if (strlen(method_names[i]) == n && memcmp(method_names[i], s, n) == 0) {
            return i;
        }
    }
    return -1;
}

/* ---- Request head -------------------------------------------------------------- */

enum {
    S_START = 0,    /* before the request line: leading empty lines are skipped */
    S_SKIP_CR,      /* CR of a leading empty line seen, LF must follow */
    S_METHOD,       /* in the method token */
    S_TARGET_START, /* after the SP that ends the method */
    S_TARGET,       /* in the request target */
    S_VERSION,      /* in "HTTP/x.y" (index = pos - mark) */
    S_RL_CR,        /* CR ending the request line seen */
    S_HDR_START,    /* at the start of a header line (or of the blank line) */
    S_NAME,         /* in a field name */
    S_OWS,          /* after the colon, before the value */
    S_VALUE,        /* in a field value */
    S_HDR_CR,       /* CR ending a header line seen */
    S_END_CR,       /* CR of the blank line seen */
    S_DONE,
    S_ERROR,
};

#define MAX_SKIPPED_LINES   4u
#define MAX_METHOD_LEN      32u
#define CONTENT_LENGTH_MAX  UINT64_C(4294967295)

/* Private flag bits, cleared before the head is reported complete. */
#define F_HOST_DUP          0x10000u
#define F_PUBLIC_MASK       0x0FFFFu

void httpd__parser_init(http_parser_t *p)
{
    *p = (http_parser_t){ .method = -1, .state = S_START };
}

/* Classifies the request target and sets the path and the form flags.
 * Returns 0 or an HTTP status. */
static int classify_target(http_parser_t *p, const unsigned char *buf)
{
    const unsigned char *t = buf + p->target_off;
    size_t n = p->target_len;
    size_t i, a;

    if (t[0] == '/') {  /* origin-form */
        for (i = 0; i < n && t[i] != '?' && t[i] != '#'; i++) {
        }
        p->path_off = p->target_off;
        p->path_len = i;
        return 0;
    }
    if (n == 1 && t[0] == '*') {  /* asterisk-form */
        p->flags |= HTTP_F_ASTERISK_FORM;
        p->path_off = p->target_off;
        p->path_len = 1;
        return 0;
    }
    /* absolute-form: scheme "://" authority [ path ] [ "?" query ] */
    if (!is_alpha(t[0])) {
        return 400;
    }
    for (i = 1; i < n && (is_alpha(t[i]) || is_digit(t[i]) ||
                          t[i] == '+' || t[i] == '-' || t[i] == '.'); i++) {
    }
    if (n - i < 3 || memcmp(t + i, "://", 3) != 0) {
        return 400;  /* authority-form, a bare word, ... */
    }
    a = i + 3;
    for (i = a; i < n && t[i] != '/' && t[i] != '?' && t[i] != '#'; i++) {
    }
    if (i == a) {
        return 400;  /* empty authority */
    }
    p->flags |= HTTP_F_ABSOLUTE_FORM;
    p->path_off = p->target_off + i;
    a = i;
    if (a < n && t[a] == '/') {
        for (; i < n && t[i] != '?' && t[i] != '#'; i++) {
        }
    }
    p->path_len = i - a;
    return 0;
}

/* Parses a Content-Length value: 1*DIGIT, or a list of identical such values.
 * The result saturates just above CONTENT_LENGTH_MAX. Returns 0 or 400. */
static int parse_content_length(const unsigned char *v, size_t n, uint64_t *out)
{
    uint64_t val = 0;
    bool have = false;
    size_t i = 0;

    for (;;) {
        uint64_t e = 0;
        while (i < n && is_ows(v[i])) {
            i++;
        }
        if (i >= n || !is_digit(v[i])) {
            return 400;
        }
        for (; i < n && is_digit(v[i]); i++) {
            if (e <= CONTENT_LENGTH_MAX) {
                e = e * 10u + (uint64_t)(v[i] - '0');
            }
        }
        while (i < n && is_ows(v[i])) {
            i++;
        }
        if (have && e != val) {
            return 400;
        }
        val = e;
        have = true;
        if (i == n) {
            break;
        }
        if (v[i] != ',') {
            return 400;
        }
        i++;
    }
    *out = val;
    return 0;
}

static void parse_connection(http_parser_t *p, const unsigned char *v, size_t n)
{
    size_t i = 0;
    while (i < n) {
        size_t s, e;
        while (i < n && (is_ows(v[i]) || v[i] == ',')) {
            i++;
        }
        s = i;
        while (i < n && v[i] != ',') {
            i++;
        }
        e = i;
        while (e > s && is_ows(v[e - 1])) {
            e--;
        }
        if (ieq(v + s, e - s, "close")) {
            p->flags |= HTTP_F_CONN_CLOSE;
        } else if (ieq(v + s, e - s, "keep-alive")) {
            p->flags |= HTTP_F_CONN_KEEP_ALIVE;
        } else if (ieq(v + s, e - s, "upgrade")) {
            p->flags |= HTTP_F_CONN_UPGRADE;
        }
    }
}

/* Applies the meaning of one header line. Returns 0 or a status. Names are
 * told apart by length first, so the usual header costs one switch. */
static int apply_header(http_parser_t *p, const unsigned char *name, size_t nlen,
                        const unsigned char *val, size_t vlen)
{
    switch (nlen) {
    case 4:
        if (ieq(name, nlen, "host")) {
            if (p->flags & HTTP_F_HOST) {
                p->flags |= F_HOST_DUP;
            }
            p->flags |= HTTP_F_HOST;
        }
        break;
    case 6:
        if (ieq(name, nlen, "expect") && ieq(val, vlen, "100-continue")) {
            p->flags |= HTTP_F_EXPECT_CONTINUE;
        }
        break;
    case 7:
        if (ieq(name, nlen, "upgrade")) {
            p->flags |= HTTP_F_UPGRADE;
        }
        break;
    case 10:
        if (ieq(name, nlen, "connection")) {
            parse_connection(p, val, vlen);
        }
        break;
    case 14:
        if (ieq(name, nlen, "content-length")) {
            uint64_t cl = 0;
            if (parse_content_length(val, vlen, &cl) != 0) {
                return 400;
            }
            if (p->flags & HTTP_F_CHUNKED) {
                return 400;
            }
            if ((p->flags & HTTP_F_CONTENT_LENGTH) && cl != p->content_length) {
                return 400;
            }
            if (cl > CONTENT_LENGTH_MAX) {
                return 413;
            }
            p->content_length = cl;
            p->flags |= HTTP_F_CONTENT_LENGTH;
        }
        break;
    case 17:
        if (ieq(name, nlen, "transfer-encoding")) {
            if (p->flags & (HTTP_F_CHUNKED | HTTP_F_CONTENT_LENGTH)) {
                return 400;
            }
            if (!ieq(val, vlen, "chunked")) {
                return 501;
            }
            p->flags |= HTTP_F_CHUNKED;
        }
        break;
    default:
        break;
    }
    return 0;
}

/* The header line just completed by the state machine. */
static int on_header(http_parser_t *p, const unsigned char *buf)
{
    return apply_header(p, buf + p->mark, p->name_end - p->mark, buf + p->val_off, p->val_end - p->val_off);
}

static int fail(http_parser_t *p, size_t pos, int status)
{
    p->state = S_ERROR;
    p->status = status;
    p->pos = pos;
    return HTTP_PARSE_ERROR;
}

/* The blank line ended at buf[pos]: final checks. */
static int finish(http_parser_t *p, size_t pos)
{
    if (p->flags & F_HOST_DUP) {
        return fail(p, pos, 400);
    }
    if (p->version_minor == 1 && !(p->flags & HTTP_F_HOST)) {
        return fail(p, pos, 400);
    }
    p->head_len = pos + 1;
    p->hdr_len = p->head_len - p->hdr_off;
    p->flags &= F_PUBLIC_MASK;
    p->pos = pos + 1;
    p->state = S_DONE;
    return HTTP_PARSE_DONE;
}

#if defined(__GNUC__)
#define ALWAYS_INLINE inline __attribute__((always_inline))
#define NOINLINE __attribute__((noinline))
#else
#define ALWAYS_INLINE inline
#define NOINLINE
#endif

#if HTTPD_PARSE_FAST
/* One pass over a whole head that arrived complete and is ordinary: origin-form
 * target, "HTTP/1.x" with CRLF endings, "name: value" lines. This is nearly
 * every request, and it costs a fraction of the byte-at-a-time machine below.
 * Returns HTTP_PARSE_DONE with the results set, or HTTP_PARSE_AGAIN for anything
 * else (incomplete, unusual, over a limit, wrong): then p is reset and the state
 * machine parses the same bytes, so every error and limit is decided there.
 *
 * With `sentinel` the caller has seen b[len - 1] == '\n': no byte class below
 * includes LF, so every run stops by itself before the end and the loops need
 * no bounds test; the limits are checked once per run instead. */
static ALWAYS_INLINE int parse_fast_as(http_parser_t *p, const unsigned char *b, size_t len,
                                       const http_parse_limits_t *lim, const bool sentinel)
{
#define RUN(test)   while ((sentinel || pos < len) && test(b[pos])) { pos++; }
    size_t pos = 0;
    int method;

    if (len >= 4 && memcmp(b, "GET ", 4) == 0) {
        method = HTTP_GET;
        pos = 4;
    } else {
        RUN(is_tchar);
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
    RUN(is_path_byte);
    size_t path_end = pos;
    RUN(is_target_byte);
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

    /* header lines; the block within max_headers */
    size_t h0 = pos;
    p->flags = 0;
    p->content_length = 0;
    while (pos < len && b[pos] != '\r') {
        size_t n0 = pos;
        RUN(is_tchar);
        if (pos == n0 || pos >= len || b[pos] != ':') {
            goto slow;
        }
        size_t n1 = pos++;
        RUN(is_ows);
        size_t v0 = pos;
        RUN(is_value_byte);
        size_t v1 = pos;
        while (v1 > v0 && is_ows(b[v1 - 1])) {
            v1--;
        }
        if (pos + 1 >= len || b[pos] != '\r' || b[pos + 1] != '\n' || pos + 2 - h0 > lim->max_headers) {
            goto slow;
        }
        pos += 2;
        if (apply_header(p, b + n0, n1 - n0, b + v0, v1 - v0) != 0) {
            goto slow;
        }
    }
    if (pos + 1 >= len || b[pos + 1] != '\n' || pos + 2 - h0 > lim->max_headers || (p->flags & F_HOST_DUP) ||
        (minor == 1 && !(p->flags & HTTP_F_HOST))) {
        goto slow;
    }
    pos += 2;
    p->method = method;
    p->version_minor = minor;
    p->target_off = t0;
    p->target_len = t1 - t0;
    p->path_off = t0;
    p->path_len = path_end - t0;
    p->hdr_off = h0;
    p->head_len = pos;
    p->hdr_len = pos - h0;
    p->pos = pos;
    p->state = S_DONE;
    return HTTP_PARSE_DONE;

slow:
    httpd__parser_init(p);
    return HTTP_PARSE_AGAIN;
#undef RUN
}

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
 * plain rather than fast: one function per state, each looking at the byte at
 * pos, and step() choosing between them. Its state lives in p between calls,
 * so a call resumes at p->pos; a byte is looked at by at most two states, and
 * a target or header line once more when it is complete, so a head dribbled
 * one byte per call still costs O(n) in total.
 *
 * A state function returns what it did with the byte: */
enum {
    STEP_NEXT = 0,  /* took it (perhaps changing state): go on with the next byte */
    STEP_SAME = 1,  /* changed state without taking it: the new state gets it */
    STEP_DONE = 2,  /* it ended the head */
    /* anything else is the HTTP status of the error the byte makes */
};

/* Before the request line: empty lines are skipped (a few, for clients that
 * send CRLF after a body); any other byte starts the method. */
static int st_start(http_parser_t *p, unsigned char c, size_t pos)
{
    if (c == '\n' || c == '\r') {
        if (++p->skipped_lines > MAX_SKIPPED_LINES) {
            return 400;
        }
        if (c == '\r') {
            p->state = S_SKIP_CR;
        }
        return STEP_NEXT;
    }
    p->hdr_off = pos;  /* the request line's first byte, for max_line */
    p->mark = pos;
    p->state = S_METHOD;
    return STEP_SAME;
}

/* The LF of a CRLF empty line before the request line. */
static int st_skip_cr(http_parser_t *p, unsigned char c)
{
    if (c != '\n') {
        return 400;
    }
    p->state = S_START;
    return STEP_NEXT;
}

/* Method: up to MAX_METHOD_LEN tchars, then one SP; the token must be known. */
static int st_method(http_parser_t *p, const unsigned char *b, size_t pos)
{
    unsigned char c = b[pos];

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
    p->state = S_TARGET_START;
    return STEP_NEXT;
}

/* First byte of the target: a second SP or a control byte is an error. */
static int st_target_start(http_parser_t *p, unsigned char c, size_t pos)
{
    if (!is_target_byte(c)) {
        return 400;
    }
    p->target_off = pos;
    p->state = S_TARGET;
    return STEP_SAME;
}

/* Target bytes up to max_target, then the SP before the version; the form of
 * the whole target is checked once it is complete. */
static int st_target(http_parser_t *p, const unsigned char *b, size_t pos,
                     const http_parse_limits_t *lim)
{
    unsigned char c = b[pos];
    int st;

    if (is_target_byte(c)) {
        return pos - p->target_off >= lim->max_target ? 414 : STEP_NEXT;
    }
    if (c != ' ') {
        return 400;
    }
    p->target_len = pos - p->target_off;
    st = classify_target(p, b);
    if (st != 0) {
        return st;
    }
    p->mark = pos + 1;
    p->state = S_VERSION;
    return STEP_NEXT;
}

/* From the LF of the request line on, hdr_off is the start of the header block. */
static int begin_headers(http_parser_t *p, size_t pos)
{
    p->hdr_off = pos + 1;
    p->state = S_HDR_START;
    return STEP_NEXT;
}

/* "HTTP/" DIGIT "." DIGIT (byte pos - mark of it), then CR or LF. Only once
 * the line end shows the version complete is it checked for 1.0 or 1.1, so
 * "HTTP/1.10" is malformed (400), not unsupported (505). */
static int st_version(http_parser_t *p, const unsigned char *b, size_t pos)
{
    unsigned char c = b[pos];
    size_t i = pos - p->mark;
    bool ok;

    if (i < 5) {
        ok = (c == (unsigned char)"HTTP/"[i]);
    } else if (i == 5 || i == 7) {
        ok = is_digit(c);
    } else if (i == 6) {
        ok = (c == '.');
    } else {
        ok = (c == '\r' || c == '\n');
    }
    if (!ok) {
        return 400;
    }
    if (i < 8) {
        return STEP_NEXT;
    }
    if (b[p->mark + 5] != '1' || (b[p->mark + 7] != '0' && b[p->mark + 7] != '1')) {
        return 505;
    }
    p->version_minor = b[p->mark + 7] - '0';
    if (c == '\r') {
        p->state = S_RL_CR;
        return STEP_NEXT;
    }
    return begin_headers(p, pos);
}

/* The LF after the CR that ends the request line. */
static int st_rl_cr(http_parser_t *p, unsigned char c, size_t pos)
{
    if (c != '\n') {
        return 400;
    }
    return begin_headers(p, pos);
}

/* Start of a header line: a tchar starts its name; CR or LF is the blank line
 * that ends the head. Anything else (SP or HTAB of an obs-fold, a control
 * byte, ':' of an empty name) is an error. */
static int st_hdr_start(http_parser_t *p, unsigned char c, size_t pos)
{
    if (c == '\r') {
        p->state = S_END_CR;
        return STEP_NEXT;
    }
    if (c == '\n') {
        return STEP_DONE;
    }
    if (!is_tchar(c)) {
        return 400;
    }
    p->mark = pos;
    p->state = S_NAME;
    return STEP_NEXT;
}

/* Field name: tchars up to the colon; whitespace before it is an error. */
static int st_name(http_parser_t *p, unsigned char c, size_t pos)
{
    if (is_tchar(c)) {
        return STEP_NEXT;
    }
    if (c != ':') {
        return 400;
    }
    p->name_end = pos;
    p->state = S_OWS;
    return STEP_NEXT;
}

/* Whitespace after the colon, not part of the value. */
static int st_ows(http_parser_t *p, unsigned char c, size_t pos)
{
    if (is_ows(c)) {
        return STEP_NEXT;
    }
    p->val_off = pos;
    p->val_end = pos;
    p->state = S_VALUE;
    return STEP_SAME;
}

/* The header line is complete: its meaning is applied, the next line starts. */
static int end_header(http_parser_t *p, const unsigned char *b)
{
    int st = on_header(p, b);
    if (st != 0) {
        return st;
    }
    p->state = S_HDR_START;
    return STEP_NEXT;
}

/* Field value bytes up to CR or LF; val_end follows the last byte that is not
 * whitespace, so trailing whitespace is left out of the value. */
static int st_value(http_parser_t *p, const unsigned char *b, size_t pos)
{
    unsigned char c = b[pos];

    if (c == '\r') {
        p->state = S_HDR_CR;
        return STEP_NEXT;
    }
    if (c == '\n') {
        return end_header(p, b);
    }
    if (!is_value_byte(c)) {
        return 400;
    }
    if (!is_ows(c)) {
        p->val_end = pos + 1;
    }
    return STEP_NEXT;
}

/* The LF after the CR that ends a header line (a bare CR is an error). */
static int st_hdr_cr(http_parser_t *p, const unsigned char *b, size_t pos)
{
    if (b[pos] != '\n') {
        return 400;
    }
    return end_header(p, b);
}

/* The LF after the CR of the blank line. */
static int st_end_cr(unsigned char c)
{
    return c == '\n' ? STEP_DONE : 400;
}

/* Gives the byte at pos to the current state, once the line or block it
 * belongs to is known to be within its limit. While in the request line,
 * hdr_off holds the line's first byte; from its end on, the header block's. */
static int step(http_parser_t *p, const unsigned char *b, size_t pos, const http_parse_limits_t *lim)
{
    unsigned char c = b[pos];

    if (p->state >= S_METHOD && p->state <= S_RL_CR && pos - p->hdr_off >= lim->max_line) {
        return 414;
    }
    if (p->state >= S_HDR_START && p->state <= S_END_CR && pos - p->hdr_off >= lim->max_headers) {
        return 431;
    }
    switch (p->state) {
    case S_START:        return st_start(p, c, pos);
    case S_SKIP_CR:      return st_skip_cr(p, c);
    case S_METHOD:       return st_method(p, b, pos);
    case S_TARGET_START: return st_target_start(p, c, pos);
    case S_TARGET:       return st_target(p, b, pos, lim);
    case S_VERSION:      return st_version(p, b, pos);
    case S_RL_CR:        return st_rl_cr(p, c, pos);
    case S_HDR_START:    return st_hdr_start(p, c, pos);
    case S_NAME:         return st_name(p, c, pos);
    case S_OWS:          return st_ows(p, c, pos);
    case S_VALUE:        return st_value(p, b, pos);
    case S_HDR_CR:       return st_hdr_cr(p, b, pos);
    case S_END_CR:       return st_end_cr(c);
    default:             return 400;
    }
}

/* Feeds buf[p->pos..len) to the machine until the head ends, an error is
 * found or the bytes run out. Kept out of line: inlined into httpd__parse_head
 * it shares registers with the fast path there, and the keep-alive GET cost
 * 7 instructions more per request (gcc 12 -O2); out of line, the fast path's
 * code does not move when the machine changes. */
static NOINLINE int parse_slow(http_parser_t *p, const unsigned char *b, size_t len,
                               const http_parse_limits_t *lim)
{
    size_t pos = p->pos;

    while (pos < len) {
        int r = step(p, b, pos, lim);
        if (r == STEP_NEXT) {
            pos++;
        } else if (r == STEP_DONE) {
            return finish(p, pos);
        } else if (r != STEP_SAME) {
            return fail(p, pos, r);
        }
    }
    p->pos = pos;
    return HTTP_PARSE_AGAIN;
}

int httpd__parse_head(http_parser_t *p, const char *buf, size_t len, const http_parse_limits_t *lim)
{
    const unsigned char *b = (const unsigned char *)buf;

    if (p->state == S_DONE) {
        return HTTP_PARSE_DONE;
    }
    if (p->state == S_ERROR) {
        return HTTP_PARSE_ERROR;
    }
    /* A head not begun may be whole: the fast path, else the machine from byte 0 */
#if HTTPD_PARSE_FAST
    if (p->state == S_START && p->pos == 0 && len > 0 && parse_fast(p, b, len, lim) == HTTP_PARSE_DONE) {
        return HTTP_PARSE_DONE;
    }
#endif
    return parse_slow(p, b, len, lim);
}

/* ---- Compacted header block ---------------------------------------------------- */

size_t httpd__headers_compact(char *block, size_t len, size_t *count)
{
    size_t r = 0, w = 0, n = 0;

    while (r < len && block[r] != '\r' && block[r] != '\n') {
        size_t ns = r, nlen, vs, ve, le;

        while (r < len && block[r] != ':' && block[r] != '\n') {
            r++;
        }
        if (r >= len || block[r] != ':') {
            break;  /* not a header line: stop */
        }
        nlen = r - ns;
        r++;
        while (r < len && is_ows((unsigned char)block[r])) {
            r++;
        }
        vs = r;
        while (r < len && block[r] != '\n') {
            r++;
        }
        if (r >= len) {
            break;  /* unterminated line: stop */
        }
        le = r;
        ve = le;
        while (ve > vs && (block[ve - 1] == '\r' || is_ows((unsigned char)block[ve - 1]))) {
            ve--;
        }
        r = le + 1;

        /* w <= ns, and the name shrinks by nothing while ':' becomes its NUL;
         * the value moves left by at least the dropped OWS, and its NUL lands
         * at most on the line's LF. */
        memmove(block + w, block + ns, nlen);
        w += nlen;
        block[w++] = '\0';
        memmove(block + w, block + vs, ve - vs);
        w += ve - vs;
        block[w++] = '\0';
        n++;
    }
    if (count) {
        *count = n;
    }
    return w;
}

bool httpd__header_find(const char *block, size_t len, const char *name,
                      const char **val, size_t *val_len)
{
    size_t nl, i = 0;

    if (!block || !name) {
        return false;
    }
    nl = strlen(name);
    while (i < len) {
        const char *hn = block + i;
        const char *zn = memchr(hn, '\0', len - i);
        const char *hv, *zv;
        if (!zn) {
            return false;
        }
        hv = zn + 1;
        if ((size_t)(hv - block) >= len) {
            return false;
        }
        zv = memchr(hv, '\0', len - (size_t)(hv - block));
        if (!zv) {
            return false;
        }
        if ((size_t)(zn - hn) == nl && ieq_str((const unsigned char *)hn, nl, name)) {
            if (val) {
                *val = hv;
            }
            if (val_len) {
                *val_len = (size_t)(zv - hv);
            }
            return true;
        }
        i = (size_t)(zv - block) + 1;
    }
    return false;
}

/* ---- Chunked body -------------------------------------------------------------- */

enum {
    C_SIZE_START = 0, /* first hex digit of a chunk-size */
    C_SIZE,           /* in the chunk-size */
    C_SIZE_WS,        /* BWS after the size, before ';' */
    C_EXT,            /* in chunk extensions, up to the line end */
    C_SIZE_CR,        /* CR ending the size line seen */
    C_DATA,           /* in chunk data (remaining > 0) */
    C_DATA_END,       /* after the data: CRLF (or LF) required */
    C_DATA_CR,        /* CR after the data seen */
    C_TRL_START,      /* at the start of a trailer line or of the final empty line */
    C_TRL_NAME,       /* in a trailer field name */
    C_TRL_VAL,        /* in a trailer value */
    C_TRL_CR,         /* CR ending a trailer line seen */
    C_FINAL_CR,       /* CR of the final empty line seen */
    C_DONE,
    C_ERROR,
};

void httpd__chunked_init(http_chunked_t *c)
{
    memset(c, 0, sizeof(*c));
    c->state = C_SIZE_START;
}

bool httpd__chunked_done(const http_chunked_t *c)
{
    return c->state == C_DONE;
}

/* Each state function below takes one byte of framing and returns false when
 * the byte is malformed there. Data bytes are not framing: the decoder hands
 * them over as one span (chunk_data). */

/* First hex digit of a chunk-size (an empty size is malformed). */
static bool ck_size_start(http_chunked_t *c, unsigned char ch)
{
    int h = httpd__hex_value(ch);
    if (h < 0) {
        return false;
    }
    c->remaining = (uint64_t)h;
    c->state = C_SIZE;
    return true;
}

/* The size line is complete: its data follows, or the trailers after size 0. */
static bool size_line_done(http_chunked_t *c)
{
    c->line_len = 0;
    c->state = c->remaining ? C_DATA : C_TRL_START;
    return true;
}

/* More hex digits (at most 16 significant ones, so the size fits 64 bits),
 * then ';' of an extension, whitespace before it, or the line end. */
static bool ck_size(http_chunked_t *c, unsigned char ch)
{
    int h = httpd__hex_value(ch);
    if (h >= 0) {
        if (c->remaining >> 60) {
            return false;  /* a 17th significant digit */
        }
        c->remaining = (c->remaining << 4) | (uint64_t)h;
    } else if (ch == ';') {
        c->state = C_EXT;
    } else if (is_ows(ch)) {
        c->state = C_SIZE_WS;
    } else if (ch == '\r') {
        c->state = C_SIZE_CR;
    } else if (ch == '\n') {
        return size_line_done(c);
    } else {
        return false;
    }
    return true;
}

/* Whitespace after the size: only before an extension (BWS ';'). */
static bool ck_size_ws(http_chunked_t *c, unsigned char ch)
{
    if (ch == ';') {
        c->state = C_EXT;
        return true;
    }
    return is_ows(ch);
}

/* Chunk extensions: not interpreted, any field-value byte up to the line end. */
static bool ck_ext(http_chunked_t *c, unsigned char ch)
{
    if (ch == '\r') {
        c->state = C_SIZE_CR;
    } else if (ch == '\n') {
        return size_line_done(c);
    } else if (!is_value_byte(ch)) {
        return false;
    }
    return true;
}

/* The LF after the CR of a size line. */
static bool ck_size_cr(http_chunked_t *c, unsigned char ch)
{
    return ch == '\n' && size_line_done(c);
}

/* The LF after a CR (a bare CR is malformed): then the state next. */
static bool ck_lf(http_chunked_t *c, unsigned char ch, uint8_t next)
{
    if (ch != '\n') {
        return false;
    }
    c->state = next;
    return true;
}

/* The line end that must follow the data: CRLF or a bare LF. */
static bool ck_data_end(http_chunked_t *c, unsigned char ch)
{
    if (ch == '\r') {
        c->state = C_DATA_CR;
    } else if (ch == '\n') {
        c->state = C_SIZE_START;
    } else {
        return false;
    }
    return true;
}

/* Start of a trailer line (a tchar of its name) or the empty line that ends
 * the body. */
static bool ck_trl_start(http_chunked_t *c, unsigned char ch)
{
    if (ch == '\r') {
        c->state = C_FINAL_CR;
    } else if (ch == '\n') {
        c->state = C_DONE;
    } else if (is_tchar(ch)) {
        c->state = C_TRL_NAME;
    } else {
        return false;
    }
    return true;
}

/* Trailer name: tchars up to the colon. */
static bool ck_trl_name(http_chunked_t *c, unsigned char ch)
{
    if (ch == ':') {
        c->state = C_TRL_VAL;
        return true;
    }
    return is_tchar(ch);
}

/* Trailer value: field-value bytes up to the line end (trailers are skipped). */
static bool ck_trl_val(http_chunked_t *c, unsigned char ch)
{
    if (ch == '\r') {
        c->state = C_TRL_CR;
    } else if (ch == '\n') {
        c->state = C_TRL_START;
    } else if (!is_value_byte(ch)) {
        return false;
    }
    return true;
}

/* Counts the byte against the bound of the size line or of the trailers it
 * belongs to, then gives it to the current state. */
static bool chunk_step(http_chunked_t *c, unsigned char ch)
{
    if (c->state <= C_SIZE_CR && ++c->line_len > HTTP_CHUNKED_MAX_LINE) {
        return false;
    }
    if (c->state >= C_TRL_START && c->state <= C_FINAL_CR &&
        ++c->trailer_len > HTTP_CHUNKED_MAX_TRAILERS) {
        return false;
    }
    switch (c->state) {
    case C_SIZE_START: return ck_size_start(c, ch);
    case C_SIZE:       return ck_size(c, ch);
    case C_SIZE_WS:    return ck_size_ws(c, ch);
    case C_EXT:        return ck_ext(c, ch);
    case C_SIZE_CR:    return ck_size_cr(c, ch);
    case C_DATA_END:   return ck_data_end(c, ch);
    case C_DATA_CR:    return ck_lf(c, ch, C_SIZE_START);
    case C_TRL_START:  return ck_trl_start(c, ch);
    case C_TRL_NAME:   return ck_trl_name(c, ch);
    case C_TRL_VAL:    return ck_trl_val(c, ch);
    case C_TRL_CR:     return ck_lf(c, ch, C_TRL_START);
    case C_FINAL_CR:   return ck_lf(c, ch, C_DONE);
    default:           return false;
    }
}

/* Chunk data: as much of the chunk as buf[i..len) holds, as the call's span.
 * Returns the bytes consumed, data included. */
static ssize_t chunk_data(http_chunked_t *c, size_t i, size_t len, size_t *data_off, size_t *data_len)
{
    size_t n = len - i;
    if ((uint64_t)n > c->remaining) {
        n = (size_t)c->remaining;
    }
    *data_off = i;
    *data_len = n;
    c->remaining -= n;
    if (c->remaining == 0) {
        c->state = C_DATA_END;
    }
    return (ssize_t)(i + n);
}

ssize_t httpd__chunked_decode(http_chunked_t *c, const char *buf, size_t len,
                            size_t *data_off, size_t *data_len)
{
    const unsigned char *b = (const unsigned char *)buf;
    size_t i = 0, dummy_off, dummy_len;

    if (!data_off) {
        data_off = &dummy_off;
    }
    if (!data_len) {
        data_len = &dummy_len;
    }
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
