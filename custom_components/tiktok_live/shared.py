"""What every creator's entry shares: request pacing, and each sign server's answer.

Fifty entries follow fifty creators, but they reach the same few hosts. One
request pacer spaces their requests per host, and one gate per sign server
(and API key) makes a 429 for one entry hold the others back until the wait
ends, instead of each of them spending the next request inside the same window.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
import hashlib
import random
from typing import Final

from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers.event import async_call_later
from homeassistant.util import dt as dt_util
from homeassistant.util.hass_dict import HassKey

from .const import DOMAIN, JITTER
from .webcast import RequestPacer

# The floor of a rate-limit wait, whatever the server says ("0 seconds" is a
# TikTokLive bug, and a server that says 1 s means "soon", not "hammer me").
RATE_LIMIT_FLOOR: Final = 30.0
# Repeated 429s double the wait, up to this.
RATE_LIMIT_MAX: Final = 3600.0

DATA_SHARED: HassKey[Shared] = HassKey(f"{DOMAIN}_shared")


class SignServerGate:
    """One sign server's (and API key's) rate limit, as every entry using it sees it."""

    def __init__(self, hass: HomeAssistant) -> None:
        """Open until a 429 holds it."""
        self._hass = hass
        self._released = asyncio.Event()
        self._released.set()
        self._release_timer: CALLBACK_TYPE | None = None
        self.hold_until: datetime | None = None
        # 429s in a row (without a successful request between them).
        self.rate_limits_in_a_row = 0

    @property
    def held(self) -> bool:
        """Whether requests to this sign server must wait."""
        return not self._released.is_set()

    def rate_limited(self, retry_after: float) -> float:
        """A 429 asked for ``retry_after`` seconds: hold everyone; the wait in seconds.

        Never less than the floor, doubled for each 429 in a row, and
        jittered only ever later: every entry behind the gate waits for the
        same release.
        """
        self.rate_limits_in_a_row += 1
        wait = max(float(retry_after), RATE_LIMIT_FLOOR) * 2.0 ** (
            self.rate_limits_in_a_row - 1
        )
        wait = min(wait, RATE_LIMIT_MAX) * random.uniform(1.0, 1.0 + JITTER)
        now = dt_util.utcnow()
        until = now + timedelta(seconds=wait)
        if not self.held or self.hold_until is None or until > self.hold_until:
            # Only ever later: a shorter answer never cuts another entry's wait.
            if self._release_timer is not None:
                self._release_timer()
            self.hold_until = until
            self._released.clear()
            self._release_timer = async_call_later(self._hass, wait, self._release)
            return wait
        return max((self.hold_until - now).total_seconds(), 0.0)

    @callback
    def _release(self, _now: datetime | None = None) -> None:
        self._release_timer = None
        self._released.set()

    def succeeded(self) -> None:
        """A request went through: the next 429 starts from the floor again."""
        self.rate_limits_in_a_row = 0

    async def wait_released(self) -> None:
        """Return once the hold ends (at once when not held)."""
        await self._released.wait()

    def close(self) -> None:
        """Stop the release timer (the last entry using the gate unloaded)."""
        if self._release_timer is not None:
            self._release_timer()
            self._release_timer = None
        self._released.set()


@dataclass
class Shared:
    """The pacer and the sign server gates of all entries, with their users."""

    pacer: RequestPacer = field(default_factory=RequestPacer)
    gates: dict[str, SignServerGate] = field(default_factory=dict)
    users: dict[str, set[str]] = field(default_factory=dict)


def _gate_key(sign_server_url: str, api_key: str | None) -> str:
    # A digest, so the key itself is never kept (or shown) as a dict key.
    digest = hashlib.sha256((api_key or "").encode()).hexdigest()[:16]
    return f"{sign_server_url.rstrip('/')}#{digest}"


def async_get_shared(hass: HomeAssistant) -> Shared:
    """The shared state of all entries (created on first use)."""
    if (shared := hass.data.get(DATA_SHARED)) is None:
        shared = hass.data[DATA_SHARED] = Shared()
    return shared


def async_acquire_gate(
    hass: HomeAssistant, entry_id: str, sign_server_url: str, api_key: str | None
) -> tuple[SignServerGate, Callable[[], None]]:
    """The gate of a sign server (and key) for an entry, and its release callback."""
    shared = async_get_shared(hass)
    key = _gate_key(sign_server_url, api_key)
    gate = shared.gates.get(key)
    if gate is None:
        gate = shared.gates[key] = SignServerGate(hass)
    shared.users.setdefault(key, set()).add(entry_id)

    @callback
    def _release() -> None:
        users = shared.users.get(key, set())
        users.discard(entry_id)
        if not users:
            shared.users.pop(key, None)
            if (stale := shared.gates.pop(key, None)) is not None:
                stale.close()

    return gate, _release
