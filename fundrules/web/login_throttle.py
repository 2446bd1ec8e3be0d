"""Failed logins to the counsellors' page, counted per client address, to slow down guessing.

The token is the only secret between the page and anyone who can reach the service: without a
limit a script could try tokens as fast as the server answers. After MAX_FAILURES wrong tokens from
one address within WINDOW_SECONDS, that address's logins are refused (429) until the window has
passed, a right token included (otherwise guessing would simply go on). A right token before the
limit clears the count.

Memory is bounded by construction: at most MAX_ADDRESSES addresses are remembered, the oldest
forgotten first; an address's failures older than the window are dropped when it is next seen.
Counted per worker process (`fundrules serve --workers N` allows N times as many tries), in memory
only: nothing is written. Behind a reverse proxy every request comes from the proxy's address
unless the server is told to read the forwarded one (`uvicorn --proxy-headers`,
`--forwarded-allow-ips`): then the limit is shared by all the proxy's users."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable

MAX_FAILURES = 10
WINDOW_SECONDS = 600.0
MAX_ADDRESSES = 4096


class LoginThrottle:
    def __init__(
        self,
        max_failures: int = MAX_FAILURES,
        window: float = WINDOW_SECONDS,
        max_addresses: int = MAX_ADDRESSES,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.max_failures, self.window, self.max_addresses, self.clock = max_failures, window, max_addresses, clock
        self._failures: OrderedDict[str, list[float]] = OrderedDict()
        self._lock = threading.Lock()

    def _recent(self, address: str, now: float) -> list[float]:
        kept = [moment for moment in self._failures.get(address, []) if now - moment < self.window]
        if kept:
            self._failures[address] = kept
            self._failures.move_to_end(address)
        else:
            self._failures.pop(address, None)
        return kept

    def wait_seconds(self, address: str) -> float:
        """0 when the address may try; otherwise how long before it may try again."""
        with self._lock:
            now = self.clock()
            recent = self._recent(address, now)
            if len(recent) < self.max_failures:
                return 0.0
            return max(0.0, self.window - (now - recent[-self.max_failures]))

    def failed(self, address: str) -> None:
        with self._lock:
            now = self.clock()
            recent = self._recent(address, now)
            self._failures[address] = [*recent[-(self.max_failures - 1) :], now] if self.max_failures > 1 else [now]
            self._failures.move_to_end(address)
            while len(self._failures) > self.max_addresses:
                self._failures.popitem(last=False)

    def succeeded(self, address: str) -> None:
        with self._lock:
            self._failures.pop(address, None)

    def __len__(self) -> int:
        return len(self._failures)
