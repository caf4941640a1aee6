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

static const char *TAG = "httpd_query";

/* ---- httpd_query_key_value ------------------------------------------------------ */

esp_err_t httpd_query_key_value(const char *qry, const char *key, char *val, size_t val_size)
{
    if (qry == NULL || key == NULL || val == NULL || val_size == 0) {
        return ESP_ERR_INVALID_ARG;
    }

    const size_t key_len = strlen(key);
    const char *pair = qry;

    while (*pair != '\0') {
        /* One pair runs up to the next '&' or the end of the string. */
        const char *pair_end = strchr(pair, '&');
        if (pair_end == NULL) {
            pair_end = pair + strlen(pair);
        }
        const char *eq = memchr(pair, '=', (size_t)(pair_end - pair));
        if (eq == NULL) {
            /* A parameter without '=' ends the search, as upstream. */
            break;
        }

        const size_t name_len = (size_t)(eq - pair);
        if (name_len == key_len && strncasecmp(pair, key, key_len) == 0) {
            const char *value = eq + 1;
            const size_t value_len = (size_t)(pair_end - value);
            if (value_len + 1 > val_size) {
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
        pair = pair_end + 1;
    }
    return ESP_ERR_NOT_FOUND;
}

/* ---- httpd_url_decode ----------------------------------------------------------- */


esp_err_t httpd_url_decode(char *dest, size_t dest_size, const char *src, size_t src_len, bool plus_is_space)
{
    if (dest == NULL || src == NULL || dest_size == 0) {
        return ESP_ERR_INVALID_ARG;
    }

    size_t out = 0;
    esp_err_t err = ESP_OK;
    for (size_t i = 0; i < src_len; i++) {
        char c = src[i];
        int hi, lo;
        if (c == '%' && src_len - i >= 3 && (hi = httpd__hex_value((unsigned char)src[i + 1])) >= 0 &&
            (lo = httpd__hex_value((unsigned char)src[i + 2])) >= 0) {
            c = (char)(unsigned char)((hi << 4) | lo);
            i += 2;
        } else if (c == '+' && plus_is_space) {
            c = ' ';
        }
        /* else: an ordinary byte, or an invalid escape whose '%' is copied as it is */

        if (out + 1 >= dest_size) {
            err = ESP_ERR_HTTPD_RESULT_TRUNC;   /* no room for this byte and the terminating NUL */
            break;
        }
        dest[out++] = c;
    }
    dest[out] = '\0';
    return err;
}

/* ---- httpd__cookie_find ---------------------------------------------------------- */

static bool is_ows(char c)
{
    return c == ' ' || c == '\t';
}

/* Narrows [*b, *e) by dropping optional whitespace at both ends. */
static void trim_ows(const char **b, const char **e)
{
    while (*b < *e && is_ows(**b)) {
        (*b)++;
    }
    while (*e > *b && is_ows(*(*e - 1))) {
        (*e)--;
    }
}

bool httpd__cookie_find(const char *hdr, size_t hdr_len, const char *name,
                       const char **val, size_t *val_len)
{
    if (hdr == NULL || name == NULL || name[0] == '\0') {
        return false;
    }

    const size_t name_len = strlen(name);
    const char *p = hdr;
    const char *const end = hdr + hdr_len;

    while (p < end) {
        const char *pair_end = memchr(p, ';', (size_t)(end - p));
        if (pair_end == NULL) {
            pair_end = end;
        }

        const char *eq = memchr(p, '=', (size_t)(pair_end - p));
        if (eq != NULL) {
            const char *nb = p;
            const char *ne = eq;
            trim_ows(&nb, &ne);
            if ((size_t)(ne - nb) == name_len && memcmp(nb, name, name_len) == 0) {
                const char *vb = eq + 1;
                const char *ve = pair_end;
                trim_ows(&vb, &ve);
                /* cookie-value = *cookie-octet / ( DQUOTE *cookie-octet DQUOTE ) */
                if (ve - vb >= 2 && vb[0] == '"' && ve[-1] == '"') {
                    vb++;
                    ve--;
                }
                if (val != NULL) {
                    *val = vb;
                }
                if (val_len != NULL) {
                    *val_len = (size_t)(ve - vb);
                }
                return true;
            }
        }
        /* A pair without '=' or of another name: go on with the next one. */
        p = (pair_end < end) ? pair_end + 1 : end;
    }
    return false;
}
