/* SPDX-License-Identifier: Apache-2.0 */
/*
 * HTTP/1.1 request-head parser and chunked-body decoder.
 *
 * Pure functions over bytes: no sockets, no allocation, no globals. The caller
 * owns the buffer; results are offsets into it. Both machines are resumable:
 * call again with the same buffer start and more bytes, and they continue
 * where they stopped (a head dribbled one byte at a time costs O(n) in total).
 */
#ifndef HTTPD_PARSE_H
#define HTTPD_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* ---- Request head -------------------------------------------------------------- */

/* A whole, ordinary head is parsed in one pass when HTTPD_PARSE_FAST is 1:
 * that path exists for speed. Builds optimised for size (-Os) leave it out by
 * default and parse every head with the byte-at-a-time machine alone, which
 * gives the same results (tests/unit/test_parse.c checks that the two agree,
 * and runs once more against a build without the fast path). */
#ifndef HTTPD_PARSE_FAST
#ifdef __OPTIMIZE_SIZE__
#define HTTPD_PARSE_FAST 0
#else
#define HTTPD_PARSE_FAST 1
#endif
#endif

typedef enum {
    HTTP_PARSE_ERROR = -1,  /* malformed or over a limit: p->status says which HTTP status */
    HTTP_PARSE_AGAIN = 0,   /* incomplete: call again with more bytes */
    HTTP_PARSE_DONE  = 1,   /* head complete: p->head_len bytes of the buffer */
} http_parse_result_t;

typedef struct {
    size_t max_line;     /* request line, line ending included; longer -> 414 */
    size_t max_target;   /* request target alone; longer -> 414 */
    size_t max_headers;  /* header block from the first header byte through the blank
                            line that ends the head, line endings included; longer -> 431 */
} http_parse_limits_t;

/* Flags found while parsing the headers */
#define HTTP_F_CONTENT_LENGTH   0x0001u  /* Content-Length present (content_length holds it) */
#define HTTP_F_CHUNKED          0x0002u  /* Transfer-Encoding: chunked */
#define HTTP_F_CONN_CLOSE       0x0004u  /* Connection has the "close" token */
#define HTTP_F_CONN_KEEP_ALIVE  0x0008u  /* Connection has the "keep-alive" token */
#define HTTP_F_CONN_UPGRADE     0x0010u  /* Connection has the "upgrade" token */
#define HTTP_F_UPGRADE          0x0020u  /* Upgrade header present */
#define HTTP_F_EXPECT_CONTINUE  0x0040u  /* Expect: 100-continue */
#define HTTP_F_HOST             0x0080u  /* Host header present (exactly once) */
#define HTTP_F_ABSOLUTE_FORM    0x0100u  /* target is absolute-form (scheme://authority/path) */
#define HTTP_F_ASTERISK_FORM    0x0200u  /* target is "*" */

typedef struct {
    /* Results, valid once httpd__parse_head() returned HTTP_PARSE_DONE. */
    int      method;          /* enum http_method value */
    int      version_minor;   /* 0 (HTTP/1.0) or 1 (HTTP/1.1) */
    size_t   target_off;      /* request target: offset and length in the buffer */
    size_t   target_len;
    size_t   path_off;        /* the path part of the target used for routing */
    size_t   path_len;        /* (origin-form: up to '?' or '#'; absolute-form: after the authority) */
    size_t   hdr_off;         /* first byte of the first header line */
    size_t   hdr_len;         /* header block length, blank line included */
    size_t   head_len;        /* everything consumed: leading empty lines, request line, headers */
    uint64_t content_length;  /* with HTTP_F_CONTENT_LENGTH */
    unsigned flags;           /* HTTP_F_* */
    int      status;          /* with HTTP_PARSE_ERROR: 400, 413, 414, 431, 501 or 505 */

    /* Private: where the machine stopped. */
    unsigned state;
    size_t   pos;
    size_t   mark;            /* start of the current token / line */
    size_t   name_end;        /* current header: end of name, start/end of value */
    size_t   val_off;
    size_t   val_end;
    unsigned skipped_lines;
} http_parser_t;

/** Resets p for a new request head. */
void httpd__parser_init(http_parser_t *p);

/** Parses buf[0..len). Returns HTTP_PARSE_DONE, HTTP_PARSE_AGAIN or HTTP_PARSE_ERROR.
 *
 *  Accepts: an optional few empty lines before the request line; "METHOD SP target SP
 *  HTTP/1.x" with single spaces; CRLF or bare LF line endings; header lines
 *  "name: value" with a token name and no whitespace before the colon.
 *  Errors (p->status):
 *    400 bare CR, control bytes, bad token, bad target, obs-fold, missing Host on
 *        HTTP/1.1, duplicate Host, a Host value that is not uri-host [ ":" port ]
 *        (RFC 9112 3.2; empty is allowed), bad or conflicting Content-Length, Content-Length together
 *        with Transfer-Encoding, malformed version;
 *    413 Content-Length above 4294967295;
 *    414 request line longer than max_line, or target longer than max_target;
 *    431 header block longer than max_headers;
 *    501 unknown method token, or a Transfer-Encoding other than "chunked";
 *    505 well-formed version other than HTTP/1.0 and HTTP/1.1.
 *  Errors are reported as soon as the offending byte is seen (a request line that
 *  is already too long is answered without waiting for its end). */
int httpd__parse_head(http_parser_t *p, const char *buf, size_t len, const http_parse_limits_t *lim);

/** Rewrites a header block validated by httpd__parse_head() in place as
 *  "name\0value\0" pairs, values trimmed of leading and trailing SP/HTAB (the
 *  blank line is dropped). Returns the new length (never more than len) and
 *  the number of headers in *count. */
size_t httpd__headers_compact(char *block, size_t len, size_t *count);

/** Finds the first header named name (case-insensitive, exact length) in a
 *  compacted block. Sets *val (NUL-terminated) and *val_len. No argument
 *  may be NULL (block only when len is 0). */
bool httpd__header_find(const char *block, size_t len, const char *name,
                      const char **val, size_t *val_len);

/** The next element of the list v[*i..n) separated by sep bytes, without the
 *  SP/HTAB around it: returns its offset in v and sets *len; *i moves past its
 *  separator (beyond n after the last element). */
size_t httpd__list_next(const char *v, size_t n, size_t *i, size_t *len, char sep);

/** Value of a hexadecimal digit, or -1. */
int httpd__hex_value(int c);

/** Token of a method ("GET"), NULL for values outside the table. */
const char *httpd__method_name(int method);

/* ---- Chunked request body ------------------------------------------------------ */

typedef struct {
    unsigned state;
    uint64_t remaining;   /* data bytes left in the current chunk */
    size_t   line_len;    /* bytes of the current size line, or of all trailers so far; bounded */
} http_chunked_t;

#define HTTP_CHUNKED_MAX_LINE      4096   /* chunk-size line with extensions */
#define HTTP_CHUNKED_MAX_TRAILERS  8192   /* all trailer lines together */

void httpd__chunked_init(http_chunked_t *c);

/** Decodes buf[0..len). Returns the number of bytes consumed (0..len) or -1
 *  when the framing is malformed (bad hex, size overflow, missing CRLF after
 *  data, line or trailers over their bounds). When the consumed bytes end with
 *  body data, that data is buf[*data_off .. *data_off + *data_len) (at most one
 *  span per call; *data_len is 0 otherwise); call again with the rest. Neither
 *  pointer may be NULL. */
ssize_t httpd__chunked_decode(http_chunked_t *c, const char *buf, size_t len,
                            size_t *data_off, size_t *data_len);

/** True once the last chunk and its trailers have been consumed. */
bool httpd__chunked_done(const http_chunked_t *c);

#endif /* HTTPD_PARSE_H */
