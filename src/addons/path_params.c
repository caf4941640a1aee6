/* SPDX-License-Identifier: Apache-2.0 */
/*
 * path_params.c: URI templates with "{name}" parameters and a final "*"
 * (see include/httpd_path.h). Stateless: the getter matches again.
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "esp_http_server.h"
#include "esp_log.h"
#include "httpd_path.h"
#include "addon_util.h"

static const char *TAG = "httpd_path";

/* Matches tmpl against u[0..ulen). When want is not NULL and tmpl has the parameter
 * want ("*": the final wildcard), its segment goes to *seg / *seg_len. */
static bool walk(const char *tmpl, const char *u, size_t ulen, const char *want, const char **seg, size_t *seg_len)
{
    size_t ui = 0;
    const char *t = tmpl;
    while (*t != '\0') {
        if (*t == '{') {
            const char *close = strchr(t, '}');
            if (!close || close == t + 1) {
                return false;
            }
            size_t s0 = ui;
            while (ui < ulen && u[ui] != '/') {
                ui++;
            }
            if (ui == s0) {
                return false;   /* an empty segment */
            }
            if (want && strlen(want) == (size_t)(close - t - 1) && memcmp(want, t + 1, (size_t)(close - t - 1)) == 0) {
                *seg = u + s0;
                *seg_len = ui - s0;
            }
            t = close + 1;
        } else if (*t == '*' && t[1] == '\0') {
            if (want && strcmp(want, "*") == 0) {
                *seg = u + ui;
                *seg_len = ulen - ui;
            }
            return true;
        } else {
            if (ui >= ulen || u[ui] != *t) {
                return false;
            }
            ui++;
            t++;
        }
    }
    return ui == ulen;
}

bool httpd_uri_match_path(const char *tmpl, const char *uri, size_t len)
{
    if (!tmpl || !uri) {
        return false;
    }
    if (!strchr(tmpl, '{')) {
        return httpd_uri_match_wildcard(tmpl, uri, len);
    }
    return walk(tmpl, uri, strnlen(uri, len), NULL, NULL, NULL);
}

static bool is_hex(char c)
{
    return (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'f');
}

esp_err_t httpd_path_param(httpd_req_t *req, const char *tmpl, const char *name, char *val, size_t val_size)
{
    if (!req || !tmpl || !name || !val || val_size == 0) {
        return ESP_ERR_INVALID_ARG;
    }
    val[0] = '\0';
    /* the path of the target: origin-form, or after "scheme://authority" */
    const char *u = req->uri;
    if (*u != '/') {
        const char *x = strstr(u, "://");
        u = x ? x + 3 + strcspn(x + 3, "/?#") : u;
        if (*u != '/') {
            u = "/";
        }
    }
    const char *seg = NULL;
    size_t seg_len = 0;
    if (!walk(tmpl, u, strcspn(u, "?#"), name, &seg, &seg_len) || !seg) {
        return ESP_ERR_NOT_FOUND;
    }
    size_t n = 0;   /* decoded length, checking every escape */
    for (size_t i = 0; i < seg_len; i++, n++) {
        if (seg[i] == '%') {
            if (seg_len - i < 3 || !is_hex(seg[i + 1]) || !is_hex(seg[i + 2]) ||
                (seg[i + 1] == '0' && seg[i + 2] == '0')) {
                ESP_LOGD(TAG, "bad escape in parameter %s", name);
                return ESP_ERR_INVALID_ARG;
            }
            i += 2;
        }
    }
    if (n >= val_size) {
        return ESP_ERR_HTTPD_RESULT_TRUNC;
    }
    return httpd__addon_url_decode(val, val_size, seg, seg_len, false) < 0 ? ESP_ERR_INVALID_ARG : ESP_OK;
}

esp_err_t httpd_path_param_int(httpd_req_t *req, const char *tmpl, const char *name, int32_t *out)
{
    if (!out) {
        return ESP_ERR_INVALID_ARG;
    }
    char buf[16];
    esp_err_t err = httpd_path_param(req, tmpl, name, buf, sizeof buf);
    if (err != ESP_OK) {
        return err == ESP_ERR_HTTPD_RESULT_TRUNC ? ESP_ERR_INVALID_ARG : err;
    }
    return httpd__addon_parse_i32(buf, out);
}
