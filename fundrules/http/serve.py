"""Running the service under uvicorn: `fundrules serve` calls `run`.

HTTP is parsed by httptools (llhttp, in C) when it imports, else by h11 (pure Python, uvicorn's
own dependency), each under the same bounds (connections.py, httptools_connections.py): httptools
costs less CPU per request (README, "Service HTTP"). FUNDRULES_HTTP_PARSER=h11 forces h11.

The listening socket is made here, declared as TCP: asyncio sets TCP_NODELAY only on sockets whose
protocol says TCP, and uvicorn's own multi-worker socket does not say it, which costs each answer
a 40 ms delayed-ACK stall (measured by bench/load.py: p50 44 ms instead of a few ms).
"""

from __future__ import annotations

import importlib
import inspect
import logging
import os
import socket
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

import uvicorn

from ..engine.cache import DEFAULT_ENTRIES
from ..errors import InputError
from .app import BODY_TIMEOUT_ENV, CACHE_ENTRIES_ENV, ENGINE_ENV, MAX_IN_FLIGHT_ENV, RULESETS_ENV
from .connections import (
    HEADER_TIMEOUT,
    HEADER_TIMEOUT_ENV,
    MAX_CONNECTIONS,
    MAX_CONNECTIONS_ENV,
    MAX_HEADER_BYTES,
    SEND_TIMEOUT,
    SEND_TIMEOUT_ENV,
)
from .limits import BODY_TIMEOUT, MAX_IN_FLIGHT
from .origin import ALLOWED_HOSTS_ENV

LOOPBACK = ("127.0.0.1", "::1", "localhost")
PARSER_ENV = "FUNDRULES_HTTP_PARSER"
PROTOCOLS = {
    "httptools": "fundrules.http.httptools_connections:GuardedHttpToolsProtocol",
    "h11": "fundrules.http.connections:GuardedH11Protocol",
}
log = logging.getLogger("fundrules")
KEEP_ALIVE_TIMEOUT = 5  # seconds an idle kept-alive connection stays open (uvicorn's own default)


@dataclass(frozen=True)
class Limits:
    """What `fundrules serve` bounds (README, "Service HTTP"): see connections.py, limits.py, origin.py."""

    header_timeout: float = HEADER_TIMEOUT
    body_timeout: float = BODY_TIMEOUT
    send_timeout: float = SEND_TIMEOUT
    keep_alive_timeout: float = KEEP_ALIVE_TIMEOUT
    max_connections: int = MAX_CONNECTIONS
    max_in_flight: int = MAX_IN_FLIGHT
    allowed_hosts: tuple[str, ...] = ()
    cache_entries: int = DEFAULT_ENTRIES  # the Engine's cache bound per worker (engine/cache.py); 0: none


def listen(host: str, port: int) -> socket.socket:
    """A TCP socket bound to host:port (refused in French when the port is taken)."""
    try:
        family, kind, proto, _name, address = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP
        )[0]
    except socket.gaierror as err:
        raise InputError(f"adresse d'écoute inconnue « {host} » ({err.strerror})", field="host") from None
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(address)
    except OSError as err:
        sock.close()
        raise InputError(f"impossible d'écouter sur {host}:{port} ({err.strerror})", field="port") from None
    sock.set_inheritable(True)
    return sock


def protocol() -> str:
    """uvicorn's `http` setting: httptools' protocol when httptools imports, else h11's (said at INFO),
    or the one FUNDRULES_HTTP_PARSER names."""
    asked = os.environ.get(PARSER_ENV, "").strip().lower()
    if asked and asked not in PROTOCOLS:
        raise InputError(f"analyseur HTTP inconnu « {asked} » ; possibles : {', '.join(PROTOCOLS)}", field=PARSER_ENV)
    if asked == "h11":
        return PROTOCOLS["h11"]
    try:
        importlib.import_module("httptools")  # optional: not a static import, for type checkers without it
    except ImportError as err:
        if asked:
            message = f"{PARSER_ENV}=httptools : httptools ne s'importe pas ici ({err})"
            raise InputError(message, field=PARSER_ENV) from None
        log.info("httptools ne s'importe pas ici (%s) : le service lit le HTTP avec h11 (Python pur, plus lent).", err)
        return PROTOCOLS["h11"]
    return PROTOCOLS["httptools"]


def run(
    host: str = "127.0.0.1",
    port: int = 8000,
    workers: int = 1,
    rulesets: Optional[Path] = None,
    backend: str = "durable",
    access_log: bool = False,
    limits: Optional[Limits] = None,
) -> None:
    """Serve until interrupted; each worker (the process itself when `workers` is 1) loads its own Engine
    through `create_app_from_env`, and reads its bounds from the environment set here."""
    from ..rulesets import load_catalog

    limits = limits or Limits()
    load_catalog(rulesets)  # a bad ruleset stops here with its French message, not in a worker
    os.environ[RULESETS_ENV] = str(Path(rulesets).resolve()) if rulesets else ""
    os.environ[ENGINE_ENV] = backend
    os.environ[HEADER_TIMEOUT_ENV] = str(limits.header_timeout)
    os.environ[BODY_TIMEOUT_ENV] = str(limits.body_timeout)
    os.environ[SEND_TIMEOUT_ENV] = str(limits.send_timeout)
    os.environ[MAX_CONNECTIONS_ENV] = str(limits.max_connections)
    os.environ[MAX_IN_FLIGHT_ENV] = str(limits.max_in_flight)
    os.environ[CACHE_ENTRIES_ENV] = str(limits.cache_entries)
    if limits.allowed_hosts:
        os.environ[ALLOWED_HOSTS_ENV] = ",".join(limits.allowed_hosts)
    config = uvicorn.Config(
        "fundrules.http.app:create_app_from_env",
        factory=True,
        workers=workers,
        access_log=access_log,
        server_header=False,
        log_level="info",
        http=protocol(),
        timeout_keep_alive=int(limits.keep_alive_timeout),
        h11_max_incomplete_event_size=MAX_HEADER_BYTES,
    )
    sock = listen(host, port)
    shown = f"[{host}]" if ":" in host else host
    print(
        f"Service fundrules sur http://{shown}:{sock.getsockname()[1]} ({workers} processus) ; Ctrl+C pour arrêter.",
        file=sys.stderr,
        flush=True,
    )
    server = uvicorn.Server(config)
    try:
        if workers == 1:
            server.run(sockets=[sock])
            return
        from uvicorn.supervisors import Multiprocess

        if "target" in inspect.signature(Multiprocess.__init__).parameters:  # uvicorn before 0.30
            Multiprocess(config, target=server.run, sockets=[sock]).run()  # type: ignore[call-arg]
        else:
            Multiprocess(config, sockets=[sock]).run()
    except KeyboardInterrupt:
        pass
    finally:
        sock.close()
