# SPDX-License-Identifier: Apache-2.0
"""Shared pieces of the vector tables (test_vectors_http.py, test_vectors_ws.py).

A vector is one row of a table: an id, the exact bytes the client sends, what the server
must answer, and the state of the connection afterwards. Rows the server does not follow
yet are listed by id in the module's XFAIL dict (id -> what the server does instead) and
turned into strict xfails by params(): once the server is fixed the row XPASSes, which
fails the run, so the entry has to be removed.
"""
import socket

import pytest

KEEP = "keep"            # the connection stays open: the next request on it is served
CLOSED = "closed"        # the server closes after its answer (EOF, nothing more)
NO_RESPONSE = None       # the server sends nothing for this input
IO = 3.0                 # seconds any single read of a vector may take


def safe_send(conn, data, eof=False):
    """Sends data (the server may close before it has read everything: an error answer
    comes as soon as the head is known bad), then optionally half-closes."""
    try:
        conn.send(data)
        if eof:
            conn.shutdown_write()
    except OSError:
        pass


def params(rows, xfail, fields):
    """pytest.param()s of rows (tuples whose first item is the id), xfail marks added from
    the xfail dict; fields: how many items after the id each param carries."""
    ids = [r[0] for r in rows]
    dup = {i for i in ids if ids.count(i) > 1}
    assert not dup, "duplicate ids: %s" % sorted(dup)
    out = []
    for r in rows:
        vals = tuple(r[1:1 + fields])
        vals += (None,) * (fields - len(vals))
        marks = [pytest.mark.xfail(strict=True, reason=xfail[r[0]])] if r[0] in xfail else []
        out.append(pytest.param(*vals, id=r[0], marks=marks))
    return out


def unknown_ids(xfail, *tables):
    """XFAIL ids that name no row of the tables (stale entries)."""
    return sorted(set(xfail) - {r[0] for t in tables for r in t})


def read_all(conn, timeout=IO):
    """Every byte until EOF or RST (AssertionError when the peer keeps it open)."""
    try:
        return conn.read_until_close(timeout=timeout)
    except socket.timeout:
        raise AssertionError("connection not closed within %.1fs" % timeout)
