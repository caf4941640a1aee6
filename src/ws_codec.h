/* SPDX-License-Identifier: Apache-2.0 */
/*
 * WebSocket (RFC 6455) building blocks as pure functions over bytes: the
 * handshake's accept key (SHA-1 + base64, our own implementation with test
 * vectors), frame headers in both directions, unmasking, and an incremental
 * UTF-8 validator. No sockets, no allocation.
 */
#ifndef HTTPD_WS_CODEC_H
#define HTTPD_WS_CODEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- Hashing and encoding ------------------------------------------------------ */

/** SHA-1 of a[0..alen) followed by b[0..blen) into out[20]. */
void httpd__ws_sha1_pair(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen, uint8_t out[20]);

/** SHA-1 of data[0..len) into out[20]. */
static inline void httpd__ws_sha1(const void *data, size_t len, uint8_t out[20])
{
    httpd__ws_sha1_pair((const uint8_t *)data, len, NULL, 0, out);
}

/** Base64 (RFC 4648, with padding) of in[0..len) into out; returns the number
 *  of characters written (4 * ceil(len / 3)); out is NUL-terminated, so it
 *  needs that many bytes plus one. */
size_t httpd__ws_base64_encode(const uint8_t *in, size_t len, char *out);

/** Decodes base64 (with padding, no whitespace) into out (capacity out_cap).
 *  Returns the decoded length, or -1 on invalid input or overflow. */
long httpd__ws_base64_decode(const char *in, size_t len, uint8_t *out, size_t out_cap);

/** Sec-WebSocket-Accept for a Sec-WebSocket-Key value (key[0..key_len)):
 *  base64(SHA-1(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11")), 28 characters
 *  + NUL into out[29]. */
void httpd__ws_accept_key(const char *key, size_t key_len, char out[29]);

/* ---- Frames -------------------------------------------------------------------- */

#define WS_OP_CONTINUE 0x0
#define WS_OP_TEXT     0x1
#define WS_OP_BINARY   0x2
#define WS_OP_CLOSE    0x8
#define WS_OP_PING     0x9
#define WS_OP_PONG     0xA

/* Close status codes used by the server. */
#define WS_CLOSE_NORMAL        1000
#define WS_CLOSE_GOING_AWAY    1001
#define WS_CLOSE_PROTOCOL      1002
#define WS_CLOSE_UNSUPPORTED   1003
#define WS_CLOSE_NO_STATUS     1005   /* never sent on the wire */
#define WS_CLOSE_INVALID_DATA  1007
#define WS_CLOSE_POLICY        1008
#define WS_CLOSE_TOO_BIG       1009
#define WS_CLOSE_INTERNAL      1011

typedef struct {
    bool     fin;
    uint8_t  rsv;          /* the three RSV bits, as 0..7 */
    uint8_t  opcode;
    bool     masked;
    uint8_t  mask[4];
    uint64_t payload_len;
    size_t   header_len;   /* 2..14 bytes */
} ws_frame_hdr_t;

typedef enum {
    WS_PARSE_AGAIN = 0,     /* need more bytes */
    WS_PARSE_OK = 1,        /* header complete: fields valid, header_len bytes */
    WS_PARSE_ERROR = -1,    /* protocol error: *close_code says which close status to send */
} ws_parse_result_t;

/** Parses a client frame header from buf[0..len). Returns WS_PARSE_OK,
 *  WS_PARSE_AGAIN, or WS_PARSE_ERROR with *close_code set:
 *    1002 for RSV bits set (no extension is negotiated), an unknown opcode
 *         (3-7, 0xB-0xF), a control frame (opcode >= 8) without FIN or with a
 *         payload over 125 bytes, an unmasked frame, a 64-bit length with the
 *         most significant bit set, or a non-minimal length encoding;
 *    1009 for a payload_len above max_payload.
 *  The checks are made as soon as the bytes that decide them are present. */
int httpd__ws_parse_frame_header(const uint8_t *buf, size_t len, uint64_t max_payload,
                          ws_frame_hdr_t *out, uint16_t *close_code);

/** Writes an unmasked server frame header for (fin, opcode, payload_len) into
 *  out (at least 10 bytes), with the minimal length encoding; returns its length. */
size_t httpd__ws_build_frame_header(uint8_t *out, bool fin, uint8_t opcode, uint64_t payload_len);

/** XORs data[0..len) in place with mask, starting at payload offset `offset`
 *  (so a payload can be unmasked in pieces; only its two low bits matter, so
 *  a size_t takes the offset of any payload). */
void httpd__ws_unmask(uint8_t *data, size_t len, const uint8_t mask[4], size_t offset);

/* ---- UTF-8 --------------------------------------------------------------------- */

/** Incremental UTF-8 validator (RFC 3629: no overlongs, no surrogates, max
 *  U+10FFFF). Zero-initialise, feed pieces, then ask whether it ended on a
 *  character boundary. */
typedef struct {
    uint32_t state;   /* 0 = at a boundary; otherwise private */
} ws_utf8_t;

/** Feeds bytes; false as soon as they cannot be valid UTF-8 (the state is then
 *  undefined). A sequence split across calls is fine. */
bool httpd__ws_utf8_feed(ws_utf8_t *v, const uint8_t *data, size_t len);

/** True when the bytes fed so far end on a complete character. */
static inline bool httpd__ws_utf8_complete(const ws_utf8_t *v)
{
    return v->state == 0;
}

#endif /* HTTPD_WS_CODEC_H */
