/* SPDX-License-Identifier: Apache-2.0 */
/*
 * httpd_uri_match_wildcard(): the wildcard URI matcher offered for
 * httpd_config_t.uri_match_fn.
 *
 * The template is a literal string that may end in one of four suffixes:
 *
 *   "*"          the literal part is a prefix; anything (or nothing) may follow
 *   "?"          the character just before "?" is optional; nothing may follow
 *   "?*" / "*?"  the character just before the pair is optional; when it is
 *                present, anything may follow it
 *
 * "?" and "*" anywhere else are ordinary characters. A "?" without a
 * preceding character (templates "?", "?*", "*?") matches nothing.
 */
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "esp_http_server.h"

bool httpd_uri_match_wildcard(const char *uri_template, const char *uri_to_match, size_t match_upto)
{
    if (uri_template == NULL || uri_to_match == NULL) {
        return false;
    }

    /* Only the first match_upto bytes take part; the buffer need not be
     * NUL-terminated there, but a NUL before match_upto ends the URI. */
    const size_t uri_len = strnlen(uri_to_match, match_upto);
    size_t len = strlen(uri_template);

    /* The suffix: "?", "*", "?*" or "*?". */
    bool any_tail = len > 0 && uri_template[len - 1] == '*';   /* anything may follow */
    len -= any_tail;
    bool optional = len > 0 && uri_template[len - 1] == '?';   /* one optional character */
    len -= optional;
    if (optional && !any_tail) {
        any_tail = len > 0 && uri_template[len - 1] == '*';    /* "*?" */
        len -= any_tail;
    }
    if (optional) {
        if (len == 0) {
            return false;   /* a "?" needs a character before it to make optional */
        }
        len--;              /* uri_template[len] is the optional character */
    }
    if (uri_len < len) {
        return false;
    }
    /* The mandatory literal part, and the optional character when the URI
     * goes on after that part: it must be that character. */
    const size_t m = len + (optional && uri_len > len);
    if (memcmp(uri_template, uri_to_match, m) != 0) {
        return false;
    }
    /* Nothing may follow unless the template ends in "*". */
    return any_tail || uri_len == m;
}
