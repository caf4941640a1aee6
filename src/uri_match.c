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
    const size_t tpl_len = strlen(uri_template);

    const char last = tpl_len >= 1 ? uri_template[tpl_len - 1] : '\0';
    const char before_last = tpl_len >= 2 ? uri_template[tpl_len - 2] : '\0';

    bool any_tail = false;      /* a trailing "*": anything may follow */
    bool optional = false;      /* a trailing "?": one optional character */
    size_t suffix_len = 0;      /* bytes of "?", "*", "?*" or "*?" at the end */

    if ((last == '*' && before_last == '?') || (last == '?' && before_last == '*')) {
        any_tail = true;
        optional = true;
        suffix_len = 2;
    } else if (last == '*') {
        any_tail = true;
        suffix_len = 1;
    } else if (last == '?') {
        optional = true;
        suffix_len = 1;
    }

    if (!optional) {
        /* Literal template, or literal prefix followed by "*". */
        const size_t lit_len = tpl_len - suffix_len;
        if (uri_len < lit_len) {
            return false;
        }
        if (!any_tail && uri_len != lit_len) {
            return false;
        }
        return memcmp(uri_template, uri_to_match, lit_len) == 0;
    }

    /* A "?" needs a character before it to make optional. */
    if (tpl_len < suffix_len + 1) {
        return false;
    }
    const size_t req_len = tpl_len - suffix_len - 1;   /* mandatory literal part */
    const char opt_char = uri_template[req_len];       /* the optional character */

    if (uri_len < req_len || memcmp(uri_template, uri_to_match, req_len) != 0) {
        return false;
    }
    if (uri_len == req_len) {
        return true;                    /* optional character absent, nothing follows */
    }
    if (uri_to_match[req_len] != opt_char) {
        return false;                   /* something other than the optional character */
    }
    /* Optional character present: only "*" lets more follow it. */
    return any_tail || uri_len == req_len + 1;
}
