/* SPDX-License-Identifier: Apache-2.0 */
/* auth.c: HTTP Basic (RFC 7617) and Digest SHA-256 (RFC 7616) authentication for
 * routes (httpd_auth.h). Nonces need no table: 8 hex digits of a monotonic time in
 * seconds, 8 of a counter, then 32 of HMAC-SHA-256(secret, time counter ":" realm);
 * the secret comes from the platform's random source once per boot. */
#include "httpd_auth.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "esp_log.h"
#include "addon_util.h"
#include "auth_priv.h"
#include "route_wrap.h"
#include "sha256.h"

#ifdef ESP_PLATFORM
#include "esp_random.h"
#else
#include <fcntl.h>
#include <unistd.h>
#endif

static const char *TAG = "httpd_auth";

#define NONCE_TS_LEN   8                      /* hex digits of the time */
#define NONCE_SALT_LEN 8                      /* of a counter: every challenge its own nonce */
#define NONCE_MAC_OFF  (NONCE_TS_LEN + NONCE_SALT_LEN)
#define NONCE_LEN      (NONCE_MAC_OFF + 32)   /* and 16 bytes of MAC */
#define OPAQUE_LEN     32
#define DEFAULT_LIFETIME_S 300u

/* ---- Helpers ----------------------------------------------------------------------- */

static const char HEX[] = "0123456789abcdef";

static void to_hex(const uint8_t *p, size_t n, char *out)
{
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = HEX[p[i] >> 4];
        out[2 * i + 1] = HEX[p[i] & 15];
    }
    out[2 * n] = '\0';
}

static int hex_digit(char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    c = (char)(c | 0x20);
    return (c >= 'a' && c <= 'f') ? c - 'a' + 10 : -1;
}

/* Exactly 2 * n hex digits (either case) in s into out; false otherwise. */
static bool from_hex(const char *s, uint8_t *out, size_t n)
{
    if (strlen(s) != 2 * n) {
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        int hi = hex_digit(s[2 * i]), lo = hex_digit(s[2 * i + 1]);
        if (hi < 0 || lo < 0) {
            return false;
        }
        out[i] = (uint8_t)(hi << 4 | lo);
    }
    return true;
}

static bool is_tchar(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

static bool is_ows(char c)
{
    return c == ' ' || c == '\t';
}

/* String equality in a time that depends on the lengths only, not on where they differ. */
static bool ct_str_eq(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b), n = la > lb ? la : lb;
    unsigned diff = (unsigned)(la ^ lb);
    for (size_t i = 0; i < n; i++) {
        diff |= (unsigned)((i < la ? (unsigned char)a[i] : 0) ^ (i < lb ? (unsigned char)b[i] : 0));
    }
    return diff == 0;
}

/* ---- Parsing (auth_priv.h) --------------------------------------------------------- */

static int b64_val(char c)
{
    if (c >= 'A' && c <= 'Z') {
        return c - 'A';
    }
    if (c >= 'a' && c <= 'z') {
        return c - 'a' + 26;
    }
    if (c >= '0' && c <= '9') {
        return c - '0' + 52;
    }
    return c == '+' ? 62 : c == '/' ? 63 : -1;
}

int httpd__addon_base64_decode(uint8_t *dst, size_t dst_size, const char *src, size_t len)
{
    if (len % 4 != 0) {
        return -1;
    }
    size_t o = 0;
    for (size_t i = 0; i < len; i += 4) {
        int v[4], pad = 0;
        for (int j = 0; j < 4; j++) {
            char c = src[i + j];
            if (c == '=' && i + 4 == len && j >= 2) {
                pad++;
                v[j] = 0;
            } else if (pad || (v[j] = b64_val(c)) < 0) {
                return -1;   /* outside the alphabet, or data after '=' */
            }
        }
        uint32_t w = (uint32_t)v[0] << 18 | (uint32_t)v[1] << 12 | (uint32_t)v[2] << 6 | (uint32_t)v[3];
        for (int j = 0; j < 3 - pad; j++) {
            if (o >= dst_size) {
                return -2;
            }
            dst[o++] = (uint8_t)(w >> (16 - 8 * j));
        }
    }
    return (int)o;
}

int httpd__addon_auth_params(char *s, const char *const names[], size_t n, const char *vals[])
{
    size_t lens[16];
    if (n > sizeof lens / sizeof lens[0]) {
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        vals[i] = NULL;
    }
    char *p = s;
    for (;;) {
        while (is_ows(*p) || *p == ',') {   /* empty list elements are allowed */
            p++;
        }
        if (*p == '\0') {
            break;
        }
        const char *name = p;
        while (is_tchar(*p)) {
            p++;
        }
        size_t name_len = (size_t)(p - name);
        while (is_ows(*p)) {
            p++;
        }
        if (name_len == 0 || *p != '=') {
            return -1;
        }
        p++;
        while (is_ows(*p)) {
            p++;
        }
        char *val = p, *w = p;
        if (*p == '"') {   /* quoted-string: unescaped in place (it only shrinks) */
            val = w = ++p;
            for (;;) {
                unsigned char c = (unsigned char)*p;
                if (c == '"') {
                    p++;
                    break;
                }
                if (c == '\\') {
                    c = (unsigned char)*++p;
                }
                if (c == '\0' || (c < 0x20 && c != '\t') || c == 0x7f) {
                    return -1;   /* unterminated, or a control character */
                }
                *w++ = (char)c;
                p++;
            }
        } else {
            while (is_tchar(*p)) {
                p++;
            }
            if (p == val) {
                return -1;
            }
            w = p;
        }
        while (is_ows(*p)) {
            p++;
        }
        if (*p != ',' && *p != '\0') {
            return -1;
        }
        for (size_t i = 0; i < n; i++) {
            if (httpd__addon_token_eq(name, name_len, names[i])) {
                if (vals[i]) {
                    return -1;   /* RFC 9110 11.2: each name once */
                }
                vals[i] = val;
                lens[i] = (size_t)(w - val);
                break;
            }
        }
    }
    /* terminated now: a token's end may have been the ',' the loop still needed */
    for (size_t i = 0; i < n; i++) {
        if (vals[i]) {
            ((char *)vals[i])[lens[i]] = '\0';
        }
    }
    return 0;
}

static void sha256_parts(const char *const parts[], size_t n, uint8_t out[HTTPD_ADDON_SHA256_LEN])
{
    httpd__addon_sha256_t c;
    httpd__addon_sha256_init(&c);
    for (size_t i = 0; i < n; i++) {
        if (i) {
            httpd__addon_sha256_update(&c, ":", 1);
        }
        httpd__addon_sha256_update(&c, parts[i], strlen(parts[i]));
    }
    httpd__addon_sha256_final(&c, out);
}

void httpd__addon_digest_response(const char *ha1_hex, const char *nonce, const char *nc, const char *cnonce,
                                  const char *qop, const char *method, const char *uri, char out[65])
{
    uint8_t h[HTTPD_ADDON_SHA256_LEN];
    char ha2_hex[65];
    const char *a2[] = { method, uri };
    sha256_parts(a2, 2, h);
    to_hex(h, sizeof h, ha2_hex);
    const char *kd[] = { ha1_hex, nonce, nc, cnonce, qop, ha2_hex };
    sha256_parts(kd, 6, h);
    to_hex(h, sizeof h, out);
}

/* ---- Secret, nonces ------------------------------------------------------------------ */

static uint8_t s_secret[32];
static bool s_secret_ok;
static pthread_once_t s_secret_once = PTHREAD_ONCE_INIT;

static void secret_init(void)
{
#ifdef ESP_PLATFORM
    esp_fill_random(s_secret, sizeof s_secret);
    s_secret_ok = true;
#else
    int fd = open("/dev/urandom", O_RDONLY);
    size_t got = 0;
    while (fd >= 0 && got < sizeof s_secret) {
        ssize_t n = read(fd, s_secret + got, sizeof s_secret - got);
        if (n <= 0) {
            break;
        }
        got += (size_t)n;
    }
    if (fd >= 0) {
        close(fd);
    }
    s_secret_ok = got == sizeof s_secret;
    if (!s_secret_ok) {
        ESP_LOGE(TAG, "no random source: Digest authentication is off");
    }
#endif
}

static bool secret_ready(void)
{
    pthread_once(&s_secret_once, secret_init);
    return s_secret_ok;
}

static uint32_t now_s(void)
{
#ifdef CLOCK_MONOTONIC
    struct timespec ts;
    if (clock_gettime(CLOCK_MONOTONIC, &ts) == 0) {
        return (uint32_t)ts.tv_sec;
    }
#endif
    return (uint32_t)time(NULL);
}

/* out: NONCE_LEN hex digits and a NUL for time ts, counter salt and realm. */
static void make_nonce(const char *realm, uint32_t ts, uint32_t salt, char out[NONCE_LEN + 1])
{
    char msg[NONCE_MAC_OFF + 1 + HTTPD_AUTH_REALM_MAX + 1];
    uint8_t mac[HTTPD_ADDON_SHA256_LEN];
    int n = snprintf(msg, sizeof msg, "%08" PRIx32 "%08" PRIx32 ":%s", ts, salt, realm);
    httpd__addon_hmac_sha256(s_secret, sizeof s_secret, msg, (size_t)n, mac);
    memcpy(out, msg, NONCE_MAC_OFF);
    to_hex(mac, 16, out + NONCE_MAC_OFF);
}

static uint32_t read_hex32(const char *s)
{
    char hex[9];
    uint8_t b[4];
    memcpy(hex, s, 8);
    hex[8] = '\0';
    if (!from_hex(hex, b, sizeof b)) {
        return UINT32_MAX;
    }
    return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

static void make_opaque(const char *realm, char out[OPAQUE_LEN + 1])
{
    char msg[8 + HTTPD_AUTH_REALM_MAX + 1];
    uint8_t mac[HTTPD_ADDON_SHA256_LEN];
    int n = snprintf(msg, sizeof msg, "opaque:%s", realm);
    httpd__addon_hmac_sha256(s_secret, sizeof s_secret, msg, (size_t)n, mac);
    to_hex(mac, OPAQUE_LEN / 2, out);
}

enum nonce_state { NONCE_BAD, NONCE_FRESH, NONCE_STALE };

static enum nonce_state check_nonce(const char *realm, const char *nonce, uint32_t lifetime)
{
    if (strlen(nonce) != NONCE_LEN) {
        return NONCE_BAD;
    }
    char expect[NONCE_LEN + 1];
    uint32_t ts = read_hex32(nonce), salt = read_hex32(nonce + NONCE_TS_LEN);
    make_nonce(realm, ts, salt, expect);
    if (!httpd__addon_ct_equal(expect, nonce, NONCE_LEN)) {
        return NONCE_BAD;   /* (a non-hex time or counter cannot match either) */
    }
    uint32_t now = now_s();
    if (ts > now) {
        return NONCE_BAD;
    }
    return now - ts >= lifetime ? NONCE_STALE : NONCE_FRESH;
}

/* ---- Nonce counts ------------------------------------------------------------------ */

/* Replay check (best effort, bounded memory): the last NC_SLOTS nonces used get a
 * sliding window of the nc values seen (the highest and the NC_WINDOW before it, as
 * requests of one nonce may arrive out of order on parallel connections). A repeated or
 * too old nc is refused; a nonce missing from the table (never seen, or pushed out by
 * newer ones) is taken with nc 1 only, else it is answered as stale so that the client
 * takes a new one. */
#define NC_SLOTS  8
#define NC_WINDOW 32
#define NC_KEY    16   /* hex digits of the nonce's MAC kept as its key */

static struct nc_slot {
    char key[NC_KEY];
    uint32_t max;       /* highest nc seen; 0: a free slot */
    uint32_t seen;      /* bit d: nc max - d seen */
    uint32_t used;      /* last use, for replacement */
} s_nc[NC_SLOTS];
static uint32_t s_nc_clock;
static uint32_t s_nonce_count;   /* the salt of the next nonce */
static pthread_mutex_t s_nc_lock = PTHREAD_MUTEX_INITIALIZER;

enum nc_result { NC_OK, NC_REPLAY, NC_UNKNOWN };

static enum nc_result nc_check(const char *nonce, uint32_t nc)
{
    const char *key = nonce + NONCE_MAC_OFF;
    enum nc_result res = NC_OK;
    pthread_mutex_lock(&s_nc_lock);
    struct nc_slot *e = NULL, *victim = &s_nc[0];
    for (struct nc_slot *it = s_nc; it < s_nc + NC_SLOTS; it++) {
        if (it->max && memcmp(it->key, key, NC_KEY) == 0) {
            e = it;
        }
        if (!it->max ? victim->max != 0 : (victim->max && it->used < victim->used)) {
            victim = it;   /* a free slot, else the least recently used */
        }
    }
    if (!e) {
        if (nc != 1) {
            res = NC_UNKNOWN;
        } else {
            e = victim;
            memcpy(e->key, key, NC_KEY);
            e->max = 1;
            e->seen = 1;
        }
    } else if (nc > e->max) {
        uint32_t shift = nc - e->max;
        e->seen = (shift >= NC_WINDOW ? 0 : e->seen << shift) | 1u;
        e->max = nc;
    } else if (e->max - nc >= NC_WINDOW || (e->seen >> (e->max - nc) & 1u)) {
        res = NC_REPLAY;
    } else {
        e->seen |= 1u << (e->max - nc);
    }
    if (e) {
        e->used = ++s_nc_clock;
    }
    pthread_mutex_unlock(&s_nc_lock);
    return res;
}

/* ---- Configuration, credentials ----------------------------------------------------- */

static bool config_valid(const httpd_auth_config_t *cfg)
{
    if (!cfg || (cfg->type & ~HTTPD_AUTH_ANY) || !(cfg->type & HTTPD_AUTH_ANY) || !cfg->realm) {
        return false;
    }
    size_t n = strlen(cfg->realm);
    if (n > HTTPD_AUTH_REALM_MAX) {
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)cfg->realm[i];
        if (c < 0x20 || c == 0x7f || c == '"' || c == '\\') {
            return false;
        }
    }
    if (cfg->get_credential) {
        return true;
    }
    if (!cfg->users || cfg->user_count == 0) {
        return false;
    }
    for (size_t i = 0; i < cfg->user_count; i++) {
        if (!cfg->users[i].user || !cfg->users[i].password) {
            return false;
        }
    }
    return true;
}

static void ha1_of(const char *user, const char *realm, const char *password, uint8_t out[HTTPD_ADDON_SHA256_LEN])
{
    const char *parts[] = { user, realm, password };
    sha256_parts(parts, 3, out);
}

/* The HA1 that user must match into ha1; false for an unknown user (ha1 is then a
 * dummy, computed as well so that the time spent does not tell users apart). */
static bool expected_ha1(const httpd_auth_config_t *cfg, const char *user, uint8_t ha1[HTTPD_ADDON_SHA256_LEN])
{
    char secret[HTTPD_AUTH_PASSWORD_MAX + 1] = "";
    bool found = false;
    if (cfg->get_credential) {
        httpd_auth_secret_t kind = HTTPD_AUTH_SECRET_PASSWORD;
        if (cfg->get_credential(user, cfg->credential_ctx, secret, sizeof secret, &kind) == ESP_OK) {
            secret[sizeof secret - 1] = '\0';
            found = true;
            if (kind == HTTPD_AUTH_SECRET_HA1) {
                if (!from_hex(secret, ha1, HTTPD_ADDON_SHA256_LEN)) {
                    ESP_LOGE(TAG, "credential callback: an HA1 is 64 hex digits");
                    found = false;
                }
                memset(secret, 0, sizeof secret);
                return found;
            }
        } else {
            secret[0] = '\0';
        }
    } else {
        const char *pw = "";
        for (size_t i = 0; i < cfg->user_count; i++) {   /* every entry, no early exit */
            bool eq = ct_str_eq(user, cfg->users[i].user);
            if (eq && !found) {
                pw = cfg->users[i].password;
            }
            found |= eq;
        }
        snprintf(secret, sizeof secret, "%s", pw);
    }
    ha1_of(user, cfg->realm, secret, ha1);
    memset(secret, 0, sizeof secret);
    return found;
}

/* ---- Answers ------------------------------------------------------------------------ */

static esp_err_t answered(esp_err_t send_result)
{
    return send_result == ESP_OK ? ESP_FAIL : send_result;
}

static esp_err_t send_400(httpd_req_t *req, const char *why)
{
    ESP_LOGD(TAG, "400 for %s: %s", req->uri, why);
    return answered(httpd_resp_send_err(req, HTTPD_400_BAD_REQUEST, NULL));
}

/* 401 with a challenge per scheme of cfg (the strings live until the send). */
static esp_err_t send_401(httpd_req_t *req, const httpd_auth_config_t *cfg, bool stale)
{
    char digest[16 + HTTPD_AUTH_REALM_MAX + 48 + NONCE_LEN + 12 + OPAQUE_LEN + 16];
    char basic[16 + HTTPD_AUTH_REALM_MAX + 20];
    if (cfg->type & HTTPD_AUTH_DIGEST) {
        char nonce[NONCE_LEN + 1], opaque[OPAQUE_LEN + 1];
        pthread_mutex_lock(&s_nc_lock);
        uint32_t salt = ++s_nonce_count;
        pthread_mutex_unlock(&s_nc_lock);
        make_nonce(cfg->realm, now_s(), salt, nonce);
        make_opaque(cfg->realm, opaque);
        snprintf(digest, sizeof digest,
                 "Digest realm=\"%s\", qop=\"auth\", algorithm=SHA-256, nonce=\"%s\", opaque=\"%s\"%s",
                 cfg->realm, nonce, opaque, stale ? ", stale=true" : "");
        if (httpd_resp_set_hdr(req, "WWW-Authenticate", digest) != ESP_OK) {
            ESP_LOGW(TAG, "no room for the Digest challenge (max_resp_headers)");
        }
    }
    if (cfg->type & HTTPD_AUTH_BASIC) {
        snprintf(basic, sizeof basic, "Basic realm=\"%s\", charset=\"UTF-8\"", cfg->realm);
        if (httpd_resp_set_hdr(req, "WWW-Authenticate", basic) != ESP_OK) {
            ESP_LOGW(TAG, "no room for the Basic challenge (max_resp_headers)");
        }
    }
    return answered(httpd_resp_send_err(req, HTTPD_401_UNAUTHORIZED, NULL));
}

/* ---- Schemes ------------------------------------------------------------------------ */

enum verdict { V_OK, V_401, V_STALE, V_400 };

static enum verdict check_basic(const httpd_auth_config_t *cfg, const char *cred, char *user_out)
{
    size_t len = strlen(cred);
    while (len && is_ows(cred[len - 1])) {
        len--;
    }
    uint8_t buf[HTTPD_AUTH_USER_MAX + 1 + HTTPD_AUTH_PASSWORD_MAX + 1];
    int n = httpd__addon_base64_decode(buf, sizeof buf - 1, cred, len);
    if (n == -2) {
        return V_401;   /* longer than any user and password we accept */
    }
    if (n < 0 || memchr(buf, '\0', (size_t)n)) {
        return V_400;
    }
    buf[n] = '\0';
    char *colon = memchr(buf, ':', (size_t)n);
    if (!colon) {
        return V_400;   /* RFC 7617 2: user-pass = user-id ":" password */
    }
    *colon = '\0';
    const char *user = (const char *)buf, *password = colon + 1;
    enum verdict v = V_401;
    if (strlen(user) <= HTTPD_AUTH_USER_MAX && strlen(password) <= HTTPD_AUTH_PASSWORD_MAX) {
        uint8_t want[HTTPD_ADDON_SHA256_LEN], got[HTTPD_ADDON_SHA256_LEN];
        bool found = expected_ha1(cfg, user, want);
        ha1_of(user, cfg->realm, password, got);
        if (httpd__addon_ct_equal(want, got, sizeof want) & found) {
            strcpy(user_out, user);
            v = V_OK;
        }
    }
    memset(buf, 0, sizeof buf);
    return v;
}

enum { P_USERNAME, P_REALM, P_NONCE, P_URI, P_RESPONSE, P_ALGORITHM, P_CNONCE, P_OPAQUE, P_QOP, P_NC,
       P_USERHASH, P_USERNAME_EXT, P_COUNT };

static enum verdict check_digest(httpd_req_t *req, const httpd_auth_config_t *cfg, char *params, char *user_out)
{
    static const char *const names[P_COUNT] = {
        "username", "realm", "nonce", "uri", "response", "algorithm", "cnonce", "opaque", "qop", "nc",
        "userhash", "username*",
    };
    const char *v[P_COUNT];
    uint8_t resp[HTTPD_ADDON_SHA256_LEN], nc[4];
    if (httpd__addon_auth_params(params, names, P_COUNT, v) != 0) {
        return V_400;
    }
    /* RFC 7616 3.4: these are required (qop=auth was offered: cnonce and nc too) */
    if (!v[P_USERNAME] || !v[P_REALM] || !v[P_NONCE] || !v[P_URI] || !v[P_RESPONSE] ||
        !v[P_CNONCE] || !v[P_NC] || !v[P_QOP] || v[P_USERNAME_EXT]) {
        return V_400;
    }
    if (!from_hex(v[P_NC], nc, sizeof nc) || !from_hex(v[P_RESPONSE], resp, sizeof resp)) {
        return V_400;
    }
    /* RFC 7616 3.4.6: the uri must be the request target, else 400 */
    if (strcmp(v[P_URI], req->uri) != 0) {
        return V_400;
    }
    /* not offered: another algorithm (MD5 when absent), qop, realm, userhash, opaque */
    if (!v[P_ALGORITHM] || !httpd__addon_token_eq(v[P_ALGORITHM], strlen(v[P_ALGORITHM]), "SHA-256") ||
        !httpd__addon_token_eq(v[P_QOP], strlen(v[P_QOP]), "auth") || strcmp(v[P_REALM], cfg->realm) != 0 ||
        (v[P_USERHASH] && !httpd__addon_token_eq(v[P_USERHASH], strlen(v[P_USERHASH]), "false")) ||
        strlen(v[P_USERNAME]) > HTTPD_AUTH_USER_MAX) {
        return V_401;
    }
    if (v[P_OPAQUE]) {
        char opaque[OPAQUE_LEN + 1];
        make_opaque(cfg->realm, opaque);
        if (!ct_str_eq(v[P_OPAQUE], opaque)) {
            return V_401;
        }
    }
    enum nonce_state ns = check_nonce(cfg->realm, v[P_NONCE],
                                      cfg->nonce_lifetime_s ? cfg->nonce_lifetime_s : DEFAULT_LIFETIME_S);
    if (ns == NONCE_BAD) {
        return V_401;
    }
    uint8_t ha1[HTTPD_ADDON_SHA256_LEN];
    char ha1_hex[65], want_hex[65];
    uint8_t want[HTTPD_ADDON_SHA256_LEN];
    bool found = expected_ha1(cfg, v[P_USERNAME], ha1);
    to_hex(ha1, sizeof ha1, ha1_hex);
    const char *method = http_method_str((enum http_method)req->method);
    httpd__addon_digest_response(ha1_hex, v[P_NONCE], v[P_NC], v[P_CNONCE], v[P_QOP], method, v[P_URI], want_hex);
    from_hex(want_hex, want, sizeof want);
    memset(ha1_hex, 0, sizeof ha1_hex);
    memset(ha1, 0, sizeof ha1);
    if (!(httpd__addon_ct_equal(want, resp, sizeof want) & found)) {
        return V_401;
    }
    if (ns == NONCE_STALE) {
        return V_STALE;   /* RFC 7616 3.3: right credentials, old nonce */
    }
    uint32_t ncv = (uint32_t)nc[0] << 24 | (uint32_t)nc[1] << 16 | (uint32_t)nc[2] << 8 | nc[3];
    enum nc_result ncr = ncv ? nc_check(v[P_NONCE], ncv) : NC_REPLAY;
    if (ncr != NC_OK) {
        return ncr == NC_UNKNOWN ? V_STALE : V_401;
    }
    strcpy(user_out, v[P_USERNAME]);
    return V_OK;
}

/* ---- API ---------------------------------------------------------------------------- */

esp_err_t httpd_auth_check(httpd_req_t *req, const httpd_auth_config_t *cfg, char *user_out, size_t user_size)
{
    if (!req || !config_valid(cfg) || (user_out && user_size == 0)) {
        return ESP_ERR_INVALID_ARG;
    }
    if ((cfg->type & HTTPD_AUTH_DIGEST) && !secret_ready()) {
        return answered(httpd_resp_send_err(req, HTTPD_500_INTERNAL_SERVER_ERROR, NULL));
    }
    size_t len = httpd_req_get_hdr_value_len(req, "Authorization");
    if (len == 0) {
        return send_401(req, cfg, false);
    }
    if (len > HTTPD_AUTH_HEADER_MAX) {
        return send_400(req, "Authorization too long");
    }
    char hdr[HTTPD_AUTH_HEADER_MAX + 1], user[HTTPD_AUTH_USER_MAX + 1] = "";
    if (httpd_req_get_hdr_value_str(req, "Authorization", hdr, sizeof hdr) != ESP_OK) {
        return send_400(req, "Authorization unreadable");
    }
    /* credentials = auth-scheme [ 1*SP ( token68 / #auth-param ) ] */
    char *sp = hdr;
    while (is_tchar(*sp)) {
        sp++;
    }
    size_t scheme_len = (size_t)(sp - hdr);
    if (scheme_len == 0 || (*sp != ' ' && *sp != '\0')) {
        return send_400(req, "Authorization syntax");
    }
    while (*sp == ' ') {
        sp++;
    }
    enum verdict v = V_401;
    if ((cfg->type & HTTPD_AUTH_BASIC) && httpd__addon_token_eq(hdr, scheme_len, "Basic")) {
        v = check_basic(cfg, sp, user);
    } else if ((cfg->type & HTTPD_AUTH_DIGEST) && httpd__addon_token_eq(hdr, scheme_len, "Digest")) {
        v = check_digest(req, cfg, sp, user);
    }
    memset(hdr, 0, sizeof hdr);
    switch (v) {
    case V_OK:
        break;
    case V_400:
        return send_400(req, "malformed credentials");
    case V_STALE:
        return send_401(req, cfg, true);
    default:
        return send_401(req, cfg, false);
    }
    if (user_out) {
        if (strlen(user) >= user_size) {
            ESP_LOGE(TAG, "user_out: %zu bytes are too few for the user name", user_size);
            return answered(httpd_resp_send_err(req, HTTPD_500_INTERNAL_SERVER_ERROR, NULL));
        }
        strcpy(user_out, user);
    }
    return ESP_OK;
}

static esp_err_t auth_layer(httpd_req_t *req, const void *cfg, const httpd__addon_wrap_t *w)
{
    esp_err_t err = httpd_auth_check(req, cfg, NULL, 0);
    if (err == ESP_OK) {
        return httpd__addon_wrap_next(req, w);
    }
    return err == ESP_FAIL ? ESP_OK : err;   /* answered: the connection may stay */
}

esp_err_t httpd_auth_protect(httpd_uri_t *uri, const httpd_auth_config_t *cfg)
{
    if (!uri || !uri->handler || !config_valid(cfg)) {
        return ESP_ERR_INVALID_ARG;
    }
    if ((cfg->type & HTTPD_AUTH_DIGEST) && !secret_ready()) {
        return ESP_FAIL;
    }
    return httpd__addon_wrap(uri, auth_layer, cfg);
}

esp_err_t httpd_auth_unprotect(httpd_uri_t *uri)
{
    return httpd__addon_unwrap(uri, auth_layer);
}

esp_err_t httpd_auth_digest_ha1(const char *user, const char *realm, const char *password, char *out, size_t out_size)
{
    if (!user || !realm || !password || !out || out_size < HTTPD_AUTH_HA1_SIZE) {
        return ESP_ERR_INVALID_ARG;
    }
    uint8_t h[HTTPD_ADDON_SHA256_LEN];
    ha1_of(user, realm, password, h);
    to_hex(h, sizeof h, out);
    return ESP_OK;
}
