"""Connections that cannot be held open for nothing: a deadline for a request's headers, a bound on
their size, a deadline for the client to read what it is sent, and a cap on open connections per worker.

uvicorn's protocols have no header timeout: their keep-alive timer starts only after a first response
and stops at the first byte received, so a client sending one byte of headers every few seconds (or
none at all) holds a connection, a file descriptor and its buffers for ever; 1,100 of them locked every
other client out (issue 20). The application cannot help: it is called only once headers are complete.
So these protocols (uvicorn's own, with additions) close a connection whose request headers are not
complete `header_timeout` seconds after it opened or after the previous answer, and answer 503 then
close any connection beyond `max_connections` before reading it. uvicorn's `limit_concurrency` is not
used for this: it counts idle connections too, and would refuse the health probe while slow clients
hold their sockets. A client that stops reading its answer (12 of them pinned 570 MB) leaves the
transport's buffer full: once writing has been paused `send_timeout` seconds, the connection is
aborted (a close would wait for the buffer to drain, for ever). A request line and headers of more
than 16 KB are answered 431 and the connection closed: h11 bounds its buffer itself
(`max_incomplete_event_size`); httptools' parser (llhttp) has no bound, so GuardedHttpToolsProtocol
(in httptools_connections.py, which imports httptools) counts what it received before the headers
were complete.

Settings come from the environment (FUNDRULES_HTTP_HEADER_TIMEOUT, FUNDRULES_HTTP_SEND_TIMEOUT,
FUNDRULES_HTTP_MAX_CONNECTIONS),
because `fundrules serve --workers N` starts workers that import this class afresh:

    uvicorn --factory fundrules.http:create_app --http fundrules.http.connections:GuardedH11Protocol
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable
from typing import Any, Optional

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
_TOO_LARGE = (
    b"HTTP/1.1 431 Request Header Fields Too Large\r\ncontent-type: application/json\r\n"
    b"connection: close\r\ncontent-length: %d\r\n\r\n%s"
)
_TOO_LARGE_BODY = (
    b'{"error":{"code":"headers_too_large","message":"ligne de requ\xc3\xaate et en-t\xc3\xaates trop longs '
    b'(16 Ko au plus)","file":null,"line":null,"field":null}}'
)
BUSY = _BUSY % (len(_BUSY_BODY), _BUSY_BODY)
TOO_LARGE = _TOO_LARGE % (len(_TOO_LARGE_BODY), _TOO_LARGE_BODY)


def setting(name: str, default: float) -> float:
    """A positive number from the environment, else `default`."""
    try:
        value = float(os.environ.get(name, ""))
    except ValueError:
        return default
    return value if value > 0 else default


class Guards:
    """The deadlines and the cap one connection obeys, whatever parses it: each protocol below calls
    these from uvicorn's hooks, and gives how to tell a request in progress and how to hang up."""

    def __init__(self, loop: asyncio.AbstractEventLoop, in_progress: Callable[[], bool], hang_up: Callable[[], None]):
        self.loop, self.in_progress, self.hang_up = loop, in_progress, hang_up
        self.header_timeout = setting(HEADER_TIMEOUT_ENV, HEADER_TIMEOUT)
        self.max_connections = int(setting(MAX_CONNECTIONS_ENV, MAX_CONNECTIONS))
        self.send_timeout = setting(SEND_TIMEOUT_ENV, SEND_TIMEOUT)
        self.header_deadline: Optional[asyncio.TimerHandle] = None
        self.send_deadline: Optional[asyncio.TimerHandle] = None
        self.transport: Optional[asyncio.Transport] = None

    def admit(self, transport: asyncio.Transport, open_connections: int) -> bool:
        """Arm the header deadline of a new connection, or refuse it (503, closed) beyond the cap."""
        self.transport = transport
        if open_connections > self.max_connections:
            transport.write(BUSY)
            transport.close()
            return False
        self.arm()
        return True

    def refuse_too_large(self) -> None:
        """431 then closed: what a request line and headers beyond MAX_HEADER_BYTES get."""
        assert self.transport is not None
        if not self.transport.is_closing():
            self.transport.write(TOO_LARGE)
            self.transport.close()

    def arm(self) -> None:
        self.disarm()
        self.header_deadline = self.loop.call_later(self.header_timeout, self._expired)

    def disarm(self) -> None:
        if self.header_deadline is not None:
            self.header_deadline.cancel()
            self.header_deadline = None

    def response_complete(self) -> None:
        assert self.transport is not None
        if not self.transport.is_closing() and not self.in_progress():
            self.arm()  # the next request's headers (or the rest of a refused body) have the same deadline

    def lost(self) -> None:
        self.disarm()
        self.reading_again()

    def writing_paused(self) -> None:
        if self.send_deadline is None:
            self.send_deadline = self.loop.call_later(self.send_timeout, self._not_read)

    def reading_again(self) -> None:
        if self.send_deadline is not None:
            self.send_deadline.cancel()
            self.send_deadline = None

    def _not_read(self) -> None:
        self.send_deadline = None
        assert self.transport is not None
        self.transport.abort()  # connection_lost follows: the application's send returns, its work stops

    def _expired(self) -> None:
        self.header_deadline = None
        assert self.transport is not None
        if self.transport.is_closing() or self.in_progress():
            return
        self.hang_up()


class GuardedHooks:
    """uvicorn's connection hooks both guarded protocols share, each handing the event to its Guards
    (placed before the parser's protocol class: `super()` is uvicorn's own hook)."""

    guards: Guards
    cycle: Any
    connections: Any

    def connection_made(self, transport) -> None:
        super().connection_made(transport)  # type: ignore[misc]
        self.guards.admit(transport, len(self.connections))

    def connection_lost(self, exc) -> None:
        self.guards.lost()
        super().connection_lost(exc)  # type: ignore[misc]

    def pause_writing(self) -> None:
        super().pause_writing()  # type: ignore[misc]
        self.guards.writing_paused()

    def resume_writing(self) -> None:
        self.guards.reading_again()
        super().resume_writing()  # type: ignore[misc]

    def _request_in_progress(self) -> bool:
        return self.cycle is not None and not self.cycle.response_complete


class GuardedH11Protocol(GuardedHooks, H11Protocol):
    """uvicorn's h11 protocol with a header deadline, a send deadline and a connection cap (h11 bounds the
    headers' size itself: `h11_max_incomplete_event_size`, set by serve.py; what it refuses is answered 431)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.guards = Guards(self.loop, self._request_in_progress, self._hang_up)
        self.max_header_bytes = self.config.h11_max_incomplete_event_size or MAX_HEADER_BYTES  # h11's default too

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if self.guards.header_deadline is not None and self._request_in_progress():
            self.guards.disarm()  # headers complete: the application's own bounds (body, answer) take over

    def send_400_response(self, msg: str) -> None:
        if len(self.conn.trailing_data[0]) > self.max_header_bytes:
            self.guards.refuse_too_large()  # h11 stopped at its bound: say which, as httptools' guard does
            return
        super().send_400_response(msg)

    def on_response_complete(self) -> None:
        super().on_response_complete()
        self.guards.response_complete()

    def _hang_up(self) -> None:
        try:
            self.conn.send(h11.ConnectionClosed())
        except h11.LocalProtocolError:
            pass
        self.transport.close()
