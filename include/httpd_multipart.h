/* SPDX-License-Identifier: Apache-2.0 */
/*
 * httpd_multipart.h: a streaming multipart/form-data parser (RFC 7578, RFC 2046)
 * (add-on library esp_http_addons).
 *
 * The body is never buffered: each part's data goes to on_part_data() in pieces as it
 * arrives, so a part may be of any size. Only a part's header block is held, in the
 * parser (at most HTTPD_MULTIPART_HDR_MAX bytes). Two ways in:
 *   - httpd_multipart_recv(): inside a handler, reads the request body and parses it;
 *   - httpd_multipart_parser_init() / _feed() / _finish(): a parser fed by the caller.
 */
#ifndef HTTPD_MULTIPART_H
#define HTTPD_MULTIPART_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "esp_http_server.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Largest header block of one part (its header lines and the empty line ending them). */
#define HTTPD_MULTIPART_HDR_MAX       1024
/** Longest boundary (RFC 2046). */
#define HTTPD_MULTIPART_BOUNDARY_MAX  70

/** One part, as on_part_begin() sees it. The strings stay valid until on_part_end(). */
typedef struct {
    const char *name;          /*!< Content-Disposition name parameter; "" when absent */
    const char *filename;      /*!< filename parameter; NULL when absent ("" is possible) */
    const char *content_type;  /*!< Content-Type header value; NULL when absent (text/plain) */
    unsigned    index;         /*!< 0 for the first part */
} httpd_multipart_part_t;

/** Callbacks (each may be NULL). An error returned by one stops the parser: the parser
 *  returns that error from then on. */
typedef struct {
    esp_err_t (*on_part_begin)(void *ctx, const httpd_multipart_part_t *part);
    esp_err_t (*on_part_data)(void *ctx, const char *data, size_t len);   /*!< len > 0 */
    esp_err_t (*on_part_end)(void *ctx);
} httpd_multipart_callbacks_t;

/** Parser state. Treat as opaque; about 1.1 KiB (mostly the header block). */
typedef struct {
    const httpd_multipart_callbacks_t *cb;
    void       *ctx;
    esp_err_t   err;          /*!< sticky error (ESP_OK while fine) */
    bool        cb_failed;    /*!< err came from a callback */
    uint8_t     state;
    uint8_t     dlen;         /*!< length of delim */
    uint8_t     match;        /*!< bytes of delim matched so far */
    uint16_t    hdr_len;
    unsigned    parts;
    char        delim[4 + HTTPD_MULTIPART_BOUNDARY_MAX + 1];   /*!< "\r\n--" boundary */
    char        hdr[HTTPD_MULTIPART_HDR_MAX + 1];
} httpd_multipart_parser_t;

/** Prepares p for a body whose Content-Type header value is content_type (which must be
 *  multipart/form-data with a boundary parameter, quoted or not, 1..70 characters).
 *  cb must stay valid while the parser is used.
 *  @return ESP_OK; ESP_ERR_NOT_SUPPORTED (not multipart/form-data);
 *          ESP_ERR_INVALID_ARG (NULL argument, no or a bad boundary). */
esp_err_t httpd_multipart_parser_init(httpd_multipart_parser_t *p, const char *content_type,
                                      const httpd_multipart_callbacks_t *cb, void *ctx);

/** Parses data[0..len) (any split of the body gives the same callbacks).
 *  @return ESP_OK; ESP_FAIL (malformed body); ESP_ERR_INVALID_SIZE (a part's header
 *          block is larger than HTTPD_MULTIPART_HDR_MAX); a callback's error;
 *          ESP_ERR_INVALID_ARG (NULL). After an error every call returns it again. */
esp_err_t httpd_multipart_parser_feed(httpd_multipart_parser_t *p, const char *data, size_t len);

/** Ends the body. @return ESP_OK when the closing "--boundary--" was seen; ESP_FAIL when
 *  the body ended early; the parser's earlier error; ESP_ERR_INVALID_ARG (NULL). */
esp_err_t httpd_multipart_parser_finish(httpd_multipart_parser_t *p);

/** Whether the parser's error came from a callback (false when it has none). */
bool httpd_multipart_parser_cb_failed(const httpd_multipart_parser_t *p);

/** Reads the request body (Content-Length or chunked) with httpd_req_recv() in pieces of
 *  at most work_len bytes of work_buf and parses it. The parser lives on the caller's
 *  stack (about 1.1 KiB). Returns:
 *    ESP_OK                  the whole body was read and was well-formed; NOTHING has
 *                            been sent: the handler sends its response.
 *    a callback's error      returned as it is; nothing sent (the callback may have sent
 *                            a response itself); the rest of the body is not read.
 *  Otherwise a response has been sent, with "Connection: close", and the handler should
 *  return the error (which closes the connection):
 *    ESP_ERR_NOT_SUPPORTED   415 Unsupported Media Type (not multipart/form-data)
 *    ESP_FAIL                400 Bad Request (no or bad boundary, malformed body, body
 *                            ended before the closing boundary, no body, broken socket)
 *    ESP_ERR_INVALID_SIZE    400 Bad Request (part header block too large)
 *    ESP_ERR_TIMEOUT         408 Request Timeout (no body byte within recv_wait_timeout)
 *    ESP_ERR_INVALID_ARG     NULL / zero-size arguments: nothing sent. */
esp_err_t httpd_multipart_recv(httpd_req_t *req, const httpd_multipart_callbacks_t *cb, void *ctx,
                               char *work_buf, size_t work_len);

#ifdef __cplusplus
}
#endif

#endif /* HTTPD_MULTIPART_H */
