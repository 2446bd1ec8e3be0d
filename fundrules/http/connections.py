"""Connections that cannot be held open for nothing: a deadline for a request's headers, a deadline
for the client to read what it is sent, and a cap on open connections per worker.

uvicorn's h11 protocol has no header timeout: its keep-alive timer starts only after a first response
and stops at the first byte received, so a client sending one byte of headers every few seconds (or
none at all) holds a connection, a file descriptor and its buffers for ever; 1,100 of them locked every
other client out (issue 20). The application cannot help: it is called only once headers are complete.
So this protocol (uvicorn's own, with two additions) closes a connection whose request headers are not
complete `header_timeout` seconds after it opened or after the previous answer, and answers 503 then
closes any connection beyond `max_connections` before reading it. uvicorn's `limit_concurrency` is not
used for this: it counts idle connections too, and would refuse the health probe while slow clients
hold their sockets. A client that stops reading its answer (12 of them pinned 570 MB) leaves the
transport's buffer full: once writing has been paused `send_timeout` seconds, the connection is
aborted (a close would wait for the buffer to drain, for ever).

Settings come from the environment (FUNDRULES_HTTP_HEADER_TIMEOUT, FUNDRULES_HTTP_SEND_TIMEOUT,
FUNDRULES_HTTP_MAX_CONNECTIONS),
because `fundrules serve --workers N` starts workers that import this class afresh:

    uvicorn --factory fundrules.http:create_app --http fundrules.http.connections:GuardedH11Protocol
"""

from __future__ import annotations

import asyncio
import os
from typing import Optional

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

HEADER_TIMEOUT_ENV = "FUNDRULES_HTTP_HEADER_TIMEOUT"
MAX_CONNECTIONS_ENV = "FUNDRULES_HTTP_MAX_CONNECTIONS"
SEND_TIMEOUT_ENV = "FUNDRULES_HTTP_SEND_TIMEOUT"
SEND_TIMEOUT = 30.0  # seconds the client may leave the answer unread while the server has more to send
HEADER_TIMEOUT = 10.0  # seconds for a request line and its headers (at most 16 KB: h11's bound)
MAX_CONNECTIONS = 1_000  # per worker; each costs a file descriptor and a few KB
MAX_HEADER_BYTES = 16 * 1024
_BUSY = (
    b"HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json\r\nconnection: close\r\n"
    b"retry-after: 1\r\ncontent-length: %d\r\n\r\n%s"
)
_BUSY_BODY = (
    b'{"error":{"code":"too_many_connections","message":"trop de connexions ouvertes sur ce service ; '
    b'r\xc3\xa9essayez dans un instant","file":null,"line":null,"field":null}}'
)


def setting(name: str, default: float) -> float:
    """A positive number from the environment, else `default`."""
    try:
        value = float(os.environ.get(name, ""))
    except ValueError:
        return default
    return value if value > 0 else default


class GuardedH11Protocol(H11Protocol):
    """uvicorn's h11 protocol with a header deadline and a connection cap."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.header_timeout = setting(HEADER_TIMEOUT_ENV, HEADER_TIMEOUT)
        self.max_connections = int(setting(MAX_CONNECTIONS_ENV, MAX_CONNECTIONS))
        self.send_timeout = setting(SEND_TIMEOUT_ENV, SEND_TIMEOUT)
        self.header_deadline: Optional[asyncio.TimerHandle] = None
        self.send_deadline: Optional[asyncio.TimerHandle] = None

    def connection_made(self, transport) -> None:
        super().connection_made(transport)
        if len(self.connections) > self.max_connections:
            transport.write(_BUSY % (len(_BUSY_BODY), _BUSY_BODY))
            transport.close()
            return
        self._arm()

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if self.header_deadline is not None and self._request_in_progress():
            self._disarm()  # headers complete: the application's own bounds (body, answer) take over

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing() and not self._request_in_progress():
            self._arm()  # the next request's headers (or the rest of a refused body) have the same deadline

    def connection_lost(self, exc) -> None:
        self._disarm()
        self._reading_again()
        super().connection_lost(exc)

    def pause_writing(self) -> None:
        super().pause_writing()
        if self.send_deadline is None:
            self.send_deadline = self.loop.call_later(self.send_timeout, self._not_read)

    def resume_writing(self) -> None:
        self._reading_again()
        super().resume_writing()

    def _reading_again(self) -> None:
        if self.send_deadline is not None:
            self.send_deadline.cancel()
            self.send_deadline = None

    def _not_read(self) -> None:
        self.send_deadline = None
        self.transport.abort()  # connection_lost follows: the application's send returns, its work stops

    def _request_in_progress(self) -> bool:
        return self.cycle is not None and not self.cycle.response_complete

    def _arm(self) -> None:
        self._disarm()
        self.header_deadline = self.loop.call_later(self.header_timeout, self._expired)

    def _disarm(self) -> None:
        if self.header_deadline is not None:
            self.header_deadline.cancel()
            self.header_deadline = None

    def _expired(self) -> None:
        self.header_deadline = None
        if self.transport.is_closing() or self._request_in_progress():
            return
        try:
            self.conn.send(h11.ConnectionClosed())
        except h11.LocalProtocolError:
            pass
        self.transport.close()
