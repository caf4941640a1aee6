/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Query strings and cookies: httpd_query_key_value(), httpd_url_decode()
 * and the internal cookie finder httpd__cookie_find() (query.h).
 *
 * All functions work on caller-owned bytes: no allocation, no globals.
 */
#include <stdbool.h>
#include <stddef.h>
#include <string.h>
#include <strings.h>

#include "esp_http_server.h"
#include "esp_log.h"
#include "query.h"
#include "parse.h"

#define TAG "httpd_query"   /* (a macro: one translation unit may hold every file) */

/* ---- httpd_query_key_value ------------------------------------------------------ */

esp_err_t httpd_query_key_value(const char *qry, const char *key, char *val, size_t val_size)
{
    if (qry == NULL || key == NULL || val == NULL || val_size == 0) {
        return ESP_ERR_INVALID_ARG;
    }

    for (const char *pair = qry, *pair_end;; pair = pair_end + 1) {
        /* One pair runs up to the next '&' or the end of the string. */
        pair_end = pair + strcspn(pair, "&");
        const char *eq = memchr(pair, '=', (size_t)(pair_end - pair));
        if (eq == NULL) {
            /* A parameter without '=' (or nothing left) ends the search, as upstream. */
            break;
        }

        /* pair[0..eq) holds no NUL: equal, it leaves key[eq - pair] in the key */
        if (strncasecmp(pair, key, (size_t)(eq - pair)) == 0 && key[eq - pair] == '\0') {
            const char *value = eq + 1;
            const size_t value_len = (size_t)(pair_end - value);
            if (value_len >= val_size) {
                ESP_LOGD(TAG, "value of \"%s\" needs %zu bytes, buffer has %zu",
                         key, value_len + 1, val_size);
                return ESP_ERR_HTTPD_RESULT_TRUNC;
            }
            memcpy(val, value, value_len);
            val[value_len] = '\0';
            return ESP_OK;
        }

        if (*pair_end == '\0') {
            break;
        }
    }
    return ESP_ERR_NOT_FOUND;
}

/* ---- httpd_url_decode ----------------------------------------------------------- */


esp_err_t httpd_url_decode(char *dest, size_t dest_size, const char *src, size_t src_len, bool plus_is_space)
{
    if (dest == NULL || src == NULL || dest_size == 0) {
        return ESP_ERR_INVALID_ARG;
    }

    char *d = dest;
    char *const last = dest + dest_size - 1;   /* room for the terminating NUL only */
    esp_err_t err = ESP_OK;
    for (const char *s = src, *const end = src + src_len; s < end; s++) {
        char c = *s;
        if (c == '%' && end - s >= 3) {
            /* negative (-16 | lo, or -1) unless both are hex digits */
            int v = httpd__hex_value((unsigned char)s[1]) * 16 | httpd__hex_value((unsigned char)s[2]);
            if (v >= 0) {
                c = (char)(unsigned char)v;
                s += 2;
            }
        } else if (c == '+' && plus_is_space) {
            c = ' ';
        }
        /* else: an ordinary byte, or an invalid escape whose '%' is copied as it is */

        if (d == last) {
            err = ESP_ERR_HTTPD_RESULT_TRUNC;   /* no room for this byte and the terminating NUL */
            break;
        }
        *d++ = c;
    }
    *d = '\0';
    return err;
}

/* ---- httpd__cookie_find ---------------------------------------------------------- */

bool httpd__cookie_find(const char *hdr, size_t hdr_len, const char *name,
                       const char **val, size_t *val_len)
{
    if (hdr == NULL || name == NULL || name[0] == '\0') {
        return false;
    }

    const size_t name_len = strlen(name);

    /* The pairs are the ';'-separated list, each without the OWS around it
     * (parse.c's list splitter); in a pair, the name is what precedes the
     * first '=' and the value what follows it, each trimmed of OWS too. */
    for (size_t i = 0; i < hdr_len;) {
        size_t pair_len, n_len, v_len, k = 0;
        const char *pair = hdr + httpd__list_next(hdr, hdr_len, &i, &pair_len, ';');
        const char *nb = pair + httpd__list_next(pair, pair_len, &k, &n_len, '=');
        if (k > pair_len) {
            continue;   /* no '=': go on with the next pair */
        }
        /* the rest of the pair holds no ';': the value runs to its end */
        const char *vb = pair + httpd__list_next(pair, pair_len, &k, &v_len, ';');
        if (n_len == name_len && memcmp(nb, name, name_len) == 0) {
            /* cookie-value = *cookie-octet / ( DQUOTE *cookie-octet DQUOTE ) */
            if (v_len >= 2 && vb[0] == '"' && vb[v_len - 1] == '"') {
                vb++;
                v_len -= 2;
            }
            if (val != NULL) {
                *val = vb;
            }
            if (val_len != NULL) {
                *val_len = v_len;
            }
            return true;
        }
        /* of another name: go on with the next pair */
    }
    return false;
}
