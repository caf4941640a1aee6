# SPDX-License-Identifier: Apache-2.0
"""Request accessors seen through handlers: query string, query keys, cookies,
request headers (httpd_req_get_* / httpd_query_key_value)."""
import pytest

from conftest import get_req


def query(server, target):
    return server.get(target).body.decode()


@pytest.mark.parametrize("target,expect", [
    ("/query", "len=0\nquery=ESP_ERR_NOT_FOUND\nq4=ESP_ERR_NOT_FOUND\nk=ESP_ERR_NOT_FOUND\n"),
    ("/query?k=v", "len=3\nquery=k=v\nq4=ESP_OK\nk=v\n"),
    ("/query?abcd", "len=4\nquery=abcd\nq4=ESP_ERR_HTTPD_RESULT_TRUNC\nk=ESP_ERR_NOT_FOUND\n"),
    ("/query?a=1&k=hello&b=2", "len=15\nquery=a=1&k=hello&b=2\nq4=ESP_ERR_HTTPD_RESULT_TRUNC\nk=hello\n"),
    ("/query?k=hello&size=6", "len=14\nquery=k=hello&size=6\nq4=ESP_ERR_HTTPD_RESULT_TRUNC\nk=hello\n"),
    ("/query?k=hello&size=5", "len=14\nquery=k=hello&size=5\nq4=ESP_ERR_HTTPD_RESULT_TRUNC\nk=ESP_ERR_HTTPD_RESULT_TRUNC\n"),
    ("/query?k=&x=1", "len=6\nquery=k=&x=1\nq4=ESP_ERR_HTTPD_RESULT_TRUNC\nk=\n"),
    ("/query?K=upper", "len=7\nquery=K=upper\nq4=ESP_ERR_HTTPD_RESULT_TRUNC\nk=upper\n"),
    ("/query?kk=1&xk=2", "len=9\nquery=kk=1&xk=2\nq4=ESP_ERR_HTTPD_RESULT_TRUNC\nk=ESP_ERR_NOT_FOUND\n"),
    ("/query?k=a%20b+c", "len=9\nquery=k=a%20b+c\nq4=ESP_ERR_HTTPD_RESULT_TRUNC\nk=a%20b+c\n"),
    ("/query?k=1&k=2", "len=7\nquery=k=1&k=2\nq4=ESP_ERR_HTTPD_RESULT_TRUNC\nk=1\n"),
    ("/query?k=x&size=0", "len=10\nquery=k=x&size=0\nq4=ESP_ERR_HTTPD_RESULT_TRUNC\nk=ESP_ERR_INVALID_ARG\n"),
    ("/query?abc", "len=3\nquery=abc\nq4=ESP_OK\nk=ESP_ERR_NOT_FOUND\n"),
])
def test_query(server, target, expect):
    assert query(server, target) == expect


def test_query_long_value(server):
    v = "q" * 300
    assert query(server, "/query?size=400&k=" + v).endswith("\nk=%s\n" % v)
    assert query(server, "/query?size=300&k=" + v).endswith("\nk=ESP_ERR_HTTPD_RESULT_TRUNC\n")
    assert query(server, "/query?size=301&k=" + v).endswith("\nk=%s\n" % v)


def cookie(server, cookie_hdr, name, size=None):
    target = "/cookie?name=%s" % name + ("&size=%d" % size if size is not None else "")
    hdrs = [("Cookie", cookie_hdr)] if cookie_hdr is not None else []
    return server.get(target, hdrs).body.decode()


def test_cookie_found(server):
    assert cookie(server, "a=1; sid=xyz; b=2", "sid") == "ESP_OK xyz 4"
    assert cookie(server, "sid=xyz", "sid") == "ESP_OK xyz 4"
    assert cookie(server, "a=1;sid=last", "sid") == "ESP_OK last 5"
    assert cookie(server, "a=1; b=2", "a") == "ESP_OK 1 2"


def test_cookie_exact_name_match(server):
    assert cookie(server, "xsid=1; sidx=2; sid=3", "sid") == "ESP_OK 3 2"


def test_cookie_empty_value(server):
    assert cookie(server, "a=; b=2", "a") == "ESP_OK  1"


def test_cookie_truncation(server):
    # val_size 4 holds "xyz" + NUL exactly; 3 is one short: required size reported
    assert cookie(server, "sid=xyz", "sid", size=4) == "ESP_OK xyz 4"
    assert cookie(server, "sid=xyz", "sid", size=3) == "ESP_ERR_HTTPD_RESULT_TRUNC  4"


def test_cookie_not_found(server):
    assert cookie(server, "a=1; b=2", "sid").startswith("ESP_ERR_NOT_FOUND  ")
    assert cookie(server, None, "sid").startswith("ESP_ERR_NOT_FOUND  ")


def hdr(server, name, headers, size=None):
    target = "/hdr?name=%s" % name + ("&size=%d" % size if size is not None else "")
    return server.get(target, headers).body.decode()


def test_hdr_value(server):
    assert hdr(server, "X-Test", [("X-Test", "hello")]) == "5 ESP_OK hello"


def test_hdr_name_case_insensitive(server):
    assert hdr(server, "x-tEsT", [("X-Test", "hello")]) == "5 ESP_OK hello"


def test_hdr_leading_whitespace_skipped(server):
    with server.conn() as c:
        r = c.request(b"GET /hdr?name=X-Test HTTP/1.1\r\nHost: x\r\nX-Test:    hi\r\n\r\n")
        assert r.body == b"2 ESP_OK hi"


def test_hdr_trailing_whitespace(server):
    # public header: length and value exclude leading *and trailing* whitespace
    # (upstream keeps trailing spaces)
    with server.conn() as c:
        r = c.request(b"GET /hdr?name=X-Test HTTP/1.1\r\nHost: x\r\nX-Test: hi  \t\r\n\r\n")
        assert r.body == b"2 ESP_OK hi"


def test_hdr_truncation(server):
    assert hdr(server, "X-Test", [("X-Test", "hello")], size=5) == "5 ESP_ERR_HTTPD_RESULT_TRUNC hell"
    assert hdr(server, "X-Test", [("X-Test", "hello")], size=6) == "5 ESP_OK hello"


def test_hdr_missing(server):
    assert hdr(server, "X-Nope", [("X-Test", "hello")]) == "0 ESP_ERR_NOT_FOUND "


def test_hdr_empty_value_present(server):
    with server.conn() as c:
        r = c.request(b"GET /hdr?name=X-Empty HTTP/1.1\r\nHost: x\r\nX-Empty:\r\n\r\n")
        assert r.body == b"0 ESP_OK "


def test_hdr_duplicate_first_wins(server):
    assert hdr(server, "X-Dup", [("X-Dup", "one"), ("X-Dup", "two")]) == "3 ESP_OK one"


def test_hdr_name_prefix_not_matched(server):
    assert hdr(server, "X-Te", [("X-Test", "hello")]) == "0 ESP_ERR_NOT_FOUND "
    assert hdr(server, "X-Tests", [("X-Test", "hello")]) == "0 ESP_ERR_NOT_FOUND "


def test_hdr_host(server):
    with server.conn() as c:
        r = c.request(get_req("/hdr?name=host"))
        assert r.body == b"9 ESP_OK 127.0.0.1"


def test_hdr_lf_only_head(server):
    with server.conn() as c:
        r = c.request(b"GET /hdr?name=X-A HTTP/1.1\nHost: x\nX-A: lf\n\n")
        assert r.body == b"2 ESP_OK lf"


def test_hdr_long_value(server):
    v = "w" * 900
    assert hdr(server, "X-Long", [("X-Long", v)], size=901) == "900 ESP_OK " + v
