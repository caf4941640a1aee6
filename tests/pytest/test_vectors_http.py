# SPDX-License-Identifier: Apache-2.0
"""Malformed-request and request-smuggling vectors against test_server (RFC 9110, RFC 9112).

One table, VECTORS, one row per vector:

    (id, request, status, after[, body[, headers[, eof]]])

  id       the pytest id
  request  the exact bytes sent on a fresh connection, in one write
  status   the expected status code; a tuple: any of them (where the RFCs allow several);
           NO_RESPONSE: the server must send nothing
  after    KEEP: the connection stays open and in sync: a following valid GET /hello on the
           same socket gets exactly "200 Hello World!" as the next response;
           CLOSED: EOF follows the response (no further byte: a request smuggled behind the
           bad one, SMUGGLE below, must not be answered); an error response the server
           generates before closing must say "Connection: close" (RFC 9112 9.6)
  body     (optional) the exact body of the response
  headers  (optional) {name: value}: headers the response must carry (value None: any value)
  eof      (optional) True: the client half-closes (SHUT_WR) after sending

Handlers used (tests/server/test_server.c): GET /hello ("Hello World!"), POST /body_echo
(reads until httpd_req_recv() returns 0, with Content-Length or chunked, echoes the body;
on a receive error it answers 400 "recv <code>" itself), /any (HTTP_ANY, body = method).

Rows the server does not follow yet carry the RFC expectation anyway and are listed in
XFAIL (id -> what the server does instead); they run as strict xfails, so a fixed row
XPASSes and fails the run until its entry is removed.
"""
import pytest

from conftest import ERRORS, response_bytes
from vectors_util import CLOSED, IO, KEEP, NO_RESPONSE, params, read_all, safe_send, unknown_ids

H = b"Host: 127.0.0.1\r\n"
SMUGGLE = b"GET /hello HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"     # must never be answered after an error
HELLO = b"Hello World!"
POST_CL = b"POST /body_echo HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: "
POST_TE = b"POST /body_echo HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n"
GET_HELLO = b"GET /hello HTTP/1.1\r\n"

VECTORS = [
    # ---- Content-Length and Transfer-Encoding together (RFC 9112 6.1, 6.3) --------------
    ("cl_and_te", POST_CL + b"5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n" + SMUGGLE, 400, CLOSED),
    ("te_and_cl", b"POST /body_echo HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n"
                  b"Content-Length: 5\r\n\r\n0\r\n\r\n" + SMUGGLE, 400, CLOSED),
    ("cl_te_classic_smuggle", POST_CL + b"4\r\nTransfer-Encoding: chunked\r\n\r\n"
                              b"5c\r\nGPOST / HTTP/1.1\r\n\r\n0\r\n\r\n" + SMUGGLE, 400, CLOSED),
    ("cl_and_te_identity", POST_CL + b"5\r\nTransfer-Encoding: identity\r\n\r\nhello" + SMUGGLE, (400, 501), CLOSED),
    # ---- Content-Length values (RFC 9110 8.6, RFC 9112 6.3) ------------------------------
    ("cl_two_differing", POST_CL + b"5\r\nContent-Length: 6\r\n\r\nhello!" + SMUGGLE, 400, CLOSED),
    ("cl_two_identical", POST_CL + b"5\r\nContent-Length: 5\r\n\r\nhello", 200, KEEP, b"hello"),
    ("cl_list_identical", POST_CL + b"5, 5\r\n\r\nhello", 200, KEEP, b"hello"),
    ("cl_list_differing", POST_CL + b"5, 6\r\n\r\nhello!" + SMUGGLE, 400, CLOSED),
    ("cl_signed_plus", POST_CL + b"+5\r\n\r\nhello" + SMUGGLE, 400, CLOSED),
    ("cl_signed_minus", POST_CL + b"-5\r\n\r\nhello" + SMUGGLE, 400, CLOSED),
    ("cl_hex", POST_CL + b"0x10\r\n\r\n0123456789abcdef" + SMUGGLE, 400, CLOSED),
    ("cl_space_inside", POST_CL + b"1 0\r\n\r\n0123456789" + SMUGGLE, 400, CLOSED),
    ("cl_empty", POST_CL + b"\r\n\r\n" + SMUGGLE, 400, CLOSED),
    ("cl_comma_only", POST_CL + b",\r\n\r\n" + SMUGGLE, 400, CLOSED),
    ("cl_nul_after_digits", POST_CL + b"5\x00\r\n\r\nhello" + SMUGGLE, 400, CLOSED),
    ("cl_overflow_20_digits", POST_CL + b"99999999999999999999\r\n\r\nhello" + SMUGGLE, (400, 413), CLOSED),
    ("cl_overflow_wraps_to_5", POST_CL + b"18446744073709551621\r\n\r\nhello" + SMUGGLE, (400, 413), CLOSED),
    ("cl_space_before_colon", b"POST /body_echo HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length : 5\r\n\r\nhello"
                              + SMUGGLE, 400, CLOSED),
    ("cl_leading_zeros", POST_CL + b"00000000000000000000005\r\n\r\nhello", 200, KEEP, b"hello"),
    ("cl_body_on_get_drained", GET_HELLO + H + b"Content-Length: 5\r\n\r\nhello", 200, KEEP, HELLO),
    # ---- Transfer-Encoding lists (RFC 9112 6.1, 6.3, 7) -----------------------------------
    ("te_gzip_chunked", b"POST /body_echo HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: gzip, chunked\r\n\r\n"
                        b"0\r\n\r\n" + SMUGGLE, 501, CLOSED),
    ("te_chunked_gzip", b"POST /body_echo HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked, gzip\r\n\r\n"
                        b"0\r\n\r\n" + SMUGGLE, 400, CLOSED),
    ("te_chunked_chunked", b"POST /body_echo HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked, chunked\r\n"
                           b"\r\n0\r\n\r\n" + SMUGGLE, (400, 501), CLOSED),
    ("te_two_chunked_lines", b"POST /body_echo HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n"
                             b"Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n" + SMUGGLE, (400, 501), CLOSED),
    ("te_identity", b"POST /body_echo HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: identity\r\n\r\n"
                    + SMUGGLE, 501, CLOSED),
    ("te_xchunked", b"POST /body_echo HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: xchunked\r\n\r\n"
                    b"0\r\n\r\n" + SMUGGLE, 501, CLOSED),
    ("te_chunked_odd_case", b"POST /body_echo HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: cHuNkEd\r\n\r\n"
                            b"5\r\nhello\r\n0\r\n\r\n", 200, KEEP, b"hello"),
    ("te_chunked_ows", b"POST /body_echo HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: \t chunked \t\r\n\r\n"
                       b"5\r\nhello\r\n0\r\n\r\n", 200, KEEP, b"hello"),
    ("te_chunked_empty_list_member", b"POST /body_echo HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: , chunked\r\n"
                                     b"\r\n5\r\nhello\r\n0\r\n\r\n", 200, KEEP, b"hello"),
    ("te_chunked_vtab", b"POST /body_echo HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: \x0bchunked\r\n\r\n"
                        b"0\r\n\r\n" + SMUGGLE, 400, CLOSED),
    ("te_space_before_colon", b"POST /body_echo HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding : chunked\r\n\r\n"
                              b"0\r\n\r\n" + SMUGGLE, 400, CLOSED),
    ("te_in_http10", b"POST /body_echo HTTP/1.0\r\nConnection: keep-alive\r\nTransfer-Encoding: chunked\r\n\r\n"
                     b"5\r\nhello\r\n0\r\n\r\n" + SMUGGLE, (200, 400), CLOSED),
    # ---- chunk sizes (RFC 9112 7.1) ----------------------------------------------------
    ("chunk_size_17_hex_digits", POST_TE + b"10000000000000005\r\nhello\r\n0\r\n\r\n" + SMUGGLE, 400, CLOSED),
    ("chunk_size_leading_zeros", POST_TE + b"000000000000000000005\r\nhello\r\n0\r\n\r\n", 200, KEEP, b"hello"),
    ("chunk_size_junk_zz", POST_TE + b"zz\r\nhello\r\n0\r\n\r\n" + SMUGGLE, 400, CLOSED),
    ("chunk_size_negative", POST_TE + b"-5\r\nhello\r\n0\r\n\r\n" + SMUGGLE, 400, CLOSED),
    ("chunk_size_0x_prefix", POST_TE + b"0x5\r\nhello\r\n0\r\n\r\n" + SMUGGLE, 400, CLOSED),
    ("chunk_size_leading_space", POST_TE + b" 5\r\nhello\r\n0\r\n\r\n" + SMUGGLE, 400, CLOSED),
    ("chunk_size_empty", POST_TE + b"\r\nhello\r\n0\r\n\r\n" + SMUGGLE, 400, CLOSED),
    ("chunk_size_bare_cr", POST_TE + b"5\rhello\r\n0\r\n\r\n" + SMUGGLE, 400, CLOSED),
    ("chunk_lf_only_lines", POST_TE + b"5\nhello\n0\n\n", 200, KEEP, b"hello"),
    # ---- chunk extensions and trailers (RFC 9112 7.1.1, 7.1.2) ---------------------------
    ("chunk_ext_valid", POST_TE + b"5;name=value\r\nhello\r\n0;last\r\n\r\n", 200, KEEP, b"hello"),
    ("chunk_ext_quoted_bws", POST_TE + b"5 ;a=\"b;c\" ; d\r\nhello\r\n0\r\n\r\n", 200, KEEP, b"hello"),
    ("chunk_ext_overlong", POST_TE + b"5;x=" + b"x" * 5000 + b"\r\nhello\r\n0\r\n\r\n" + SMUGGLE, 400, CLOSED),
    ("chunk_ext_ctl_byte", POST_TE + b"5;a=\x01\r\nhello\r\n0\r\n\r\n" + SMUGGLE, 400, CLOSED),
    ("trailer_valid", POST_TE + b"5\r\nhello\r\n0\r\nX-Trailer: v\r\nX-Other: w\r\n\r\n", 200, KEEP, b"hello"),
    ("trailer_overlong", POST_TE + b"5\r\nhello\r\n0\r\nX-T: " + b"t" * 9000 + b"\r\n\r\n" + SMUGGLE,
     (400, 431), CLOSED),
    ("trailer_obs_fold", POST_TE + b"5\r\nhello\r\n0\r\nX-T: a\r\n b\r\n\r\n" + SMUGGLE, 400, CLOSED),
    ("trailer_no_colon", POST_TE + b"5\r\nhello\r\n0\r\nX-T\r\n\r\n" + SMUGGLE, 400, CLOSED),
    ("trailer_space_before_colon", POST_TE + b"5\r\nhello\r\n0\r\nX-T : v\r\n\r\n" + SMUGGLE, 400, CLOSED),
    # the handler (/leftover_data: one httpd_req_recv of 10 bytes) sends nothing when its
    # first receive fails: the server answers 400 for it; when the framing error comes after
    # the handler's response (found while draining), closing is all the server can do
    ("chunk_junk_silent_handler", b"POST /leftover_data HTTP/1.1\r\n" + H + b"Transfer-Encoding: chunked\r\n\r\n"
                                  b"zz\r\nhello\r\n0\r\n\r\n" + SMUGGLE, 400, CLOSED),
    ("chunk_overflow_silent_handler", b"POST /leftover_data HTTP/1.1\r\n" + H + b"Transfer-Encoding: chunked\r\n"
                                      b"\r\n10000000000000005\r\nhello\r\n0\r\n\r\n" + SMUGGLE, 400, CLOSED),
    ("chunk_error_after_response", b"POST /leftover_data HTTP/1.1\r\n" + H + b"Transfer-Encoding: chunked\r\n\r\n"
                                   b"5\r\nhello0\r\n\r\n" + SMUGGLE, 200, CLOSED, b"hello"),
    ("trailer_error_after_response", b"POST /leftover_data HTTP/1.1\r\n" + H + b"Transfer-Encoding: chunked\r\n"
                                     b"\r\n5\r\nhello\r\n0\r\nX-T: a\r\n b\r\n\r\n" + SMUGGLE, 200, CLOSED, b"hello"),
    # ---- chunk data framing -----------------------------------------------------------
    ("chunk_data_no_crlf", POST_TE + b"5\r\nhello0\r\n\r\n" + SMUGGLE, 400, CLOSED),
    ("chunk_data_longer_than_size", POST_TE + b"3\r\nhello\r\n0\r\n\r\n" + SMUGGLE, 400, CLOSED),
    ("chunk_data_cr_only_after", POST_TE + b"5\r\nhello\r0\r\n\r\n" + SMUGGLE, 400, CLOSED),
    # ---- line endings, folding, control bytes (RFC 9112 2.2, 5.1, 5.2; RFC 9110 5.5) ---------
    ("obs_fold_header", GET_HELLO + H + b"X-A: a\r\n b\r\n\r\n" + SMUGGLE, 400, CLOSED),
    ("obs_fold_first_header", GET_HELLO + b" Host: 127.0.0.1\r\n\r\n" + SMUGGLE, 400, CLOSED),
    ("bare_cr_after_request_line", b"GET /hello HTTP/1.1\rHost: 127.0.0.1\r\n\r\n" + SMUGGLE, 400, CLOSED),
    ("bare_cr_ends_header", GET_HELLO + H + b"X-A: a\rX-B: b\r\n\r\n" + SMUGGLE, 400, CLOSED),
    ("bare_cr_blank_line", GET_HELLO + H + b"\r\r\n" + SMUGGLE, 400, CLOSED),
    ("bare_lf_everywhere", b"GET /hello HTTP/1.1\nHost: 127.0.0.1\nX-A: b\n\n", 200, KEEP, HELLO),
    ("bare_lf_mixed", b"GET /hello HTTP/1.1\r\nHost: 127.0.0.1\nX-A: b\r\n\n", 200, KEEP, HELLO),
    ("nul_in_method", b"G\x00T /hello HTTP/1.1\r\n" + H + b"\r\n" + SMUGGLE, 400, CLOSED),
    ("nul_in_target", b"GET /hel\x00lo HTTP/1.1\r\n" + H + b"\r\n" + SMUGGLE, 400, CLOSED),
    ("nul_in_version", b"GET /hello HTTP/1.1\x00\r\n" + H + b"\r\n" + SMUGGLE, 400, CLOSED),
    ("ctl_in_target", b"GET /hel\x01lo HTTP/1.1\r\n" + H + b"\r\n" + SMUGGLE, 400, CLOSED),
    ("tab_in_target", b"GET /hel\tlo HTTP/1.1\r\n" + H + b"\r\n" + SMUGGLE, 400, CLOSED),
    ("del_in_target", b"GET /hel\x7flo HTTP/1.1\r\n" + H + b"\r\n" + SMUGGLE, 400, CLOSED),
    ("nul_in_header_name", GET_HELLO + H + b"X-\x00A: b\r\n\r\n" + SMUGGLE, 400, CLOSED),
    ("ctl_in_header_value", GET_HELLO + H + b"X-A: a\x01b\r\n\r\n" + SMUGGLE, 400, CLOSED),
    ("del_in_header_value", GET_HELLO + H + b"X-A: a\x7fb\r\n\r\n" + SMUGGLE, 400, CLOSED),
    ("esc_in_header_value", GET_HELLO + H + b"X-A: \x1b[31mred\r\n\r\n" + SMUGGLE, 400, CLOSED),
    ("htab_in_header_value", GET_HELLO + H + b"X-A: a\tb\r\n\r\n", 200, KEEP, HELLO),
    # ---- header names (RFC 9110 5.1, 5.6.2; RFC 9112 5.1) ----------------------------------
    ("space_before_colon", GET_HELLO + H + b"X-A : b\r\n\r\n" + SMUGGLE, 400, CLOSED),
    ("tab_before_colon", GET_HELLO + H + b"X-A\t: b\r\n\r\n" + SMUGGLE, 400, CLOSED),
    ("host_space_before_colon", GET_HELLO + b"Host : 127.0.0.1\r\n\r\n" + SMUGGLE, 400, CLOSED),
    ("empty_header_name", GET_HELLO + H + b": b\r\n\r\n" + SMUGGLE, 400, CLOSED),
    ("name_with_paren", GET_HELLO + H + b"X(A): b\r\n\r\n" + SMUGGLE, 400, CLOSED),
    ("name_with_slash", GET_HELLO + H + b"X/A: b\r\n\r\n" + SMUGGLE, 400, CLOSED),
    ("name_with_at", GET_HELLO + H + b"X@A: b\r\n\r\n" + SMUGGLE, 400, CLOSED),
    ("name_with_quote", GET_HELLO + H + b"X\"A: b\r\n\r\n" + SMUGGLE, 400, CLOSED),
    ("name_with_8bit", GET_HELLO + H + b"X\xe9A: b\r\n\r\n" + SMUGGLE, 400, CLOSED),
    ("name_with_space_inside", GET_HELLO + H + b"X A: b\r\n\r\n" + SMUGGLE, 400, CLOSED),
    # ---- request-target forms (RFC 9112 3.2) -------------------------------------------
    ("authority_form_connect", b"CONNECT 127.0.0.1:443 HTTP/1.1\r\nHost: 127.0.0.1:443\r\n\r\n" + SMUGGLE,
     (400, 405, 501), CLOSED),
    ("authority_form_with_get", b"GET 127.0.0.1:80 HTTP/1.1\r\n" + H + b"\r\n" + SMUGGLE, 400, CLOSED),
    ("asterisk_form_options", b"OPTIONS * HTTP/1.1\r\n" + H + b"\r\n", (200, 204, 404), CLOSED),
    ("asterisk_form_with_get", b"GET * HTTP/1.1\r\n" + H + b"\r\n" + SMUGGLE, (400, 404), CLOSED),
    ("absolute_form", b"GET http://127.0.0.1/hello HTTP/1.1\r\n" + H + b"\r\n", 200, KEEP, HELLO),
    ("absolute_form_other_host", b"GET http://127.0.0.1:1/hello HTTP/1.1\r\nHost: example.org\r\n\r\n",
     200, KEEP, HELLO),
    ("absolute_form_userinfo", b"GET http://u:p@127.0.0.1/hello HTTP/1.1\r\n" + H + b"\r\n" + SMUGGLE,
     400, CLOSED),
    # ---- request line and versions (RFC 9112 2.3, 3; RFC 9110 2.5, 9.1) ---------------------
    ("http09_request", b"GET /\r\n" + SMUGGLE, 400, CLOSED),
    ("http2_preface", b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", (501, 505), CLOSED),
    ("version_1_2", b"GET /hello HTTP/1.2\r\n" + H + b"\r\n", 200, KEEP, HELLO),
    ("version_2_0", b"GET /hello HTTP/2.0\r\n" + H + b"\r\n" + SMUGGLE, 505, CLOSED),
    ("version_lowercase", b"GET /hello http/1.1\r\n" + H + b"\r\n" + SMUGGLE, 400, CLOSED),
    ("version_two_digit_minor", b"GET /hello HTTP/1.10\r\n" + H + b"\r\n" + SMUGGLE, 400, CLOSED),
    ("version_no_minor", b"GET /hello HTTP/1\r\n" + H + b"\r\n" + SMUGGLE, 400, CLOSED),
    ("two_spaces_before_version", b"GET /hello  HTTP/1.1\r\n" + H + b"\r\n" + SMUGGLE, 400, CLOSED),
    ("space_after_version", b"GET /hello HTTP/1.1 \r\n" + H + b"\r\n" + SMUGGLE, 400, CLOSED),
    ("leading_space_request_line", b" GET /hello HTTP/1.1\r\n" + H + b"\r\n" + SMUGGLE, 400, CLOSED),
    ("method_lowercase", b"get /hello HTTP/1.1\r\n" + H + b"\r\n" + SMUGGLE, 501, CLOSED),
    ("method_mixed_case", b"Get /hello HTTP/1.1\r\n" + H + b"\r\n" + SMUGGLE, 501, CLOSED),
    ("method_oversized", b"A" * 100 + b" /hello HTTP/1.1\r\n" + H + b"\r\n" + SMUGGLE, 501, CLOSED),
    ("method_over_line_limit", b"A" * 600 + b" /hello HTTP/1.1\r\n" + H + b"\r\n" + SMUGGLE, (414, 501), CLOSED),
    ("method_not_allowed", b"DELETE /hello HTTP/1.1\r\n" + H + b"\r\n" + SMUGGLE, 405, CLOSED, None,
     {"Allow": "GET"}),
    ("leading_crlf", b"\r\n" + GET_HELLO + H + b"\r\n", 200, KEEP, HELLO),
    ("only_crlfs", b"\r\n", NO_RESPONSE, KEEP),
    ("incomplete_head_then_eof", GET_HELLO + H, NO_RESPONSE, CLOSED, None, None, True),
    # ---- limits (RFC 9110 15.5.15; RFC 6585 5) --------------------------------------------
    ("uri_over_limit", b"GET /hello?" + b"q" * 600 + b" HTTP/1.1\r\n" + H + b"\r\n" + SMUGGLE, 414, CLOSED),
    ("header_count_over_limit", GET_HELLO + H + b"a:b\r\n" * 300 + b"\r\n" + SMUGGLE, 431, CLOSED),
    ("header_size_over_limit", GET_HELLO + H + b"X-Big: " + b"v" * 2000 + b"\r\n\r\n" + SMUGGLE, 431, CLOSED),
    # ---- Host (RFC 9112 3.2; RFC 9110 7.2) -----------------------------------------------
    ("host_missing_http11", GET_HELLO + b"\r\n" + SMUGGLE, 400, CLOSED),
    ("host_twice", GET_HELLO + b"Host: a\r\nHost: b\r\n\r\n" + SMUGGLE, 400, CLOSED),
    ("host_invalid_value", GET_HELLO + b"Host: a b/c@@\r\n\r\n" + SMUGGLE, 400, CLOSED),
    ("host_userinfo", GET_HELLO + b"Host: user@127.0.0.1\r\n\r\n" + SMUGGLE, 400, CLOSED),
    ("host_empty", GET_HELLO + b"Host:\r\n\r\n", 200, KEEP, HELLO),
    ("host_ipv6_literal", GET_HELLO + b"Host: [::1]:8080\r\n\r\n", 200, KEEP, HELLO),
    # ---- Expect (RFC 9110 10.1.1: an unknown expectation MAY get 417; ignoring it is allowed) --
    ("expect_unknown", GET_HELLO + H + b"Expect: 200-ok\r\n\r\n", 200, KEEP, HELLO),
    ("expect_100_continue_no_body", GET_HELLO + H + b"Expect: 100-continue\r\n\r\n", 200, KEEP, HELLO),
]

# id -> what the server does instead of the RFC expectation.
XFAIL = {
    "te_chunked_gzip": "501 (RFC 9112 6.3: chunked not the final coding MUST be 400 and close)",
    "te_chunked_empty_list_member": "501: the empty list element before chunked is not ignored (RFC 9110 5.6.1)",
    "absolute_form_userinfo": "200: userinfo in an http URI is not treated as an error (RFC 9110 4.2.4 SHOULD)",
    "version_1_2": "505 (RFC 9110 2.5: HTTP/1.2 SHOULD be processed as HTTP/1.1; test_parsing.py "
                   "version_1_2 asserts 505 too)",
    "method_oversized": "400: a 100-byte method is a syntax error, not 501 (RFC 9112 3.1 SHOULD 501)",
    "method_over_line_limit": "400: a 600-byte method is a syntax error, not 501 or 414",
}


def _check_response(r, status, body, headers, after):
    statuses = status if isinstance(status, tuple) else (status,)
    assert r.status in statuses, "status %d, expected %s: %r" % (r.status, statuses, r.raw)
    if body is not None:
        assert r.body == body, r.raw
    for name, value in (headers or {}).items():
        got = r.header(name)
        assert got is not None, "no %s header: %r" % (name, r.raw)
        if value is not None:
            assert got == value, "%s: %r, expected %r" % (name, got, value)
    conn_hdr = (r.header("Connection") or "").lower()
    if after == CLOSED and r.status in ERRORS and r.body == ERRORS[r.status][1].encode():
        assert "close" in conn_hdr, "error before a close without Connection: close: %r" % (r.raw,)
    if after == KEEP:
        assert "close" not in conn_hdr, r.raw


@pytest.mark.parametrize("request_bytes,status,after,body,headers,eof", params(VECTORS, XFAIL, 6))
def test_http_vector(server, request_bytes, status, after, body, headers, eof):
    with server.conn(timeout=IO) as c:
        safe_send(c, request_bytes, eof=bool(eof))
        if status is NO_RESPONSE:
            if after == CLOSED:
                data = read_all(c)
                assert data == b"", "expected no response: %r" % (data[:600],)
        else:
            r = c.read_response(timeout=IO)
            _check_response(r, status, body, headers, after)
        if after == CLOSED:
            data = read_all(c)
            assert data == b"", "bytes after the answer, before the close: %r" % (data[:600],)
            return
        # KEEP: the stream is still in sync.
        c.send(SMUGGLE)
        r = c.read_response(timeout=IO)
        assert r.raw == response_bytes(HELLO), "follow-up GET: %r" % (r.raw,)


def test_table_size():
    assert not unknown_ids(XFAIL, VECTORS)
    assert len(VECTORS) >= 60
