/* SPDX-License-Identifier: Apache-2.0 */
/*
 * static_files.c: static files from a folder or from a table of built-in assets
 * (httpd_static.h, docs/addons/static.md).
 *
 * Per request: one allocation for a path buffer and, for folders, the read buffer
 * (chunk_size bytes), freed before the handler returns. Files up to chunk_size
 * bytes (and every asset, and every HEAD) go out with Content-Length; larger file
 * bodies go out chunked, chunk_size bytes at a time (the public API has no way to
 * announce a length and then stream the body).
 */
#include "httpd_static.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include "addon_util.h"
#include "esp_log.h"
#include "static_files.h"

/* realpath() resolves symbolic links on a POSIX host; the chip's VFS file systems
 * (SPIFFS, FAT, LittleFS) have none, and there the textual checks alone apply. */
#ifndef HTTPD_STATIC_REALPATH
#if defined(__unix__) && !defined(ESP_PLATFORM)
#define HTTPD_STATIC_REALPATH 1
#else
#define HTTPD_STATIC_REALPATH 0
#endif
#endif
#ifndef O_NOFOLLOW
#define O_NOFOLLOW 0
#endif
#ifndef O_CLOEXEC
#define O_CLOEXEC 0
#endif

/* Longest file system path (base_path, URL path, index name and ".gz"). */
#ifndef HTTPD_STATIC_PATH_MAX
#define HTTPD_STATIC_PATH_MAX 256
#endif
#define PATH_CAP   ((size_t)HTTPD_STATIC_PATH_MAX)
#define PREFIX_MAX 128u
#define HDR_MAX    128u   /* longest request header value looked at */
#define ETAG_MAX   48u

static const char *TAG = "httpd_static";

/* ---- MIME types ------------------------------------------------------------------- */

#define UTF8 "; charset=utf-8"
static const struct {
    char ext[6];
    const char *type;
} MIME[] = {
    {"html", "text/html" UTF8}, {"htm", "text/html" UTF8}, {"css", "text/css" UTF8},
    {"js", "text/javascript" UTF8}, {"mjs", "text/javascript" UTF8}, {"json", "application/json"},
    {"map", "application/json"}, {"txt", "text/plain" UTF8}, {"xml", "text/xml" UTF8},
    {"svg", "image/svg+xml"}, {"png", "image/png"}, {"jpg", "image/jpeg"}, {"jpeg", "image/jpeg"},
    {"gif", "image/gif"}, {"ico", "image/x-icon"}, {"webp", "image/webp"}, {"woff", "font/woff"},
    {"woff2", "font/woff2"}, {"wasm", "application/wasm"}, {"pdf", "application/pdf"},
    {"mp4", "video/mp4"},
};

const char *httpd_static_mime_type(const char *path)
{
    const char *dot = path ? strrchr(path, '.') : NULL;
    if (dot && !strchr(dot, '/')) {
        size_t n = strlen(++dot);
        for (size_t i = 0; i < sizeof MIME / sizeof MIME[0]; i++) {
            if (strlen(MIME[i].ext) == n && httpd__addon_token_eq(dot, n, MIME[i].ext)) {
                return MIME[i].type;
            }
        }
    }
    return "application/octet-stream";
}

/* ---- Pure functions (static_files.h) ---------------------------------------------- */

static const char *skip_ows(const char *s)
{
    while (*s == ' ' || *s == '\t') {
        s++;
    }
    return s;
}

/* A decimal number (saturated at UINT64_MAX) into *v; NULL without a digit. */
static const char *parse_u64(const char *s, uint64_t *v)
{
    if (*s < '0' || *s > '9') {
        return NULL;
    }
    uint64_t x = 0;
    for (; *s >= '0' && *s <= '9'; s++) {
        unsigned d = (unsigned)(*s - '0');
        x = x > (UINT64_MAX - d) / 10 ? UINT64_MAX : x * 10 + d;
    }
    *v = x;
    return s;
}

bool httpd__addon_static_accepts_gzip(const char *s)
{
    int gz = -1, star = -1;   /* -1: not listed; 0: q=0; 1: acceptable */
    while (s && *s) {
        s = skip_ows(s);
        if (*s == ',') {
            s++;
            continue;
        }
        const char *tok = s;
        while (*s && *s != ',' && *s != ';' && *s != ' ' && *s != '\t') {
            s++;
        }
        size_t n = (size_t)(s - tok);
        int q = 1;
        for (s = skip_ows(s); *s == ';'; s = skip_ows(s)) {
            s = skip_ows(s + 1);
            if ((*s | 0x20) == 'q' && s[1] == '=') {
                /* qvalue: "0" to "1.000"; zero when every digit is 0 */
                bool digit = false, nonzero = false;
                for (s += 2; (*s >= '0' && *s <= '9') || *s == '.'; s++) {
                    digit |= *s != '.';
                    nonzero |= *s >= '1' && *s <= '9';
                }
                q = digit && nonzero;
            }
            while (*s && *s != ';' && *s != ',') {
                s++;
            }
        }
        if (httpd__addon_token_eq(tok, n, "gzip") || httpd__addon_token_eq(tok, n, "x-gzip")) {
            gz = q;
        } else if (n == 1 && *tok == '*') {
            star = q;
        }
        while (*s && *s != ',') {
            s++;
        }
    }
    return gz >= 0 ? gz == 1 : star == 1;
}

int httpd__addon_static_parse_range(const char *s, uint64_t size, uint64_t *first, uint64_t *last)
{
    if (!s || !first || !last) {
        return 0;
    }
    s = skip_ows(s);
    if (strlen(s) < 5 || !httpd__addon_token_eq(s, 5, "bytes")) {
        return 0;
    }
    s = skip_ows(s + 5);
    if (*s++ != '=' || strchr(s, ',')) {
        return 0;   /* not a byte range, or several: answered with the whole */
    }
    s = skip_ows(s);
    uint64_t a = 0, b = UINT64_MAX;
    if (*s == '-') {   /* suffix: the last b bytes */
        s = parse_u64(s + 1, &b);
        if (!s || *skip_ows(s)) {
            return 0;
        }
        if (b == 0 || size == 0) {
            return -1;
        }
        *first = b >= size ? 0 : size - b;
        *last = size - 1;
        return 1;
    }
    s = parse_u64(s, &a);
    if (!s || *s++ != '-') {
        return 0;
    }
    if (*s >= '0' && *s <= '9') {
        s = parse_u64(s, &b);
        if (b < a) {
            return 0;
        }
    }
    if (*skip_ows(s)) {
        return 0;
    }
    if (a >= size) {
        return -1;
    }
    *first = a;
    *last = b < size ? b : size - 1;
    return 1;
}

static const char MONTHS[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
static const char WDAYS[] = "SunMonTueWedThuFriSat";

/* Days since 1970-01-01 of a proleptic Gregorian date (m 1..12). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

static char *put2(char *p, unsigned v)
{
    *p++ = (char)('0' + v / 10 % 10);
    *p++ = (char)('0' + v % 10);
    return p;
}

void httpd__addon_static_fmt_date(int64_t t, char out[30])
{
    if (t < 0) {
        t = 0;
    }
    int64_t z = t / 86400;
    unsigned secs = (unsigned)(t % 86400);
    unsigned wday = (unsigned)((z + 4) % 7);
    z += 719468;
    int64_t era = z / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    unsigned d = doy - (153 * mp + 2) / 5 + 1;
    unsigned m = mp < 10 ? mp + 3 : mp - 9;
    int64_t y = (int64_t)yoe + era * 400 + (m <= 2);
    if (y > 9999) {
        y = 9999;
    }
    char *p = out;
    memcpy(p, WDAYS + 3 * wday, 3);
    p += 3;
    *p++ = ',';
    *p++ = ' ';
    p = put2(p, d);
    *p++ = ' ';
    memcpy(p, MONTHS + 3 * (m - 1), 3);
    p += 3;
    *p++ = ' ';
    p = put2(p, (unsigned)(y / 100));
    p = put2(p, (unsigned)(y % 100));
    *p++ = ' ';
    p = put2(p, secs / 3600);
    *p++ = ':';
    p = put2(p, secs / 60 % 60);
    *p++ = ':';
    p = put2(p, secs % 60);
    memcpy(p, " GMT", 5);
}

/* min_d..max_d digits into *v; NULL otherwise. */
static const char *digits(const char *s, unsigned min_d, unsigned max_d, unsigned *v)
{
    unsigned n = 0, x = 0;
    for (; n < max_d && *s >= '0' && *s <= '9'; n++, s++) {
        x = x * 10 + (unsigned)(*s - '0');
    }
    *v = x;
    return n >= min_d && !(*s >= '0' && *s <= '9') ? s : NULL;
}

static const char *month(const char *s, unsigned *m)
{
    for (unsigned i = 0; i < 12; i++) {
        if (strncmp(s, MONTHS + 3 * i, 3) == 0) {
            *m = i + 1;
            return s + 3;
        }
    }
    return NULL;
}

/* "hh:mm:ss" */
static const char *clock_time(const char *s, unsigned *secs)
{
    unsigned h = 0, mi = 0, se = 0;
    if (!s || !(s = digits(s, 2, 2, &h)) || *s++ != ':' || !(s = digits(s, 2, 2, &mi)) || *s++ != ':' ||
        !(s = digits(s, 2, 2, &se)) || h > 23 || mi > 59 || se > 60) {
        return NULL;
    }
    *secs = h * 3600 + mi * 60 + se;
    return s;
}

int64_t httpd__addon_static_parse_date(const char *s)
{
    if (!s) {
        return -1;
    }
    const char *p = s;
    while ((*p | 0x20) >= 'a' && (*p | 0x20) <= 'z') {
        p++;
    }
    if (p - s < 3) {
        return -1;
    }
    unsigned d = 0, m = 0, y = 0, secs = 0;
    if (*p == ',') {   /* IMF-fixdate "Sun, 06 Nov 1994 08:49:37 GMT" or RFC 850 "Sunday, 06-Nov-94 ..." */
        if (*++p != ' ' || !(p = digits(p + 1, 2, 2, &d))) {
            return -1;
        }
        char sep = *p++;
        if ((sep != ' ' && sep != '-') || !(p = month(p, &m)) || *p++ != sep ||
            !(p = digits(p, sep == '-' ? 2 : 4, sep == '-' ? 2 : 4, &y)) || *p++ != ' ' ||
            !(p = clock_time(p, &secs)) || strcmp(p, " GMT") != 0) {
            return -1;
        }
        if (sep == '-') {
            y += y < 70 ? 2000 : 1900;
        }
    } else if (*p == ' ') {   /* asctime "Sun Nov  6 08:49:37 1994" */
        if (!(p = month(p + 1, &m)) || *p++ != ' ') {
            return -1;
        }
        if (*p == ' ') {
            p++;
        }
        if (!(p = digits(p, 1, 2, &d)) || *p++ != ' ' || !(p = clock_time(p, &secs)) || *p++ != ' ' ||
            !(p = digits(p, 4, 4, &y)) || *p) {
            return -1;
        }
    } else {
        return -1;
    }
    if (d < 1 || d > 31 || y < 1970) {
        return -1;
    }
    return days_from_civil(y, m, d) * 86400 + secs;
}

bool httpd__addon_static_etag_match(const char *p, const char *etag)
{
    if (!p || !etag) {
        return false;
    }
    if (etag[0] == 'W' && etag[1] == '/') {
        etag += 2;
    }
    size_t elen = strlen(etag);
    while (*p) {
        p = skip_ows(p);
        if (*p == ',') {
            p++;
            continue;
        }
        if (*p == '*') {
            return true;
        }
        if (p[0] == 'W' && p[1] == '/') {
            p += 2;
        }
        if (*p != '"') {   /* not an entity-tag: skip the element */
            while (*p && *p != ',') {
                p++;
            }
            continue;
        }
        const char *q = strchr(p + 1, '"');
        if (!q) {
            return false;
        }
        if ((size_t)(q + 1 - p) == elen && memcmp(p, etag, elen) == 0) {
            return true;
        }
        p = q + 1;
    }
    return false;
}

int httpd__addon_static_clean_path(char *dst, size_t dst_size, const char *src, size_t len)
{
    if (!dst || !src || dst_size == 0) {
        return -1;
    }
    int n = httpd__addon_url_decode(dst, dst_size, src, len, false);
    if (n < 0 || (n > 0 && dst[0] != '/') || memchr(dst, '\\', (size_t)n)) {
        return -1;
    }
    for (const char *seg = dst; *seg;) {
        seg++;   /* past '/' */
        size_t sl = strcspn(seg, "/");
        if ((sl == 1 && seg[0] == '.') || (sl == 2 && seg[0] == '.' && seg[1] == '.')) {
            return -1;
        }
        seg += sl;
    }
    return n;
}

/* ---- Responses --------------------------------------------------------------------- */

struct opts {
    const char *cache_control;   /* "" or NULL: none */
    size_t chunk;
    uint32_t flags;
};

static const struct opts DEFAULT_OPTS = {"no-cache", 4096, 0};

/* The representation chosen for a request. */
struct rep {
    int fd;                /* -1: data */
    const uint8_t *data;
    uint64_t size;
    int64_t mtime;         /* -1: none */
    bool gz, vary;
    const char *mime;
    char etag[ETAG_MAX];   /* quoted, or "" */
};

/* A request header's value in buf (n bytes): NULL when absent, "" when longer than
 * buf (present, but not used). */
static const char *hdr(httpd_req_t *req, const char *name, char *buf, size_t n)
{
    size_t len = httpd_req_get_hdr_value_len(req, name);
    if (len == 0) {
        return NULL;
    }
    if (len >= n || httpd_req_get_hdr_value_str(req, name, buf, n) != ESP_OK) {
        buf[0] = '\0';
    }
    return buf;
}

static char *put_u64(char *p, uint64_t v, unsigned base)
{
    char tmp[20], *t = tmp + sizeof tmp;
    do {
        unsigned d = (unsigned)(v % base);
        *--t = (char)(d < 10 ? '0' + d : 'a' - 10 + d);
        v /= base;
    } while (v);
    size_t n = (size_t)(tmp + sizeof tmp - t);
    memcpy(p, t, n);
    return p + n;
}

static void send_status(httpd_req_t *req, const char *status, const char *msg)
{
    httpd_resp_set_status(req, status);
    httpd_resp_set_type(req, "text/plain" UTF8);
    httpd_resp_send(req, msg, HTTPD_RESP_USE_STRLEN);
}

/* Reads up to n bytes (fewer at the end of the file); -1 on an error. */
static ssize_t read_full(int fd, char *buf, size_t n)
{
    size_t got = 0;
    while (got < n) {
        ssize_t r = read(fd, buf + got, n - got);
        if (r < 0 && errno == EINTR) {
            continue;
        }
        if (r < 0) {
            return -1;
        }
        if (r == 0) {
            break;
        }
        got += (size_t)r;
    }
    return (ssize_t)got;
}

/* The response to If-None-Match / If-Modified-Since (RFC 9110 13.2.2): true for 304. */
static bool not_modified(httpd_req_t *req, const struct rep *r)
{
    char v[HDR_MAX];
    const char *h = hdr(req, "If-None-Match", v, sizeof v);
    if (h) {   /* only without it does If-Modified-Since count */
        return r->etag[0] && httpd__addon_static_etag_match(h, r->etag);
    }
    if (r->mtime >= 0 && (h = hdr(req, "If-Modified-Since", v, sizeof v)) != NULL) {
        int64_t t = httpd__addon_static_parse_date(h);
        return t >= 0 && r->mtime <= t;
    }
    return false;
}

/* Range, for GET only (RFC 9110 14.2), and with If-Range only while that matches:
 * httpd__addon_static_parse_range()'s result (0: no range). */
static int want_range(httpd_req_t *req, const struct rep *r, uint64_t *a, uint64_t *b)
{
    char v[HDR_MAX];
    const char *h;
    if (req->method == HTTP_HEAD) {
        return 0;
    }
    if ((h = hdr(req, "If-Range", v, sizeof v)) == NULL) {
        /* (no If-Range) */
    } else if (h[0] == '"') {
        if (!r->etag[0] || strcmp(h, r->etag) != 0) {   /* strong comparison */
            return 0;
        }
    } else {
        int64_t t = httpd__addon_static_parse_date(h);
        if (t < 0 || r->mtime < 0 || t != r->mtime) {
            return 0;
        }
    }
    h = hdr(req, "Range", v, sizeof v);
    return h ? httpd__addon_static_parse_range(h, r->size, a, b) : 0;
}

/* The body r[off, off + n): one piece with Content-Length up to chunk bytes (or from
 * memory, or for HEAD), else chunked. ESP_FAIL: the response broke off. */
static esp_err_t send_body(httpd_req_t *req, const struct opts *o, const struct rep *r, char *buf,
                           uint64_t off, uint64_t n)
{
    if (req->method == HTTP_HEAD || r->fd < 0) {
        esp_err_t err;
        if (n > (uint64_t)SSIZE_MAX) {   /* (HEAD of a huge file on a 32-bit host) */
            err = httpd_resp_send_chunk(req, NULL, 0);
        } else {
            /* HEAD: the server sends the head with Content-Length n and does not read
             * the buffer (docs/compat.md); a table's data goes out in one piece */
            const char *body = r->data ? (const char *)r->data + off : buf ? buf : "";
            err = httpd_resp_send(req, body, (ssize_t)n);
        }
        return err == ESP_OK ? ESP_OK : ESP_FAIL;
    }
    if (off && lseek(r->fd, (off_t)off, SEEK_SET) == (off_t)-1) {
        ESP_LOGW(TAG, "lseek: errno %d", errno);
        send_status(req, "500 Internal Server Error", "Read error\n");
        return ESP_OK;
    }
    if (n <= o->chunk) {
        ssize_t got = read_full(r->fd, buf, (size_t)n);
        if (got < 0 || (uint64_t)got != n) {
            ESP_LOGW(TAG, "file shorter than its size or unreadable");
            send_status(req, "500 Internal Server Error", "Read error\n");
            return ESP_OK;
        }
        return httpd_resp_send(req, buf, (ssize_t)n) == ESP_OK ? ESP_OK : ESP_FAIL;
    }
    while (n) {
        size_t k = n < o->chunk ? (size_t)n : o->chunk;
        ssize_t got = read_full(r->fd, buf, k);
        if (got <= 0) {
            ESP_LOGW(TAG, "file ended or failed mid-way: response cut");
            return ESP_FAIL;
        }
        if (httpd_resp_send_chunk(req, buf, got) != ESP_OK) {
            return ESP_FAIL;
        }
        n -= (uint64_t)got;
    }
    return httpd_resp_send_chunk(req, NULL, 0) == ESP_OK ? ESP_OK : ESP_FAIL;
}

/* Answers a GET or HEAD for the representation r: conditionals, range, headers,
 * body. buf: chunk bytes for files (NULL for data). ESP_FAIL: the response broke
 * off (the handler returns it so that the connection closes). */
static esp_err_t serve(httpd_req_t *req, const struct opts *o, const struct rep *r, char *buf)
{
    char lm[30], cr[64];
    if (r->vary) {
        httpd_resp_set_hdr(req, "Vary", "Accept-Encoding");
    }
    if (r->etag[0]) {
        httpd_resp_set_hdr(req, "ETag", r->etag);
    }
    if (r->mtime >= 0) {
        httpd__addon_static_fmt_date(r->mtime, lm);
        httpd_resp_set_hdr(req, "Last-Modified", lm);
    }
    if (o->cache_control && o->cache_control[0]) {
        httpd_resp_set_hdr(req, "Cache-Control", o->cache_control);
    }
    if (not_modified(req, r)) {
        httpd_resp_set_status(req, "304 Not Modified");
        return httpd_resp_send(req, NULL, 0) == ESP_OK ? ESP_OK : ESP_FAIL;
    }
    uint64_t a = 0, b = 0;
    int rc = want_range(req, r, &a, &b);
    char *p = cr;
    memcpy(p, "bytes ", 6);
    p += 6;
    if (rc < 0) {
        *p++ = '*';
        *p++ = '/';
        *put_u64(p, r->size, 10) = '\0';
        httpd_resp_set_hdr(req, "Content-Range", cr);
        send_status(req, "416 Range Not Satisfiable", "Range Not Satisfiable\n");
        return ESP_OK;
    }
    if (rc > 0) {
        p = put_u64(p, a, 10);
        *p++ = '-';
        p = put_u64(p, b, 10);
        *p++ = '/';
        *put_u64(p, r->size, 10) = '\0';
        httpd_resp_set_hdr(req, "Content-Range", cr);
        httpd_resp_set_status(req, "206 Partial Content");
    }
    if (r->gz) {
        httpd_resp_set_hdr(req, "Content-Encoding", "gzip");
    }
    httpd_resp_set_hdr(req, "Accept-Ranges", "bytes");
    httpd_resp_set_type(req, r->mime);
    return send_body(req, o, r, buf, a, rc > 0 ? b - a + 1 : r->size);
}

/* Opens path if it is a regular file (never through a final symbolic link where the
 * platform has O_NOFOLLOW): fills r's fd, size, mtime; -1 otherwise. */
static int open_regular(const char *path, struct rep *r)
{
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) {
        return -1;
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return -1;
    }
    r->fd = fd;
    r->size = (uint64_t)st.st_size;
    r->mtime = st.st_mtime < 0 ? 0 : (int64_t)st.st_mtime;
    return 0;
}

/* Serves the file at path (path has room for 4 more bytes: ".gz"). */
static esp_err_t send_path(httpd_req_t *req, const struct opts *o, char *path, char *buf)
{
    struct rep r = {.fd = -1, .mtime = -1, .vary = !(o->flags & HTTPD_STATIC_NO_GZIP)};
    char ae[HDR_MAX];
    if (r.vary && httpd__addon_static_accepts_gzip(hdr(req, "Accept-Encoding", ae, sizeof ae))) {
        size_t l = strlen(path);
        memcpy(path + l, ".gz", 4);
        r.gz = open_regular(path, &r) == 0;
        path[l] = '\0';
    }
    if (!r.gz && open_regular(path, &r) != 0) {
        httpd_resp_send_err(req, HTTPD_404_NOT_FOUND, NULL);
        return ESP_ERR_NOT_FOUND;
    }
    r.mime = httpd_static_mime_type(path);
    char *p = r.etag;
    *p++ = '"';
    p = put_u64(p, r.size, 16);
    *p++ = '-';
    p = put_u64(p, (uint64_t)r.mtime, 16);
    memcpy(p, r.gz ? "-gz\"" : "\"", r.gz ? 5 : 2);
    esp_err_t err = serve(req, o, &r, buf);
    close(r.fd);
    return err;
}

static esp_err_t send_asset(httpd_req_t *req, const struct opts *o, const httpd_static_asset_t *a)
{
    struct rep r = {.fd = -1, .mtime = -1};
    char ae[HDR_MAX];
    r.vary = a->gz_data && !(o->flags & HTTPD_STATIC_NO_GZIP);
    r.gz = r.vary && httpd__addon_static_accepts_gzip(hdr(req, "Accept-Encoding", ae, sizeof ae));
    r.data = r.gz ? a->gz_data : a->data;
    r.size = r.gz ? a->gz_len : a->len;
    r.mime = a->mime ? a->mime : httpd_static_mime_type(a->path);
    char *p = r.etag;
    *p++ = '"';
    if (a->etag) {
        size_t n = strlen(a->etag);
        if (n + 6 > ETAG_MAX || strchr(a->etag, '"')) {
            n = 0;   /* unusable: no ETag */
            p = r.etag;
        }
        memcpy(p, a->etag, n);
        p += n;
    } else {   /* FNV-1a 64 of the content */
        uint64_t x = 0xcbf29ce484222325u;
        for (size_t i = 0; i < a->len; i++) {
            x = (x ^ a->data[i]) * 0x100000001b3u;
        }
        p = put_u64(p, x, 16);
    }
    if (p != r.etag) {
        memcpy(p, r.gz ? "-gz\"" : "\"", r.gz ? 5 : 2);
    } else {
        r.etag[0] = '\0';
    }
    return serve(req, o, &r, NULL);
}

esp_err_t httpd_static_send_file(httpd_req_t *req, const char *path)
{
    if (!req || !path || !path[0] || strlen(path) >= PATH_CAP) {
        return ESP_ERR_INVALID_ARG;
    }
    char *mem = malloc(PATH_CAP + 4 + DEFAULT_OPTS.chunk);
    if (!mem) {
        httpd_resp_send_err(req, HTTPD_500_INTERNAL_SERVER_ERROR, NULL);
        return ESP_ERR_NO_MEM;
    }
    strcpy(mem, path);
    esp_err_t err = send_path(req, &DEFAULT_OPTS, mem, mem + PATH_CAP + 4);
    free(mem);
    return err;
}

esp_err_t httpd_static_send_asset(httpd_req_t *req, const httpd_static_asset_t *asset)
{
    if (!req || !asset || !asset->path || (!asset->data && asset->len) || (asset->gz_len && !asset->gz_data)) {
        return ESP_ERR_INVALID_ARG;
    }
    return send_asset(req, &DEFAULT_OPTS, asset);
}

/* ---- Registrations ----------------------------------------------------------------- */

struct ctx {
    struct ctx *next;
    httpd_handle_t server;
    struct opts o;
    const char *prefix;   /* without a trailing '/': "" for "/" */
    size_t prefix_len;
    const char *base;     /* NULL: assets */
    const char *index;
    const httpd_static_asset_t *assets;
    size_t count;
};

static pthread_mutex_t s_lock = PTHREAD_MUTEX_INITIALIZER;
static struct ctx *s_list;

static void redirect_slash(httpd_req_t *req, char *loc, size_t path_len)
{
    /* the request's own path and query, with '/' after the path */
    const char *uri = req->uri;
    memcpy(loc, uri, path_len);
    loc[path_len] = '/';
    strcpy(loc + path_len + 1, uri + path_len);
    httpd_resp_set_hdr(req, "Location", loc);
    send_status(req, "301 Moved Permanently", "Moved Permanently\n");
}

#if HTTPD_STATIC_REALPATH
/* Replaces path by its resolved form when that lies inside the resolved root;
 * false (and a 404 is due) otherwise. */
static bool resolve_inside(const char *root, char *path, size_t cap)
{
    char *rroot = realpath(root, NULL), *rp = realpath(path, NULL);
    bool ok = false;
    if (rroot && rp) {
        size_t n = strlen(rroot);
        bool root_is_slash = n == 1;
        ok = strncmp(rp, rroot, n) == 0 && (root_is_slash || rp[n] == '/' || rp[n] == '\0') &&
             strlen(rp) < cap;
        if (ok) {
            strcpy(path, rp);
        } else {
            ESP_LOGW(TAG, "refused: resolves outside the root");
        }
    }
    free(rroot);
    free(rp);
    return ok;
}
#endif

static const httpd_static_asset_t *find_asset(const struct ctx *c, const char *rel)
{
    for (size_t i = 0; i < c->count; i++) {
        if (c->assets[i].path && strcmp(c->assets[i].path, rel) == 0) {
            return &c->assets[i];
        }
    }
    return NULL;
}

static bool asset_dir(const struct ctx *c, const char *rel, size_t n)
{
    for (size_t i = 0; i < c->count; i++) {
        const char *p = c->assets[i].path;
        if (p && strncmp(p, rel, n) == 0 && p[n] == '/') {
            return true;
        }
    }
    return false;
}

static esp_err_t handler(httpd_req_t *req)
{
    const struct ctx *c = req->user_ctx;
    const char *uri = req->uri;
    size_t path_len = strcspn(uri, "?#");
    if (!c || path_len < c->prefix_len || memcmp(uri, c->prefix, c->prefix_len) != 0) {
        httpd_resp_send_err(req, HTTPD_404_NOT_FOUND, NULL);
        return ESP_OK;
    }
    size_t ulen = strlen(uri), extra = c->base ? c->o.chunk : 0;
    if (extra < ulen + 2) {
        extra = ulen + 2;   /* room for a Location */
    }
    char *path = malloc(PATH_CAP + 4 + extra), *buf = path + PATH_CAP + 4;
    if (!path) {
        httpd_resp_send_err(req, HTTPD_500_INTERNAL_SERVER_ERROR, NULL);
        return ESP_OK;
    }
    esp_err_t err = ESP_OK;
    size_t blen = c->base ? strlen(c->base) : 0, ilen = strlen(c->index);
    memcpy(path, c->base ? c->base : "", blen);
    char *rel = path + blen;
    int n = PATH_CAP > blen + ilen + 2
                ? httpd__addon_static_clean_path(rel, PATH_CAP - blen - ilen - 2, uri + c->prefix_len,
                                                 path_len - c->prefix_len)
                : -1;
    if (n < 0) {
        ESP_LOGW(TAG, "refused path: %s", uri);
        httpd_resp_send_err(req, HTTPD_400_BAD_REQUEST, "Bad path");
        goto out;
    }
    bool slash = n > 0 && rel[n - 1] == '/';
    if (!c->base) {   /* the assets table */
        if (slash) {
            strcpy(rel + n, c->index);
        }
        const httpd_static_asset_t *a = n ? find_asset(c, rel) : NULL;
        if (a) {
            err = send_asset(req, &c->o, a);
        } else if (!slash && !(c->o.flags & HTTPD_STATIC_NO_DIR_REDIRECT) && (n == 0 || asset_dir(c, rel, (size_t)n))) {
            redirect_slash(req, buf, path_len);
        } else {
            httpd_resp_send_err(req, HTTPD_404_NOT_FOUND, NULL);
        }
        goto out;
    }
    for (int pass = 0; pass < 2; pass++) {
        struct stat st;
#if HTTPD_STATIC_REALPATH
        bool found = resolve_inside(c->base, path, PATH_CAP - ilen - 2) && stat(path, &st) == 0;
#else
        bool found = stat(path, &st) == 0;
#endif
        if (found && S_ISDIR(st.st_mode) && pass == 0) {
            if (!slash) {
                if (c->o.flags & HTTPD_STATIC_NO_DIR_REDIRECT) {
                    break;
                }
                redirect_slash(req, buf, path_len);
                goto out;
            }
            if (!ilen) {
                break;
            }
            size_t l = strlen(path);
            if (path[l - 1] != '/') {
                path[l++] = '/';
            }
            strcpy(path + l, c->index);
            continue;
        }
        if (found && S_ISREG(st.st_mode) && !(slash && pass == 0)) {
            err = send_path(req, &c->o, path, buf);
            if (err == ESP_ERR_NOT_FOUND) {
                err = ESP_OK;
            }
            goto out;
        }
        break;
    }
    httpd_resp_send_err(req, HTTPD_404_NOT_FOUND, NULL);
out:
    free(path);
    return err == ESP_OK ? ESP_OK : ESP_FAIL;
}

/* "<prefix>/?*" into t (PREFIX_MAX + 4 bytes). */
static void make_template(char *t, const char *prefix)
{
    size_t n = strlen(prefix);
    memcpy(t, prefix, n);
    memcpy(t + n, "/?*", 4);
}

static void unregister_ctx(struct ctx *c)
{
    char t[PREFIX_MAX + 4];
    make_template(t, c->prefix);
    httpd_unregister_uri_handler(c->server, t, HTTP_GET);
    httpd_unregister_uri_handler(c->server, t, HTTP_HEAD);
}

/* Frees the registrations of servers that no longer run (s_lock held). */
static void sweep_locked(void)
{
    for (struct ctx **pp = &s_list; *pp;) {
        struct ctx *c = *pp;
        if (httpd_get_server_state(c->server) != HTTP_SERVER_EVENT_START) {
            *pp = c->next;
            free(c);
        } else {
            pp = &c->next;
        }
    }
}

static char *dup_into(char **w, const char *s)
{
    char *d = *w;
    size_t n = strlen(s) + 1;
    memcpy(d, s, n);
    *w += n;
    return d;
}

esp_err_t httpd_static_register(httpd_handle_t server, const httpd_static_config_t *cfg)
{
    if (!server || !cfg || !cfg->uri_prefix || cfg->uri_prefix[0] != '/') {
        return ESP_ERR_INVALID_ARG;
    }
    size_t plen = strlen(cfg->uri_prefix);
    const char *index = cfg->index_name ? cfg->index_name : "index.html";
    const char *cc = cfg->cache_control ? cfg->cache_control : "no-cache";
    bool folder = cfg->base_path != NULL;
    if (plen >= PREFIX_MAX || (plen > 1 && cfg->uri_prefix[plen - 1] == '/') || strpbrk(cfg->uri_prefix, "?*#%") ||
        folder == (cfg->assets != NULL) || (folder && (!cfg->base_path[0] || strlen(cfg->base_path) + strlen(index) + 16 >= PATH_CAP)) ||
        (!folder && !cfg->asset_count) || strchr(index, '/') || strpbrk(cc, "\r\n")) {
        ESP_LOGE(TAG, "invalid configuration");
        return ESP_ERR_INVALID_ARG;
    }
    if (plen == 1) {
        plen = 0;   /* "/": the empty prefix */
    }
    size_t blen = folder ? strlen(cfg->base_path) : 0;
    if (blen > 1 && cfg->base_path[blen - 1] == '/') {
        blen--;   /* "/www/": "/www" */
    }
    struct ctx *c = malloc(sizeof *c + plen + 1 + (folder ? blen + 1 : 0) + strlen(index) + 1 + strlen(cc) + 1);
    if (!c) {
        return ESP_ERR_NO_MEM;
    }
    char *w = (char *)(c + 1);
    c->next = NULL;
    c->server = server;
    c->prefix = w;
    memcpy(w, cfg->uri_prefix, plen);
    w[plen] = '\0';
    w += plen + 1;
    c->prefix_len = plen;
    c->base = NULL;
    if (folder) {
        c->base = w;
        memcpy(w, cfg->base_path, blen);
        w[blen] = '\0';
        w += blen + 1;
    }
    c->index = dup_into(&w, index);
    c->o.cache_control = dup_into(&w, cc);
    c->o.chunk = cfg->chunk_size == 0 ? 4096 : cfg->chunk_size < 256 ? 256 : cfg->chunk_size;
    c->o.flags = cfg->flags;
    c->assets = cfg->assets;
    c->count = cfg->asset_count;

    char t[PREFIX_MAX + 4];
    make_template(t, c->prefix);
    httpd_uri_t u = {.uri = t, .method = HTTP_GET, .handler = handler, .user_ctx = c};
    esp_err_t err = httpd_register_uri_handler(server, &u);
    if (err == ESP_OK) {
        u.method = HTTP_HEAD;
        err = httpd_register_uri_handler(server, &u);
        if (err != ESP_OK) {
            httpd_unregister_uri_handler(server, t, HTTP_GET);
        }
    }
    if (err != ESP_OK) {
        ESP_LOGE(TAG, "registering %s: %s", t, esp_err_to_name(err));
        free(c);
        return err;
    }
    pthread_mutex_lock(&s_lock);
    sweep_locked();
    c->next = s_list;
    s_list = c;
    pthread_mutex_unlock(&s_lock);
    ESP_LOGD(TAG, "%s -> %s (needs uri_match_fn = httpd_uri_match_wildcard)", t, folder ? c->base : "assets");
    return ESP_OK;
}

esp_err_t httpd_static_unregister(httpd_handle_t server, const char *uri_prefix)
{
    if (!server) {
        return ESP_ERR_INVALID_ARG;
    }
    size_t plen = uri_prefix ? strlen(uri_prefix) : 0;
    if (plen == 1) {
        plen = 0;
    }
    esp_err_t err = ESP_ERR_NOT_FOUND;
    pthread_mutex_lock(&s_lock);
    for (struct ctx **pp = &s_list; *pp;) {
        struct ctx *c = *pp;
        if (c->server == server &&
            (!uri_prefix || (c->prefix_len == plen && memcmp(c->prefix, uri_prefix, plen) == 0))) {
            *pp = c->next;
            unregister_ctx(c);
            free(c);
            err = ESP_OK;
            if (uri_prefix) {
                break;
            }
        } else {
            pp = &c->next;
        }
    }
    pthread_mutex_unlock(&s_lock);
    return err;
}
