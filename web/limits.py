"""A small in-process rate limit: N requests per minute per API token or check-in link.

A token bucket per key (the secret's visible prefix, never the secret): it holds up to N
requests and refills at N per minute. A request that finds it empty gets 429 with
``Retry-After`` (seconds until one request is allowed again). One process, one dict: enough for
one ``ladder serve`` worker; several workers would each count on their own.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from ladder.access.secrets import prefix_of

MAX_KEYS = 10_000  # forget idle buckets beyond this many (a full bucket is no state)


class RateLimiter:
    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.capacity = float(max(1, per_minute))
        self.refill = self.capacity / 60.0  # per second
        self.clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}  # key -> (tokens, at)
        self._lock = threading.Lock()

    def allow(self, key: str) -> float:
        """0 when the request may go ahead (and is counted), else seconds to wait."""
        now = self.clock()
        with self._lock:
            tokens, at = self._buckets.get(key, (self.capacity, now))
            tokens = min(self.capacity, tokens + (now - at) * self.refill)
            if tokens >= 1.0:
                self._buckets[key] = (tokens - 1.0, now)
                if len(self._buckets) > MAX_KEYS:
                    self._forget_full(now)
                return 0.0
            self._buckets[key] = (tokens, now)
            return (1.0 - tokens) / self.refill

    def _forget_full(self, now: float) -> None:
        for key, (tokens, at) in list(self._buckets.items()):
            if tokens + (now - at) * self.refill >= self.capacity:
                del self._buckets[key]


def retry_after(wait: float) -> str:
    return str(max(1, math.ceil(wait)))


def key_of(path: str, token: str | None, client: str | None) -> str | None:
    """Whose budget a request spends: the API token's or the check-in link's prefix; None for
    anything else (no limit)."""
    if token:
        return f"token:{prefix_of(token) or 'malformed'}"
    parts = path.split("/")
    if len(parts) > 2 and parts[1] == "checkin":
        return f"link:{prefix_of(parts[2]) or 'malformed'}"
    if path.startswith("/api/"):
        return f"client:{client or 'unknown'}"
    return None


class RateLimitMiddleware:
    """The limit as plain ASGI middleware (no per-request task or body copying)."""

    def __init__(self, app: ASGIApp, limiter: RateLimiter, header: str) -> None:
        self.app = app
        self.limiter = limiter
        self.header = header.lower().encode("latin-1")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        token = bearer = None
        for name, value in scope.get("headers", ()):
            if name == self.header:
                token = value.decode("latin-1")
                break
            if name == b"authorization":
                scheme, _, credentials = value.decode("latin-1").partition(" ")
                bearer = credentials.strip() if scheme.lower() == "bearer" else None
        token = token or bearer or None  # the API's header first, as web.deps.token_of
        client = scope.get("client")
        key = key_of(scope.get("path", ""), token, client[0] if client else None)
        wait = self.limiter.allow(key) if key is not None else 0.0
        if not wait:
            await self.app(scope, receive, send)
            return
        per_minute = int(self.limiter.capacity)
        answer = JSONResponse(
            {"error": f"too many requests: at most {per_minute} a minute; try again shortly"},
            status_code=429,
            headers={"Retry-After": retry_after(wait)},
        )
        await answer(scope, receive, send)
