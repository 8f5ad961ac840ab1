"""Request pacing per host, shared by every client of one program.

Fifty creators set up at once must not fire fifty requests at TikTok (or the
sign server) in the same 100 ms: a burst like that is what draws captchas and
rate limits. A token bucket per host lets a single client's handful of
requests through at once and spaces the rest at a few per second.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

DEFAULT_RATE: Final = 3.0  # requests per second per host, sustained
DEFAULT_BURST: Final = 5.0  # requests per host that may go out at once


@dataclass(slots=True)
class _Bucket:
    tokens: float
    updated: float


class RequestPacer:
    """Hands out turns per host: at most ``burst`` at once, ``rate`` per second after."""

    def __init__(
        self,
        *,
        rate: float = DEFAULT_RATE,
        burst: float = DEFAULT_BURST,
        clock: Callable[[], float] | None = None,
    ) -> None:
        """Pace at ``rate`` requests per second per host after a ``burst``.

        The clock is the event loop's by default: the one asyncio.sleep() uses.
        """
        self._rate = rate
        self._burst = burst
        self._clock = clock
        self._buckets: dict[str, _Bucket] = {}
        # Requests let through per host, for diagnostics and benchmarks.
        self.sent: Counter[str] = Counter()

    def _reserve(self, host: str) -> float:
        """Take a token for ``host``; seconds to wait until it is usable."""
        now = self._clock() if self._clock else asyncio.get_running_loop().time()
        bucket = self._buckets.get(host)
        if bucket is None:
            bucket = self._buckets[host] = _Bucket(self._burst, now)
        bucket.tokens = min(
            self._burst, bucket.tokens + (now - bucket.updated) * self._rate
        )
        bucket.updated = now
        bucket.tokens -= 1
        self.sent[host] += 1
        # A negative balance is a queue: each waiter owns one slot of it.
        return 0.0 if bucket.tokens >= 0 else -bucket.tokens / self._rate

    async def turn(self, host: str) -> None:
        """Return when a request to ``host`` may go out."""
        if (delay := self._reserve(host)) > 0:
            await asyncio.sleep(delay)
