"""uvicorn's httptools protocol (llhttp, a parser in C) under the bounds of connections.py.

The service spends less CPU per request on it than on the pure-Python h11 (README, "Service HTTP";
bench/load.py measures both: `FUNDRULES_HTTP_PARSER=h11` forces h11). Unlike h11, llhttp puts no bound
on a request's head: httptools gathers a header's name and value in memory until the header ends, and
uvicorn the URL, so a client could send megabytes of one header within the header deadline. Here the
bytes received while a request's head is incomplete are counted after each read: beyond
MAX_HEADER_BYTES the connection is answered 431 and closed, before more is read; a head completed
within one read is measured from what the parser gave (request line and headers) and refused the same
way. That also bounds the URL and the number of headers (each takes at least 4 bytes). The one read in
which a pipelined request begins after the previous body is not counted (its size is unknown without
offsets the parser does not give): the bound is MAX_HEADER_BYTES plus one read (asyncio reads at most
256 KB), never unbounded.

This module imports httptools: serve.py uses it only when that import succeeds.
"""

from __future__ import annotations

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from .connections import MAX_HEADER_BYTES, GuardedHooks, Guards

_REQUEST_LINE_FRAME = len(b"GET  HTTP/1.1\r\n") + len(b"\r\n")  # what surrounds the URL, and the blank line


class GuardedHttpToolsProtocol(GuardedHooks, HttpToolsProtocol):
    """uvicorn's httptools protocol with the bounds of GuardedH11Protocol, and a bound on headers' size."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.guards = Guards(self.loop, self._request_in_progress, self._hang_up)
        self.max_header_bytes = MAX_HEADER_BYTES
        self.in_head = True  # the parser is between requests or within a request's head
        self.head_bytes = 0  # bytes of the current head received (see the module's docstring)
        self.messages_complete = 0
        self.refused = False  # answered 431: what the parser still finds in the read is dropped

    def data_received(self, data: bytes) -> None:
        whole_read_in_head, completed = self.in_head, self.messages_complete
        super().data_received(data)
        if not self.in_head or self.transport.is_closing():
            return
        if whole_read_in_head and completed == self.messages_complete:
            self.head_bytes += len(data)
        if self.head_bytes > self.max_header_bytes:
            if self._request_in_progress():  # a pipelined head: refused once the answer in progress is sent
                self.flow.pause_reading()
            else:
                self._refuse()

    def on_headers_complete(self) -> None:
        head = _REQUEST_LINE_FRAME + len(self.url) + sum(len(name) + len(value) + 4 for name, value in self.headers)
        if self.refused or max(head, self.head_bytes) > self.max_header_bytes:
            self._refuse()  # no application call; the connection is closing, the rest of the read is dropped
            return
        self.in_head, self.head_bytes = False, 0
        super().on_headers_complete()
        self.guards.disarm()  # headers complete: the application's own bounds (body, answer) take over

    def on_body(self, body: bytes) -> None:
        if not self.refused:
            super().on_body(body)

    def on_message_complete(self) -> None:
        self.in_head, self.head_bytes = True, 0
        self.messages_complete += 1
        if not self.refused:
            super().on_message_complete()

    def send_400_response(self, msg: str) -> None:
        if not self.refused:  # a parser error after a 431 in the same read: the 431 was the answer
            super().send_400_response(msg)

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if self.in_head and self.head_bytes > self.max_header_bytes and not self._request_in_progress():
            self._refuse()
            return
        self.guards.response_complete()

    def _refuse(self) -> None:
        self.refused = True
        self.guards.refuse_too_large()

    def _hang_up(self) -> None:
        self.transport.close()
