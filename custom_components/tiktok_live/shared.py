"""What every creator's entry shares: request pacing, offline checks, each sign server's answer.

Fifty entries follow fifty creators, but they reach the same few hosts. One
request pacer spaces their requests per host; one gate per sign server (and
API key) makes a 429 for one entry hold the others back until the wait ends,
instead of each of them spending the next request inside the same window; and
offline creators are checked within a budget per minute, or all at once with
the sign server's bulk live check when an API key allows it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
import hashlib
import random
from typing import Final

from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers.event import async_call_later
from homeassistant.util import dt as dt_util
from homeassistant.util.hass_dict import HassKey

from .const import DOMAIN, JITTER, LOGGER
from .webcast import (
    PremiumEndpointError,
    RequestPacer,
    SignAPIError,
    SignAPIKeyInvalidError,
    TikTokLiveError,
)

# The floor of a rate-limit wait, whatever the server says ("0 seconds" is a
# TikTokLive bug, and a server that says 1 s means "soon", not "hammer me").
RATE_LIMIT_FLOOR: Final = 30.0
# Repeated 429s double the wait, up to this.
RATE_LIMIT_MAX: Final = 3600.0
# Offline checks of all creators together, at most this many a minute: with
# fifty creators each one is checked every 4 minutes or so, not every minute.
OFFLINE_CHECKS_PER_MINUTE: Final = 12
# With the sign server's bulk live check: one request a minute for every
# creator, and each creator's own check only this often (in case it fails).
BULK_CHECK_INTERVAL: Final = 60.0
BULK_FALLBACK_INTERVAL: Final = 15 * 60.0

type BulkCheck = Callable[[list[int]], Awaitable[dict[int, str | None]]]

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


class BulkLiveWatch:
    """The sign server's bulk live check for the offline creators behind one API key.

    Every minute one request asks about all of them; a creator found live
    has its supervisor woken at once. A plan without the endpoint (401, 402,
    403, 404) turns it off: each creator is then checked on its own again.
    """

    def __init__(self, hass: HomeAssistant) -> None:
        """Idle until creators wait for it."""
        self._hass = hass
        self._checks: dict[str, BulkCheck] = {}
        self._waiting: dict[int, Callable[[], None]] = {}
        self._timer: CALLBACK_TYPE | None = None
        self._task: asyncio.Task[None] | None = None
        # None until the sign server answered once; False: not in this plan.
        self.supported: bool | None = None
        self.requests = 0

    @property
    def usable(self) -> bool:
        """Whether creators may rely on it (not refused by the sign server)."""
        return self.supported is not False and bool(self._checks)

    def add_check(self, entry_id: str, check: BulkCheck) -> None:
        """An entry's client can ask the sign server (any one of them will do)."""
        self._checks[entry_id] = check

    def remove_check(self, entry_id: str) -> None:
        """That entry unloaded."""
        self._checks.pop(entry_id, None)

    @callback
    def wait(self, user_id: int, wake: Callable[[], None]) -> CALLBACK_TYPE:
        """Wake ``wake`` when the creator ``user_id`` is found live; the remover."""
        self._waiting[user_id] = wake
        if self._timer is None and self._task is None:
            self._timer = async_call_later(
                self._hass, BULK_CHECK_INTERVAL, self._async_tick
            )

        @callback
        def _remove() -> None:
            if self._waiting.get(user_id) is wake:
                del self._waiting[user_id]

        return _remove

    @callback
    def _async_tick(self, _now: datetime) -> None:
        self._timer = None
        if not self._waiting or not self.usable:
            return
        # A tracked task: one short request, which whoever waits for Home
        # Assistant to be done (a stop, a test) waits for too.
        self._task = self._hass.async_create_task(
            self._check(), f"{DOMAIN} bulk live check"
        )

    async def _check(self) -> None:
        check = next(iter(self._checks.values()))
        waiting = dict(self._waiting)
        self.requests += 1
        try:
            live = await check(list(waiting))
        except (PremiumEndpointError, SignAPIKeyInvalidError) as err:
            LOGGER.info("The sign server's bulk live check is not available: %s", err)
            self.supported = False
            live = {}
            # Every creator goes back to checking on its own, now.
            for wake_up in waiting.values():
                wake_up()
        except (SignAPIError, TikTokLiveError) as err:
            LOGGER.debug("Bulk live check failed: %s", err)
            live = {}
        else:
            self.supported = True
        finally:
            self._task = None
        for user_id in live:
            if (wake := self._waiting.get(user_id)) is not None:
                wake()
        if self._waiting and self.usable:
            self._timer = async_call_later(
                self._hass, BULK_CHECK_INTERVAL, self._async_tick
            )

    def close(self) -> None:
        """Stop (the last entry behind this key unloaded)."""
        if self._timer is not None:
            self._timer()
            self._timer = None
        if self._task is not None:
            self._task.cancel()
            self._task = None


@dataclass
class Shared:
    """The pacer, the sign server gates and bulk checks of all entries, and who waits."""

    pacer: RequestPacer = field(default_factory=RequestPacer)
    gates: dict[str, SignServerGate] = field(default_factory=dict)
    bulk: dict[str, BulkLiveWatch] = field(default_factory=dict)
    users: dict[str, set[str]] = field(default_factory=dict)
    # Entries whose creator is offline right now (they share the check budget).
    waiting_for_live: set[str] = field(default_factory=set)

    def offline_interval(self, interval: float) -> float:
        """Seconds between one creator's offline checks, within the shared budget."""
        budget = len(self.waiting_for_live) * 60.0 / OFFLINE_CHECKS_PER_MINUTE
        return max(interval, budget)


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
    hass: HomeAssistant,
    entry_id: str,
    sign_server_url: str,
    api_key: str | None,
    bulk_check: BulkCheck | None = None,
) -> tuple[SignServerGate, BulkLiveWatch | None, Callable[[], None]]:
    """A sign server's (and key's) gate and, with a key, its bulk live check.

    Returns them with the callback that releases the entry's use of them.
    """
    shared = async_get_shared(hass)
    key = _gate_key(sign_server_url, api_key)
    gate = shared.gates.get(key)
    if gate is None:
        gate = shared.gates[key] = SignServerGate(hass)
    watch: BulkLiveWatch | None = None
    if api_key and bulk_check is not None:
        watch = shared.bulk.get(key)
        if watch is None:
            watch = shared.bulk[key] = BulkLiveWatch(hass)
        watch.add_check(entry_id, bulk_check)
    shared.users.setdefault(key, set()).add(entry_id)

    @callback
    def _release() -> None:
        shared.waiting_for_live.discard(entry_id)
        if watch is not None:
            watch.remove_check(entry_id)
        users = shared.users.get(key, set())
        users.discard(entry_id)
        if not users:
            shared.users.pop(key, None)
            if (stale := shared.gates.pop(key, None)) is not None:
                stale.close()
            if (stale_watch := shared.bulk.pop(key, None)) is not None:
                stale_watch.close()

    return gate, watch, _release
