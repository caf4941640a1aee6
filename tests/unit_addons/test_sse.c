/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_sse: httpd_sse_format() (event framing: fields, multi-line data, CR/LF
 * handling, refused newlines in event and id, sizes) and the argument checks of
 * the httpd_sse_* API, without a server.
 */
#include <stdlib.h>

#include "../unit/check.h"
#include "httpd_sse.h"

/* Formats into a buffer of exactly the needed size; returns it (malloc'd) or NULL. */
static char *fmt(const char *event, const char *data, const char *id)
{
    size_t need = 0;
    if (httpd_sse_format(NULL, &need, event, data, id) != ESP_ERR_INVALID_SIZE) {
        return NULL;
    }
    char *buf = malloc(need);
    size_t len = need;
    if (!buf || httpd_sse_format(buf, &len, event, data, id) != ESP_OK || len != need - 1 || strlen(buf) != len) {
        free(buf);
        return NULL;
    }
    return buf;
}

static void check_fmt(const char *event, const char *data, const char *id, const char *want)
{
    char *got = fmt(event, data, id);
    CHECK_EQ_STR(got, want);
    free(got);
}

int main(void)
{
    /* Fields and their order; data NULL is one empty data line (the event still dispatches). */
    check_fmt(NULL, "hello", NULL, "data: hello\n\n");
    check_fmt("tick", "1", "1", "event: tick\nid: 1\ndata: 1\n\n");
    check_fmt("", "x", NULL, "data: x\n\n");
    check_fmt(NULL, NULL, NULL, "data: \n\n");
    check_fmt(NULL, "", "", "id: \ndata: \n\n");
    /* Multi-line data: LF, CRLF and a lone CR all end a line; empty lines are kept. */
    check_fmt(NULL, "a\nb", NULL, "data: a\ndata: b\n\n");
    check_fmt(NULL, "a\r\nb\rc", NULL, "data: a\ndata: b\ndata: c\n\n");
    check_fmt(NULL, "a\n\nb", NULL, "data: a\ndata: \ndata: b\n\n");
    check_fmt(NULL, "a\n", NULL, "data: a\ndata: \n\n");
    check_fmt(NULL, "\r\n", NULL, "data: \ndata: \n\n");
    check_fmt(NULL, "a\n\rb", NULL, "data: a\ndata: \ndata: b\n\n");
    /* A leading space or colon in data survives (the parser strips one space after "data:"). */
    check_fmt(NULL, " x", NULL, "data:  x\n\n");
    check_fmt(NULL, ": not a comment", NULL, "data: : not a comment\n\n");

    /* CR or LF in event or id would inject fields: refused. */
    size_t len = 64;
    char buf[64];
    CHECK_EQ_INT(httpd_sse_format(buf, &len, "a\nb", "d", NULL), ESP_ERR_INVALID_ARG);
    len = sizeof buf;
    CHECK_EQ_INT(httpd_sse_format(buf, &len, "a\rb", "d", NULL), ESP_ERR_INVALID_ARG);
    len = sizeof buf;
    CHECK_EQ_INT(httpd_sse_format(buf, &len, NULL, "d", "1\n2"), ESP_ERR_INVALID_ARG);
    len = sizeof buf;
    CHECK_EQ_INT(httpd_sse_format(buf, &len, NULL, "d", "1\r"), ESP_ERR_INVALID_ARG);
    CHECK_EQ_INT(httpd_sse_format(buf, NULL, NULL, "d", NULL), ESP_ERR_INVALID_ARG);
    len = 4;
    CHECK_EQ_INT(httpd_sse_format(NULL, &len, NULL, "d", NULL), ESP_ERR_INVALID_ARG);

    /* Sizes: "data: d\n\n" is 9 bytes and needs 10 with the NUL. */
    len = 9;
    CHECK_EQ_INT(httpd_sse_format(buf, &len, NULL, "d", NULL), ESP_ERR_INVALID_SIZE);
    CHECK_EQ_INT(len, 10);
    len = 10;
    CHECK_EQ_INT(httpd_sse_format(buf, &len, NULL, "d", NULL), ESP_OK);
    CHECK_EQ_INT(len, 9);
    CHECK_EQ_STR(buf, "data: d\n\n");
    len = 0;
    CHECK_EQ_INT(httpd_sse_format(NULL, &len, "e", "a\nb", "7"), ESP_ERR_INVALID_SIZE);
    CHECK_EQ_INT(len, strlen("event: e\nid: 7\ndata: a\ndata: b\n\n") + 1);
    /* A long data value (larger than any internal stack buffer). */
    char big[1000];
    memset(big, 'q', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    char *got = fmt(NULL, big, NULL);
    CHECK(got && strlen(got) == 6 + 999 + 2 && strncmp(got, "data: qqq", 9) == 0);
    free(got);

    /* The API refuses NULL routes and servers. */
    httpd_sse_route_t *rt = NULL;
    CHECK_EQ_INT(httpd_sse_register(NULL, "/e", NULL, &rt), ESP_ERR_INVALID_ARG);
    CHECK_EQ_INT(httpd_sse_send(NULL, 3, NULL, "x", NULL), ESP_ERR_INVALID_ARG);
    size_t q = 99;
    CHECK_EQ_INT(httpd_sse_broadcast(NULL, NULL, "x", NULL, &q), ESP_ERR_INVALID_ARG);
    CHECK_EQ_INT(q, 0);
    CHECK_EQ_INT(httpd_sse_comment(NULL, -1, "x"), ESP_ERR_INVALID_ARG);
    CHECK_EQ_INT(httpd_sse_close(NULL, 3), ESP_ERR_INVALID_ARG);
    CHECK_EQ_INT(httpd_sse_delete(NULL), ESP_ERR_INVALID_ARG);
    CHECK_EQ_INT(httpd_sse_subscriber_count(NULL), 0);
    return check_summary();
}
