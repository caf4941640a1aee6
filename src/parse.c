/* SPDX-License-Identifier: Apache-2.0 */
/*
 * HTTP/1.1 request-head parser and chunked-body decoder (see parse.h).
 *
 * Both are byte-at-a-time state machines whose whole state lives in the
 * caller's struct, so input may arrive in pieces of any size. Nothing here
 * allocates, performs I/O or keeps mutable state of its own.
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
static inline bool is_path_byte(unsigned char c) { return (CLASS[c] & C_PATH) != 0; }

int http_hex_value(int c)
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

const char *http_method_name(int method)
{
    if (method < 0 || method >= METHOD_COUNT) {
        return NULL;
    }
    return method_names[method];
}

const char *http_method_str(enum http_method m)
{
    const char *s = http_method_name((int)m);
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

void http_parser_init(http_parser_t *p)
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
#else
#define ALWAYS_INLINE inline
#endif

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
    http_parser_init(p);
    return HTTP_PARSE_AGAIN;
#undef RUN
}

static int parse_fast(http_parser_t *p, const unsigned char *b, size_t len, const http_parse_limits_t *lim)
{
#ifdef __OPTIMIZE_SIZE__
    return parse_fast_as(p, b, len, lim, false);   /* -Os (firmware): one copy of the code */
#else
    return b[len - 1] == '\n' ? parse_fast_as(p, b, len, lim, true) : parse_fast_as(p, b, len, lim, false);
#endif
}

int http_parse_head(http_parser_t *p, const char *buf, size_t len, const http_parse_limits_t *lim)
{
    const unsigned char *b = (const unsigned char *)buf;
    size_t pos = p->pos;
    int st;
    /* The state lives in a local: stores through p (which may alias the
     * bytes, as any char does) would otherwise force reloads on every byte. */
    uint8_t state = p->state;

    if (state == S_DONE) {
        return HTTP_PARSE_DONE;
    }
    if (state == S_ERROR) {
        return HTTP_PARSE_ERROR;
    }
    if (state == S_START && pos == 0 && len > 0 && parse_fast(p, b, len, lim) == HTTP_PARSE_DONE) {
        return HTTP_PARSE_DONE;
    }

    /* While in the request line, hdr_off holds the line's first byte; from the
     * end of the request line on it is the start of the header block. */
    while (pos < len) {
        unsigned char c = b[pos];

        if (state >= S_METHOD && state <= S_RL_CR && pos - p->hdr_off >= lim->max_line) {
            return fail(p, pos, 414);
        }
        if (state >= S_HDR_START && state <= S_END_CR &&
            pos - p->hdr_off >= lim->max_headers) {
            return fail(p, pos, 431);
        }

        switch (state) {
        case S_START:
            if (c == '\n' || c == '\r') {
                if (++p->skipped_lines > MAX_SKIPPED_LINES) {
                    return fail(p, pos, 400);
                }
                if (c == '\r') {
                    state = S_SKIP_CR;
                }
                break;
            }
            p->hdr_off = pos;
            p->mark = pos;
            state = S_METHOD;
            continue;  /* the same byte again, as the first of the method */

        case S_SKIP_CR:
            if (c != '\n') {
                return fail(p, pos, 400);
            }
            state = S_START;
            break;

        case S_METHOD:
            if (pos == p->mark && len - pos >= 4 && memcmp(b + pos, "GET ", 4) == 0) {
                p->method = HTTP_GET;   /* fast path for the commonest method */
                state = S_TARGET_START;
                pos += 4;
                continue;
            }
            if (is_tchar(c)) {
                if (pos - p->mark >= MAX_METHOD_LEN) {
                    return fail(p, pos, 400);
                }
                break;
            }
            if (c != ' ' || pos == p->mark) {
                return fail(p, pos, 400);
            }
            p->method = method_lookup(b + p->mark, pos - p->mark);
            if (p->method < 0) {
                return fail(p, pos, 501);
            }
            state = S_TARGET_START;
            break;

        case S_TARGET_START:
            if (!is_target_byte(c)) {
                return fail(p, pos, 400);
            }
            p->target_off = pos;
            state = S_TARGET;
            continue;

        case S_TARGET: {
            /* Fast path: take the run of plain target bytes within both limits. */
            size_t stop = p->hdr_off + lim->max_line;
            if (p->target_off + lim->max_target < stop) {
                stop = p->target_off + lim->max_target;
            }
            if (stop > len) {
                stop = len;
            }
            size_t start = pos;
            while (pos < stop && is_target_byte(b[pos])) {
                pos++;
            }
            if (pos != start) {
                continue;   /* the byte that stopped the run goes through the checks below */
            }
        }
            if (is_target_byte(c)) {
                if (pos - p->target_off >= lim->max_target) {
                    return fail(p, pos, 414);
                }
                break;
            }
            if (c != ' ') {
                return fail(p, pos, 400);
            }
            p->target_len = pos - p->target_off;
            st = classify_target(p, b);
            if (st != 0) {
                return fail(p, pos, st);
            }
            p->mark = pos + 1;
            state = S_VERSION;
            break;

        case S_VERSION: {
            size_t i = pos - p->mark;
            if (i == 0 && len - pos >= 10 && pos + 10 - p->hdr_off <= lim->max_line &&
                memcmp(b + pos, "HTTP/1.1\r\n", 10) == 0) {
                p->version_minor = 1;   /* fast path for the commonest ending */
                pos += 10;
                p->hdr_off = pos;
                state = S_HDR_START;
                continue;
            }
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
                return fail(p, pos, 400);
            }
            if (i < 8) {
                break;
            }
            if (b[p->mark + 5] != '1' || (b[p->mark + 7] != '0' && b[p->mark + 7] != '1')) {
                return fail(p, pos, 505);
            }
            p->version_minor = b[p->mark + 7] - '0';
            if (c == '\r') {
                state = S_RL_CR;
                break;
            }
            p->hdr_off = pos + 1;
            state = S_HDR_START;
            break;
        }

        case S_RL_CR:
            if (c != '\n') {
                return fail(p, pos, 400);
            }
            p->hdr_off = pos + 1;
            state = S_HDR_START;
            break;

        case S_HDR_START:
            if (c == '\r') {
                state = S_END_CR;
                break;
            }
            if (c == '\n') {
                return finish(p, pos);
            }
            if (!is_tchar(c)) {
                return fail(p, pos, 400);  /* obs-fold, control byte, empty name */
            }
            p->mark = pos;
            state = S_NAME;
            break;

        case S_NAME: {
            size_t stop = p->hdr_off + lim->max_headers < len ? p->hdr_off + lim->max_headers : len;
            size_t start = pos;
            while (pos < stop && is_tchar(b[pos])) {
                pos++;
            }
            if (pos != start) {
                continue;
            }
        }
            if (is_tchar(c)) {
                break;
            }
            if (c != ':') {
                return fail(p, pos, 400);  /* whitespace before ':', no colon, ... */
            }
            p->name_end = pos;
            state = S_OWS;
            break;

        case S_OWS:
            if (is_ows(c)) {
                break;
            }
            p->val_off = pos;
            p->val_end = pos;
            state = S_VALUE;
            continue;

        case S_VALUE: {
            size_t stop = p->hdr_off + lim->max_headers < len ? p->hdr_off + lim->max_headers : len;
            size_t start = pos;
            while (pos < stop && is_value_byte(b[pos])) {
                pos++;
            }
            if (pos != start) {
                size_t last = pos;   /* trailing OWS is not part of the value */
                while (last > start && is_ows(b[last - 1])) {
                    last--;
                }
                if (last > start) {
                    p->val_end = last;
                }
                continue;
            }
        }
            if (c == '\r') {
                state = S_HDR_CR;
                break;
            }
            if (c == '\n') {
                goto header_done;
            }
            if (!is_value_byte(c)) {
                return fail(p, pos, 400);
            }
            if (!is_ows(c)) {
                p->val_end = pos + 1;
            }
            break;

        case S_HDR_CR:
            if (c != '\n') {
                return fail(p, pos, 400);
            }
        header_done:
            st = on_header(p, b);
            if (st != 0) {
                return fail(p, pos, st);
            }
            state = S_HDR_START;
            break;

        case S_END_CR:
            if (c != '\n') {
                return fail(p, pos, 400);
            }
            return finish(p, pos);

        default:
            return fail(p, pos, 400);
        }
        pos++;
    }
    p->pos = pos;
    p->state = state;
    return HTTP_PARSE_AGAIN;
}

/* ---- Compacted header block ---------------------------------------------------- */

size_t http_headers_compact(char *block, size_t len, size_t *count)
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

bool http_header_find(const char *block, size_t len, const char *name,
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

void http_chunked_init(http_chunked_t *c)
{
    memset(c, 0, sizeof(*c));
    c->state = C_SIZE_START;
}

bool http_chunked_done(const http_chunked_t *c)
{
    return c->state == C_DONE;
}

ssize_t http_chunked_decode(http_chunked_t *c, const char *buf, size_t len,
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
        unsigned char ch = b[i];
        int h;

        if (c->state <= C_SIZE_CR && ++c->line_len > HTTP_CHUNKED_MAX_LINE) {
            goto bad;
        }
        if (c->state >= C_TRL_START && c->state <= C_FINAL_CR &&
            ++c->trailer_len > HTTP_CHUNKED_MAX_TRAILERS) {
            goto bad;
        }

        switch (c->state) {
        case C_SIZE_START:
            h = http_hex_value(ch);
            if (h < 0) {
                goto bad;
            }
            c->remaining = (uint64_t)h;
            c->state = C_SIZE;
            break;

        case C_SIZE:
            h = http_hex_value(ch);
            if (h >= 0) {
                if (c->remaining >> 60) {
                    goto bad;  /* a 17th significant digit */
                }
                c->remaining = (c->remaining << 4) | (uint64_t)h;
            } else if (ch == ';') {
                c->state = C_EXT;
            } else if (is_ows(ch)) {
                c->state = C_SIZE_WS;
            } else if (ch == '\r') {
                c->state = C_SIZE_CR;
            } else if (ch == '\n') {
                goto size_line_done;
            } else {
                goto bad;
            }
            break;

        case C_SIZE_WS:
            if (ch == ';') {
                c->state = C_EXT;
            } else if (!is_ows(ch)) {
                goto bad;
            }
            break;

        case C_EXT:
            if (ch == '\r') {
                c->state = C_SIZE_CR;
            } else if (ch == '\n') {
                goto size_line_done;
            } else if (!is_value_byte(ch)) {
                goto bad;
            }
            break;

        case C_SIZE_CR:
            if (ch != '\n') {
                goto bad;
            }
        size_line_done:
            c->line_len = 0;
            c->state = c->remaining ? C_DATA : C_TRL_START;
            break;

        case C_DATA: {
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

        case C_DATA_END:
            if (ch == '\r') {
                c->state = C_DATA_CR;
            } else if (ch == '\n') {
                c->state = C_SIZE_START;
            } else {
                goto bad;
            }
            break;

        case C_DATA_CR:
            if (ch != '\n') {
                goto bad;
            }
            c->state = C_SIZE_START;
            break;

        case C_TRL_START:
            if (ch == '\r') {
                c->state = C_FINAL_CR;
            } else if (ch == '\n') {
                c->state = C_DONE;
            } else if (is_tchar(ch)) {
                c->state = C_TRL_NAME;
            } else {
                goto bad;
            }
            break;

        case C_TRL_NAME:
            if (ch == ':') {
                c->state = C_TRL_VAL;
            } else if (!is_tchar(ch)) {
                goto bad;
            }
            break;

        case C_TRL_VAL:
            if (ch == '\r') {
                c->state = C_TRL_CR;
            } else if (ch == '\n') {
                c->state = C_TRL_START;
            } else if (!is_value_byte(ch)) {
                goto bad;
            }
            break;

        case C_TRL_CR:
            if (ch != '\n') {
                goto bad;
            }
            c->state = C_TRL_START;
            break;

        case C_FINAL_CR:
            if (ch != '\n') {
                goto bad;
            }
            c->state = C_DONE;
            break;

        default:
            goto bad;
        }
        i++;
    }
    return (ssize_t)i;

bad:
    c->state = C_ERROR;
    return -1;
}
