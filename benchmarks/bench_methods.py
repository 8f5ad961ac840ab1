"""No sign server needed: what each connection method costs, in requests and in time.

A real Home Assistant follows offline and live creators through the fake
TikTok on loopback (real client, real sockets), its clock frozen and moved by
the ``freezer``. Three measurements, each printed as a table at the end:

1. Requests a minute, for 1, 10 and 50 offline creators (one config entry
   each), counted over 10 simulated minutes after a 5-minute settle, split by
   host and path: to TikTok (api-live, the LIVE page, room info, the ttwid
   pages, others) and to the sign server (the bulk live check, fetches,
   others); once without an API key, once with a key whose plan has the sign
   server's bulk live check. Printed with the budget the constants allow and
   how often each creator was looked at (their offline check or a bulk check
   naming them): a creator going live is noticed half that gap later on
   average, the whole gap at worst. These runs give the request pacer room
   (1000 a second), as the frozen loop clock would hold its waits forever.

   Then the startup of 50 entries at once with the integration's real
   pacer (its default rate and burst per host), the clock moved to each timer
   due but never more than 0.25 s at a time, through the first 5 minutes: the
   most requests in any one second (a sliding window), per host. In the fake
   every host is 127.0.0.1, so the pacer paces them all as one host: the
   per-host figures here are bounded by one bucket for all, where TikTok's
   hosts and the sign server would each get a bucket of their own.

2. The time from "the creator goes live" to the first event, for each
   connection method (``automatic``, ``sign_server``, ``direct``, and
   ``automatic`` with the bulk live check of an API key): the creator goes
   live with a gift in the room's history (TikTok replays the last messages
   to every new connection: in the sign server's first fetch, or as the
   direct socket's first frame), several times at seeded random moments. In
   simulated time: until Live turns on (``stream_started`` on the bus), the
   room is entered and the gift reaches the bus (the detection delay, set by
   the offline check interval). In wall-clock time: the connect itself, from
   the clock step that fired the check to the gift on the bus, over loopback.

3. With ``automatic``, under a fault mix on the direct socket's upgrade
   (DEVICE_BLOCKED and TikTok's soft block, 200 with a Handshake-Msg, drawn
   per upgrade from a seeded generator): the share of connects that needed
   the sign server fallback, over 12 simulated hours of streams with a
   socket drop every few minutes (the same day for every mix). Printed per
   connect kind: direct at the first try, direct after a refused direct try
   (DEVICE_BLOCKED: a new browser identity), the sign server after a direct
   refusal (the fallback), and the sign server because automatic stays there
   for an hour after a direct refusal; with the time from a drop to the next
   socket, and why each upgrade was refused. Two variants show what the
   fake's own rules add: the direct socket also taking the ttwid the sign
   server handed out (the fake takes only those its pages minted), and the
   fake's own DEVICE_BLOCKED, which refuses that User-Agent for good.

Wall-clock numbers are noisy: the machine may be small and shared (other test
runs), and everything (Home Assistant, the client, the fake) runs on one
event loop. The benchmark asserts only sanity (requests were counted, the
creator was joined, connects happened), never a target.

Run: scripts/bench-methods  (``--newest``: Python 3.14, .venv-py314)
Environment: BENCH_METHODS_SEED (20261010), BENCH_METHODS_CREATORS (1,10,50),
BENCH_METHODS_TRIALS (20 go-lives per method), BENCH_METHODS_HOURS (12
simulated hours per fault mix), BENCH_METHODS_VERBOSE=1 (every WebSocket
upgrade of part 3, with its time and why it was refused).
"""

from __future__ import annotations

import asyncio
from collections import Counter, defaultdict
from collections.abc import Awaitable, Callable, Iterator, Sequence
import contextlib
from dataclasses import dataclass, field
from datetime import timedelta
import functools
import itertools
import json
import logging
import os
import random
import statistics
import time
from typing import Any

from freezegun import api as freezegun_api
from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.util.async_ import get_scheduled_timer_handles
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed_exact,
)

from custom_components.tiktok_live.const import (
    CONF_CONNECTION_METHOD,
    CONF_SIGN_API_KEY,
    CONF_UNIQUE_ID,
    CONF_USER_ID,
    DEFAULT_OFFLINE_CHECK_INTERVAL,
    DOMAIN,
    EVENT_TIKTOK_LIVE,
    JITTER,
)
from custom_components.tiktok_live.coordinator import TikTokLiveCoordinator
from custom_components.tiktok_live.methods import (
    DEVICE_BLOCKED_BEFORE_SWITCH,
    DIRECT_RETRY_AFTER,
    SWITCH_DELAY,
)
from custom_components.tiktok_live.shared import (
    BULK_CHECK_INTERVAL,
    BULK_FALLBACK_INTERVAL,
    DATA_SHARED,
    OFFLINE_CHECKS_PER_MINUTE,
    Shared,
)
from custom_components.tiktok_live.webcast import RequestPacer
from custom_components.tiktok_live.webcast.pacing import DEFAULT_BURST, DEFAULT_RATE
from tests.fake_tiktok import (
    FakeSocket,
    FakeTikTok,
    FaultSlot,
    Request,
    WsReply,
    faults,
    messages,
)
from tests.fake_tiktok.server import DIRECT_PUSH_PATH
from tests.integration.conftest import CREATOR, CREATOR_ID, make_entry

SEED = int(os.environ.get("BENCH_METHODS_SEED", "20261010"))
CREATOR_COUNTS = [
    int(n) for n in os.environ.get("BENCH_METHODS_CREATORS", "1,10,50").split(",")
]
TRIALS = int(os.environ.get("BENCH_METHODS_TRIALS", "20"))
HOURS = float(os.environ.get("BENCH_METHODS_HOURS", "12"))
VERBOSE = os.environ.get("BENCH_METHODS_VERBOSE", "") not in ("", "0")

API_KEY = "paid-key"
API_LIVE = "/api-live/user/room/"
ROOM_INFO = "/webcast/room/info/"
CHECK_ALIVE = "/webcast/room/check_alive/"
BULK = "/sign/webcast/bulk_live_check"
SIGNED_PUSH = "/ws"
SIGN_FALLBACK_PUSH = "/ws-fallback"
FIRST_USER_ID = 100
DOMAIN_LOGGER = f"custom_components.{DOMAIN}"
TTWID_PAGES = ("ttwid page: home", "ttwid page: profile")

# Part 1: the windows, and the startup with the real pacer.
SETTLE = 5 * 60
MEASURE = 10 * 60
RATE_STEP = 5.0
STARTUP_CREATORS = 50
STARTUP_WINDOW = 5 * 60
STARTUP_MAX_STEP = 0.25
# Past a timer's due time by this much, so the tick surely reaches it.
TIMER_SLACK = 0.001
# The clock's largest step while nobody streams, and while a socket is open.
MAX_STEP_OFFLINE = 30.0
MAX_STEP_STREAMING = 5.0
# A wait for the integration (or the fake) longer than this is a hang.
WALL_GUARD = 30.0

# Part 2: how long the creator stays offline between two go-lives.
OFFLINE_BETWEEN = (20.0, 140.0)
DETECTION_LIMIT = 30 * 60.0
GIFT_USER_BASE = 7_700_000_000_000_000_000

# Part 3: the day's shape, and the fault mixes on the direct upgrade.
OFFLINE_MINUTES = (5, 20)
STREAM_MINUTES = (40, 80)
DROP_EVERY_MINUTES = (2.0, 5.0)


@dataclass(frozen=True)
class FaultMix:
    """Chances, per direct upgrade, of each refusal."""

    label: str
    device_blocked: float
    soft_block: float
    # The fake's own DEVICE_BLOCKED keeps refusing that User-Agent for good.
    sticky_agent: bool = False
    # The direct socket takes the ttwid the sign server handed out, as well as
    # the ones TikTok's pages minted (the fake takes only the latter).
    sign_ttwid_ok: bool = False


FAULT_MIXES = [
    FaultMix("DEVICE_BLOCKED 10%", 0.10, 0.0),
    FaultMix("soft block 10%", 0.0, 0.10),
    FaultMix("DEVICE_BLOCKED 25% + soft block 10%", 0.25, 0.10),
    FaultMix("the same, the sign server's ttwid taken", 0.25, 0.10, sign_ttwid_ok=True),
    FaultMix("DEVICE_BLOCKED 10%, User-Agent kept refused", 0.10, 0.0, True),
]


def wall_clock() -> float:
    """Real seconds (the freezer holds every clock Home Assistant and asyncio read).

    Looked up on freezegun's module at each call: freezegun swaps a copy
    imported into this module for its fake.
    """
    return freezegun_api.real_perf_counter()


def report(*lines: str) -> None:
    """A benchmark's output."""
    for line in lines:
        print(line, flush=True)  # noqa: T201


def kind_of(path: str) -> tuple[str, str]:
    """(host, kind) of a request to the fake, by path."""
    if path.startswith("/sign/"):
        if path == BULK:
            return "sign server", "bulk live check"
        if path == "/sign/webcast/fetch" or (
            path.startswith("/sign/webcast/rooms/") and path.endswith("/connect")
        ):
            return "sign server", "fetch"
        if "sign_url" in path:
            return "sign server", "sign_url"
        if "rate_limits" in path:
            return "sign server", "rate limits"
        return "sign server", "other"
    if path == API_LIVE:
        return "www.tiktok.com", "api-live"
    if path.startswith("/@") and path.endswith("/live"):
        return "www.tiktok.com", "LIVE page"
    if path == "/":
        return "www.tiktok.com", "ttwid page: home"
    if path.startswith("/@") and "/" not in path[2:]:
        return "www.tiktok.com", "ttwid page: profile"
    if path == DIRECT_PUSH_PATH:
        return "push (WebSocket)", "direct upgrade"
    if path == SIGNED_PUSH:
        return "push (WebSocket)", "signed upgrade"
    if path == SIGN_FALLBACK_PUSH:
        return "sign server push host", "fallback upgrade"
    if path == ROOM_INFO:
        return "webcast.tiktok.com", "room info"
    if path == CHECK_ALIVE:
        return "webcast.tiktok.com", "check_alive"
    if path.startswith("/webcast/"):
        return "webcast.tiktok.com", "other"
    return "www.tiktok.com", "other"


def peak_in_one_second(times: Sequence[float]) -> tuple[int, float]:
    """The most events in any window [t, t + 1 s), and where it starts."""
    ordered = sorted(times)
    best, at, low = 0, 0.0, 0
    for high, t in enumerate(ordered):
        while t - ordered[low] >= 1.0 - 1e-9:
            low += 1
        if high - low + 1 > best:
            best, at = high - low + 1, ordered[low]
    return best, at


def fmt_seconds(values: Sequence[float]) -> str:
    """Mean / min / max of simulated seconds."""
    if not values:
        return "-"
    return f"{statistics.fmean(values):5.1f} / {min(values):5.1f} / {max(values):5.1f}"


def fmt_ms(values: Sequence[float]) -> str:
    """Median / min / max of wall-clock seconds, in ms."""
    if not values:
        return "-"
    ms = [v * 1000 for v in values]
    return f"{statistics.median(ms):6.1f} / {min(ms):6.1f} / {max(ms):6.1f}"


async def guarded(awaitable: Awaitable[Any], what: str) -> None:
    """Await, but fail loudly (not hang) if the frozen clock blocks it."""
    task = asyncio.ensure_future(awaitable)
    start = wall_clock()
    while not task.done():
        await asyncio.sleep(0)
        if wall_clock() - start > WALL_GUARD:
            task.cancel()
            raise AssertionError(f"{what} did not finish within {WALL_GUARD} s")
    task.result()


async def until(predicate: Callable[[], bool], what: str) -> None:
    """Until ``predicate()`` holds, yielding to the loop; fail loudly rather than hang."""
    start = wall_clock()
    while not predicate():
        await asyncio.sleep(0)
        if wall_clock() - start > WALL_GUARD:
            raise AssertionError(f"{what}: not within {WALL_GUARD} s")


def add_entries(
    hass: HomeAssistant,
    fake: FakeTikTok,
    count: int,
    *,
    options: dict[str, Any] | None = None,
    **data: Any,
) -> list[MockConfigEntry]:
    """``count`` offline creators, one entry each."""
    entries = []
    for n in range(count):
        unique_id, user_id = f"creator_{n}", FIRST_USER_ID + n
        fake.add_creator(unique_id, user_id=user_id)
        base = make_entry(fake, options=options, **data)
        entry = MockConfigEntry(
            domain=DOMAIN,
            title=f"@{unique_id}",
            unique_id=str(user_id),
            data={**base.data, CONF_UNIQUE_ID: unique_id, CONF_USER_ID: user_id},
            options=dict(base.options),
            minor_version=2,
        )
        entry.add_to_hass(hass)
        entries.append(entry)
    return entries


def give_the_pacer_room(hass: HomeAssistant) -> None:
    """The pacer waits on the loop's clock, which is frozen here: room for any burst."""
    hass.data[DATA_SHARED] = Shared(pacer=RequestPacer(rate=1000.0, burst=1000.0))


def use_plan_with_bulk_check(fake: FakeTikTok) -> dict[str, Any]:
    """The sign server's bulk live check for the premium key; the entry data for it."""
    fake.premium_endpoints.add(BULK)
    fake.premium_api_keys.add(API_KEY)
    return {CONF_SIGN_API_KEY: API_KEY}


class Clock:
    """Home Assistant's frozen clock, moved in steps; the entries settle after each."""

    def __init__(
        self,
        hass: HomeAssistant,
        freezer: FrozenDateTimeFactory,
        coordinators: list[TikTokLiveCoordinator],
    ) -> None:
        self.hass = hass
        self.freezer = freezer
        self.coordinators = coordinators
        self.t = 0.0
        self.steps = 0

    async def settle(self) -> None:
        """Until every entry waits or streams: no request in flight."""
        await self.hass.async_block_till_done()
        await guarded(
            asyncio.gather(*(c.async_wait_settled() for c in self.coordinators)),
            "settling",
        )

    async def step(self, seconds: float) -> None:
        """Move on by ``seconds``; what became due runs, then everyone settles."""
        self.freezer.tick(timedelta(seconds=seconds))
        async_fire_time_changed_exact(self.hass)
        self.t += seconds
        self.steps += 1
        await self.settle()

    def next_timer(self) -> float | None:
        """Seconds until the next timer on the loop is due (None: no timer)."""
        loop = self.hass.loop
        due = [
            handle.when()
            for handle in get_scheduled_timer_handles(loop)
            if not handle.cancelled()
        ]
        return min(due) - loop.time() if due else None

    async def to_next_timer(self, max_step: float, until: float | None = None) -> None:
        """One step: to the next timer due, at most ``max_step`` (and not past ``until``)."""
        step = max_step
        if (due := self.next_timer()) is not None:
            step = min(step, due + TIMER_SLACK)
        if until is not None:
            step = min(step, until - self.t)
        await self.step(max(step, TIMER_SLACK))

    async def run(self, seconds: float, *, max_step: float = RATE_STEP) -> None:
        """``seconds`` on, stopping at every timer due."""
        end = self.t + seconds
        while self.t < end - TIMER_SLACK / 2:
            await self.to_next_timer(max_step, until=end)


@pytest.fixture(scope="module", autouse=True)
def _quiet_setup_logs() -> Iterator[None]:
    """Fifty entries' "Registered new entity" lines would bury the numbers."""
    wanted = {
        "homeassistant": logging.WARNING,
        "asyncio": logging.WARNING,
        # "We found a custom integration ... not tested by Home Assistant".
        "homeassistant.loader": logging.ERROR,
        # "unreachable ...; retrying", "reachable again": part 3 has dozens.
        DOMAIN_LOGGER: logging.INFO if VERBOSE else logging.ERROR,
    }
    loggers = [logging.getLogger(name) for name in wanted]
    levels = [logger.level for logger in loggers]
    for logger, level in zip(loggers, wanted.values(), strict=True):
        logger.setLevel(level)
    yield
    for logger, level in zip(loggers, levels, strict=True):
        logger.setLevel(level)


# ------------------------------------------------------------ part 1: rates


@dataclass
class RateResult:
    """Requests of one run, over the measured window."""

    creators: int
    key: bool
    minutes: float
    tiktok: Counter[str] = field(default_factory=Counter)
    sign: Counter[str] = field(default_factory=Counter)
    push: Counter[str] = field(default_factory=Counter)
    gaps: list[float] = field(default_factory=list)
    setup_requests: Counter[str] = field(default_factory=Counter)
    wall: float = 0.0

    def per_minute(self, counter: Counter[str], *kinds: str) -> float:
        """Requests a minute of these kinds (all of them when none is named)."""
        total = sum(counter[k] for k in kinds) if kinds else sum(counter.values())
        return total / self.minutes


RATE_RESULTS: list[RateResult] = []


def watch_gaps(
    fake: FakeTikTok, requests: Sequence[Request], after: float
) -> list[float]:
    """Seconds between two looks at the same creator: its own check, or a bulk check naming it.

    Only gaps ending after ``after`` count (the measured window).
    """
    user_ids = {c.unique_id: c.user_id for c in fake.creators.values()}
    looks: defaultdict[int, list[float]] = defaultdict(list)
    for request in requests:
        if request.path == API_LIVE:
            user_id = user_ids.get(request.query.get("uniqueId", ""))
            if user_id is not None:
                looks[user_id].append(request.at)
        elif request.path == BULK:
            with contextlib.suppress(ValueError, KeyError, TypeError):
                for user_id in json.loads(request.body)["user_numeric_ids"]:
                    looks[int(user_id)].append(request.at)
    gaps: list[float] = []
    for times in looks.values():
        times.sort()
        gaps.extend(b - a for a, b in itertools.pairwise(times) if b > after)
    return gaps


@pytest.mark.parametrize("key", [False, True], ids=["no_key", "bulk_key"])
@pytest.mark.parametrize("count", CREATOR_COUNTS, ids=lambda n: f"{n}_creators")
async def test_requests_a_minute(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    fake_tiktok: FakeTikTok,
    count: int,
    key: bool,
) -> None:
    """Offline creators: requests a minute to TikTok and the sign server, by path."""
    hass.loop.set_debug(False)  # a stack per handle costs more than the run
    random.seed(SEED + count)  # the integration's jitter and browser picks
    fake = fake_tiktok
    wall_start = wall_clock()
    data = use_plan_with_bulk_check(fake) if key else {}
    entries = add_entries(hass, fake, count, **data)
    give_the_pacer_room(hass)
    assert await hass.config_entries.async_setup(entries[0].entry_id)
    await hass.async_block_till_done()
    assert all(e.state is ConfigEntryState.LOADED for e in entries)
    clock = Clock(hass, freezer, [e.runtime_data for e in entries])
    await clock.settle()
    setup_requests = Counter(kind_of(r.path)[1] for r in fake.requests)
    await clock.run(SETTLE)
    first = len(fake.requests)
    window_start = time.monotonic()  # frozen: the fake's clock
    await clock.run(MEASURE)
    window = fake.requests[first:]
    result = RateResult(count, key, MEASURE / 60, setup_requests=setup_requests)
    for request in window:
        host, kind = kind_of(request.path)
        if host == "sign server":
            result.sign[kind] += 1
        elif host.startswith(("push", "sign server push")):
            result.push[kind] += 1
        else:
            result.tiktok[kind] += 1
    result.gaps = watch_gaps(fake, fake.requests, window_start)
    result.wall = wall_clock() - wall_start
    RATE_RESULTS.append(result)
    report(
        f"  [requests] {count} creators, {'bulk key' if key else 'no key'}: "
        f"{len(window)} requests in {MEASURE // 60} min, {clock.steps} steps, "
        f"{result.wall:.1f} s wall"
    )
    # Sanity: the creators were looked at, nobody went live.
    assert window
    assert result.gaps
    assert not fake.sockets


def rate_budget(count: int, key: bool) -> tuple[float, float]:
    """(api-live, bulk) a minute that the constants allow, on average."""
    if key:
        return count * 60 / BULK_FALLBACK_INTERVAL, 60 / BULK_CHECK_INTERVAL
    interval = max(
        DEFAULT_OFFLINE_CHECK_INTERVAL, count * 60 / OFFLINE_CHECKS_PER_MINUTE
    )
    return count * 60 / interval, 0.0


def rate_table() -> list[str]:
    """Part 1's table."""
    if not RATE_RESULTS:
        return []
    lines = [
        "",
        f"1. requests a minute, offline creators (one entry each): {MEASURE // 60} "
        f"simulated minutes after a {SETTLE // 60}-minute settle, clock to each "
        f"timer due (at most {RATE_STEP:.0f} s a step)",
        f"   constants: DEFAULT_OFFLINE_CHECK_INTERVAL {DEFAULT_OFFLINE_CHECK_INTERVAL} s, "
        f"OFFLINE_CHECKS_PER_MINUTE {OFFLINE_CHECKS_PER_MINUTE}, BULK_CHECK_INTERVAL "
        f"{BULK_CHECK_INTERVAL:.0f} s, BULK_FALLBACK_INTERVAL {BULK_FALLBACK_INTERVAL:.0f} s, "
        f"JITTER {JITTER:.0%}",
        "   budget: without a key min(creators, "
        f"{OFFLINE_CHECKS_PER_MINUTE}) api-live a minute; with the bulk check 1 bulk a minute "
        f"+ creators/{BULK_FALLBACK_INTERVAL / 60:.0f} api-live a minute",
        "",
        "                     |              TikTok, requests a minute               |"
        "   sign server, a minute   |    budget     | a creator looked at",
        "  creators  API key  |  total api-live LIVE-page room-info ttwid-pg   other |"
        "  total   bulk  fetch other | api-live bulk | every (mean / max)",
    ]
    for r in RATE_RESULTS:
        api_budget, bulk_budget = rate_budget(r.creators, r.key)
        known = ("api-live", "LIVE page", "room info", *TTWID_PAGES)
        other_tiktok = sum(v for k, v in r.tiktok.items() if k not in known)
        other_sign = sum(
            v for k, v in r.sign.items() if k not in ("bulk live check", "fetch")
        )
        gaps = (
            f"{statistics.fmean(r.gaps):5.0f} s / {max(r.gaps):5.0f} s"
            if r.gaps
            else "-"
        )
        lines.append(
            f"  {r.creators:>8}  {'bulk' if r.key else 'none':<7} |"
            f" {r.per_minute(r.tiktok):6.2f} {r.per_minute(r.tiktok, 'api-live'):8.2f}"
            f" {r.per_minute(r.tiktok, 'LIVE page'):9.2f}"
            f" {r.per_minute(r.tiktok, 'room info'):9.2f}"
            f" {r.per_minute(r.tiktok, *TTWID_PAGES):8.2f}"
            f" {other_tiktok / r.minutes:7.2f} |"
            f" {r.per_minute(r.sign):6.2f} {r.per_minute(r.sign, 'bulk live check'):6.2f}"
            f" {r.per_minute(r.sign, 'fetch'):6.2f} {other_sign / r.minutes:5.2f} |"
            f" {api_budget:8.2f} {bulk_budget:4.2f} | {gaps}"
        )
    lines.append(
        "  at setup (before the settle): "
        + "; ".join(
            f"{r.creators} {'bulk' if r.key else 'none'}: "
            + ", ".join(f"{k} {v}" for k, v in sorted(r.setup_requests.items()))
            for r in RATE_RESULTS
        )
    )
    odd = [
        f"{r.creators} {'bulk' if r.key else 'none'}: "
        + ", ".join(f"{k} {v}" for k, v in sorted((r.tiktok + r.push).items()))
        for r in RATE_RESULTS
        if set(r.tiktok) - {"api-live"} or r.push
    ]
    if odd:
        lines.append(
            "  TikTok paths other than api-live in the window: " + "; ".join(odd)
        )
    return lines


# -------------------------------------------------------- part 1: startup peak


class LoggingPacer(RequestPacer):
    """The real pacer, that also logs each turn it gives and counts who waits for one."""

    def __init__(self) -> None:
        super().__init__(rate=DEFAULT_RATE, burst=DEFAULT_BURST)
        self.turns: list[tuple[float, str]] = []
        self.waiting = 0

    async def turn(self, host: str) -> None:
        """Wait for the turn (counted while waiting), then log it."""
        self.waiting += 1
        try:
            await super().turn(host)
        finally:
            self.waiting -= 1
        self.turns.append((asyncio.get_running_loop().time(), host))


@dataclass
class StartupResult:
    """The first minutes of 50 entries with the real pacer."""

    key: bool
    all_loaded_at: float
    requests: int
    peak_by_host: dict[str, tuple[int, float]]
    peak_turns: dict[str, tuple[int, float]]
    first_second: int
    steps: int
    wall: float


STARTUP_RESULTS: list[StartupResult] = []


@pytest.mark.parametrize("key", [False, True], ids=["no_key", "bulk_key"])
async def test_startup_peak(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    fake_tiktok: FakeTikTok,
    key: bool,
) -> None:
    """50 entries start at once, with the real pacer: the busiest second per host."""
    hass.loop.set_debug(False)
    random.seed(SEED)
    fake = fake_tiktok
    wall_start = wall_clock()
    data = use_plan_with_bulk_check(fake) if key else {}
    entries = add_entries(hass, fake, STARTUP_CREATORS, **data)
    pacer = LoggingPacer()
    hass.data[DATA_SHARED] = Shared(pacer=pacer)
    loop = hass.loop
    t0 = loop.time()
    mono0 = time.monotonic()  # frozen: the fake's clock

    async def quiet() -> None:
        """Until nothing moves without the clock: everyone waits, streams, or waits for a turn."""
        waiters: dict[str, asyncio.Future[None]] = {}
        start = wall_clock()
        try:
            while True:
                await asyncio.sleep(0)
                busy = 0
                for entry in entries:
                    if entry.state is not ConfigEntryState.LOADED:
                        busy += 1  # its setup (and first check) still runs
                        continue
                    waiter = waiters.get(entry.entry_id)
                    if waiter is None:
                        coordinator: TikTokLiveCoordinator = entry.runtime_data
                        waiter = waiters[entry.entry_id] = asyncio.ensure_future(
                            coordinator.async_wait_settled()
                        )
                    busy += not waiter.done()
                if busy <= pacer.waiting and len(fake.requests) >= len(pacer.turns):
                    return
                if wall_clock() - start > WALL_GUARD:
                    raise AssertionError(
                        f"startup: {busy} entries busy, {pacer.waiting} waiting for a turn"
                    )
        finally:
            for waiter in waiters.values():
                waiter.cancel()

    # Not awaited here: the setup of 50 entries waits for the pacer, whose
    # waits end only as the clock moves.
    setup = asyncio.ensure_future(hass.config_entries.async_setup(entries[0].entry_id))
    await quiet()
    steps = 0
    all_loaded_at: float | None = None
    while (now := loop.time() - t0) < STARTUP_WINDOW:
        step = STARTUP_MAX_STEP
        due = [h.when() for h in get_scheduled_timer_handles(loop) if not h.cancelled()]
        if due:
            step = min(step, min(due) - loop.time() + TIMER_SLACK)
        freezer.tick(timedelta(seconds=max(step, TIMER_SLACK)))
        async_fire_time_changed_exact(hass)
        steps += 1
        await quiet()
        if all_loaded_at is None and setup.done():
            all_loaded_at = now
    assert setup.done()
    assert setup.result()
    await hass.async_block_till_done()
    requests = [r for r in fake.requests if r.at - mono0 < STARTUP_WINDOW]
    by_host: defaultdict[str, list[float]] = defaultdict(list)
    for request in requests:
        by_host[kind_of(request.path)[0]].append(request.at - mono0)
    turns_by_host: defaultdict[str, list[float]] = defaultdict(list)
    for at, host in pacer.turns:
        turns_by_host[host or "?"].append(at - t0)
    result = StartupResult(
        key=key,
        all_loaded_at=all_loaded_at or 0.0,
        requests=len(requests),
        peak_by_host={h: peak_in_one_second(ts) for h, ts in sorted(by_host.items())},
        peak_turns={
            h: peak_in_one_second(ts) for h, ts in sorted(turns_by_host.items())
        },
        first_second=sum(1 for r in requests if r.at - mono0 < 1.0),
        steps=steps,
        wall=wall_clock() - wall_start,
    )
    STARTUP_RESULTS.append(result)
    report(
        f"  [startup] {STARTUP_CREATORS} entries, {'bulk key' if key else 'no key'}: "
        f"{len(requests)} requests in {STARTUP_WINDOW // 60} min, {steps} steps, "
        f"{result.wall:.1f} s wall"
    )
    assert requests


def startup_table() -> list[str]:
    """Part 1's startup lines."""
    if not STARTUP_RESULTS:
        return []
    lines = [
        "",
        f"   startup of {STARTUP_CREATORS} entries at once with the real pacer "
        f"({DEFAULT_RATE:.0f}/s a host after a burst of {DEFAULT_BURST:.0f}: at most "
        f"{DEFAULT_BURST + DEFAULT_RATE:.0f} in any second), first {STARTUP_WINDOW // 60} "
        f"simulated minutes, clock to each timer due, at most {STARTUP_MAX_STEP} s a step",
        "   (the fake is one host, 127.0.0.1, for all: the pacer paced every path as one "
        "host here; the split by host is by path)",
    ]
    for r in STARTUP_RESULTS:
        turns = ", ".join(
            f"{host} {peak} (at {at:.2f} s)"
            for host, (peak, at) in r.peak_turns.items()
        )
        hosts = ", ".join(
            f"{host} {peak} (at {at:.2f} s)"
            for host, (peak, at) in r.peak_by_host.items()
        )
        lines += [
            f"  {'with the bulk key' if r.key else 'without a key'}: {r.requests} "
            f"requests, all {STARTUP_CREATORS} entries loaded after {r.all_loaded_at:.2f} s, "
            f"{r.first_second} requests in the first second",
            f"    most in any one second, turns the pacer gave: {turns}",
            f"    most in any one second, arrivals by host: {hosts}",
        ]
    return lines


# ------------------------------------------------------- part 2: time to event


class WallStamps:
    """When (wall clock) each request reached the fake and each socket entered its room."""

    def __init__(self, fake: FakeTikTok) -> None:
        self.fake = fake
        self.requests: dict[int, float] = {}
        self.entered: dict[int, float] = {}
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Watch in the background."""
        self._task = asyncio.ensure_future(self._watch())

    async def stop(self) -> None:
        """Stop watching."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _watch(self) -> None:
        fake = self.fake
        seen = 0

        def news() -> bool:
            return len(fake.requests) > seen or any(
                s.entered and id(s) not in self.entered for s in fake.sockets
            )

        while True:
            # The loop's clock is frozen: this timeout is only a formality.
            await fake.wait_for(news, timeout=1e9)
            now = wall_clock()
            for request in fake.requests[seen:]:
                self.requests[id(request)] = now
            seen = len(fake.requests)
            for socket in fake.sockets:
                if socket.entered and id(socket) not in self.entered:
                    self.entered[id(socket)] = now


def gift_or_closed(gifts: dict[int, Any], marker: int, socket: FakeSocket) -> bool:
    """Whether the gift reached the bus, or its socket closed (then it never will)."""
    return marker in gifts or socket.closed


@dataclass
class Joined:
    """One go-live, until the first gift reached the bus."""

    live_on: float  # simulated seconds from going live to stream_started
    entered: float  # ... to the room entered
    gift: float  # ... to the gift on the bus
    wall_check: float  # wall seconds from the clock step to the live check
    wall_upgrade: float  # ... to the WebSocket upgrade request
    wall_entered: float  # ... to the room entered
    wall_gift: float  # ... to the gift on the bus
    paths: Counter[str]
    direct: bool


@dataclass
class JoinResult:
    """Every go-live of one method."""

    label: str
    joins: list[Joined]
    wall: float


JOIN_RESULTS: list[JoinResult] = []
JOIN_CASES = [
    ("automatic", False),
    ("sign_server", False),
    ("direct", False),
    ("automatic", True),
]


@pytest.mark.parametrize(
    ("method", "key"),
    JOIN_CASES,
    ids=[f"{m}{'_bulk_key' if k else ''}" for m, k in JOIN_CASES],
)
async def test_time_to_first_event(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    fake_tiktok: FakeTikTok,
    method: str,
    key: bool,
) -> None:
    """The creator goes live: simulated time to Live, the room and the first gift; wall time of the connect."""
    hass.loop.set_debug(False)
    random.seed(SEED)
    rng = random.Random(f"{SEED}-{method}-{key}")
    fake = fake_tiktok
    fake.answer_heartbeats = True
    wall_start = wall_clock()
    creator = fake.add_creator(CREATOR, user_id=CREATOR_ID, nickname="The Streamer")
    data = use_plan_with_bulk_check(fake) if key else {}
    entry = make_entry(fake, options={CONF_CONNECTION_METHOD: method}, **data)
    give_the_pacer_room(hass)
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    coordinator: TikTokLiveCoordinator = entry.runtime_data
    clock = Clock(hass, freezer, [coordinator])
    await clock.settle()

    gifts: dict[int, tuple[float, float]] = {}  # marker -> (simulated, wall)
    started: list[tuple[float, float]] = []

    @callback
    def on_event(event: Event[Any]) -> None:
        if event.data.get("simulated"):
            return
        if event.data["type"] == "gift":
            gifts[int(event.data["user_id"])] = (clock.t, wall_clock())
        elif event.data["type"] == "stream_started":
            started.append((clock.t, wall_clock()))

    remove = hass.bus.async_listen(EVENT_TIKTOK_LIVE, on_event)
    stamps = WallStamps(fake)
    stamps.start()
    joins: list[Joined] = []
    try:
        for trial in range(TRIALS):
            offline_until = clock.t + rng.uniform(*OFFLINE_BETWEEN)
            while clock.t < offline_until:
                await clock.to_next_timer(MAX_STEP_OFFLINE, until=offline_until)
            marker = GIFT_USER_BASE + trial
            creator.go_live(title=f"Stream {trial}", viewers=10)
            creator.history = [
                messages.gift(
                    messages.user(marker, f"fan_{trial}", f"Fan {trial}"), "Rose"
                )
            ]
            live_at = clock.t
            first_request = len(fake.requests)
            sockets_before = len(fake.sockets)
            started_before = len(started)
            while True:
                assert clock.t - live_at < DETECTION_LIMIT, (
                    "the creator was never joined"
                )
                step_wall = wall_clock()
                await clock.to_next_timer(MAX_STEP_OFFLINE)
                if len(fake.sockets) > sockets_before:
                    break
            socket = fake.sockets[sockets_before]
            # The gift, unless the connection ended without it (a bug: it fails below).
            await until(
                functools.partial(gift_or_closed, gifts, marker, socket),
                "the first gift on the bus",
            )
            assert marker in gifts, f"the socket closed before the gift: {socket!r}"
            since = fake.requests[first_request:]
            check = next(r for r in since if r.path == API_LIVE)
            gift_t, gift_wall = gifts[marker]
            live_t = (
                started[started_before][0] if len(started) > started_before else gift_t
            )
            joins.append(
                Joined(
                    live_on=live_t - live_at,
                    entered=clock.t - live_at,
                    gift=gift_t - live_at,
                    wall_check=stamps.requests[id(check)] - step_wall,
                    wall_upgrade=stamps.requests[id(socket.request)] - step_wall,
                    wall_entered=stamps.entered.get(id(socket), gift_wall) - step_wall,
                    wall_gift=gift_wall - step_wall,
                    paths=Counter(
                        kind_of(r.path)[1]
                        for r in since
                        if stamps.requests.get(id(r), 0.0) >= step_wall
                    ),
                    direct=socket.direct,
                )
            )
            await creator.end_stream()
            if fake.open_sockets(creator):
                await guarded(fake.sync(creator), "the end of the stream")
            await guarded(fake.wait_closed(socket), "closing after the stream ended")
            await guarded(coordinator.async_wait_idle(), "going back to offline checks")
    finally:
        await stamps.stop()
        remove()
    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()
    label = f"{method}{' + bulk key' if key else ''}"
    result = JoinResult(label, joins, wall_clock() - wall_start)
    JOIN_RESULTS.append(result)
    report(
        f"  [first event] {label}: {len(joins)} go-lives, {clock.steps} steps, "
        f"{result.wall:.1f} s wall"
    )
    # Sanity: every go-live was joined, the way the method says.
    assert len(joins) == TRIALS
    if method == "sign_server":
        assert not any(j.direct for j in joins)
    else:
        assert all(j.direct for j in joins)


def join_table() -> list[str]:
    """Part 2's table."""
    if not JOIN_RESULTS:
        return []
    joins = [j for r in JOIN_RESULTS for j in r.joins]
    one_step = all(j.live_on == j.entered == j.gift for j in joins)
    lines = [
        "",
        f"2. from going live to the first event, 1 creator, {TRIALS} go-lives per method "
        f"at seeded random moments (offline {OFFLINE_BETWEEN[0]:.0f}-"
        f"{OFFLINE_BETWEEN[1]:.0f} s in between); the offline check every "
        f"{DEFAULT_OFFLINE_CHECK_INTERVAL} s +-{JITTER:.0%}, the bulk check every "
        f"{BULK_CHECK_INTERVAL:.0f} s",
        "   simulated seconds (mean / min / max) from going live to the gift (in the "
        "room's history) on the bus"
        + (
            ": Live on (stream_started) and the room entered came in the same clock "
            "step every time"
            if one_step
            else "; Live on (stream_started) and the room entered:"
        ),
        "   wall-clock ms (median / min / max) from the start of the clock step that "
        "fired the check: to the api-live check, the upgrade request, the room "
        "entered, the gift on the bus",
        "",
        "  method                  | simulated s: gift on the bus"
        + ("" if one_step else "   Live on                room entered         ")
        + " | wall ms: check         upgrade                entered                "
        "gift on the bus",
    ]
    for r in JOIN_RESULTS:
        j = r.joins
        sim = f"{fmt_seconds([x.gift for x in j]):>28}"
        if not one_step:
            sim += (
                f"   {fmt_seconds([x.live_on for x in j])}   "
                f"{fmt_seconds([x.entered for x in j])}"
            )
        lines.append(
            f"  {r.label:<23} | {sim} | "
            f"{fmt_ms([x.wall_check for x in j])}   {fmt_ms([x.wall_upgrade for x in j])}   "
            f"{fmt_ms([x.wall_entered for x in j])}   {fmt_ms([x.wall_gift for x in j])}"
        )
    lines.append("  requests in the clock step that joined (all go-lives together):")
    for r in JOIN_RESULTS:
        paths: Counter[str] = sum((x.paths for x in r.joins), Counter())
        lines.append(
            f"    {r.label:<23} "
            + ", ".join(f"{k} {v}" for k, v in sorted(paths.items()))
            + f"  ({sum(x.direct for x in r.joins)} direct, "
            f"{sum(not x.direct for x in r.joins)} signed sockets)"
        )
    return lines


# ------------------------------------------------------ part 3: the fallback


class DrawnRefusals(FaultSlot[WsReply]):
    """The direct upgrade's slot: a refusal drawn per upgrade (after any queued fault)."""

    def __init__(self, mix: FaultMix, rng: random.Random) -> None:
        super().__init__("direct_handshake")
        self._mix = mix
        self.sticky_agent = mix.sticky_agent
        self._rng = rng
        self.drawn: list[str] = []

    def take(self) -> WsReply | None:
        if self.queue or self.sticky is not None:
            return super().take()
        roll = self._rng.random()
        fault: WsReply | None = None
        if roll < self._mix.device_blocked:
            fault = (
                faults.device_blocked()
                if self._mix.sticky_agent
                else WsReply(status=415, handshake_msg="DEVICE_BLOCKED")
            )
            self.drawn.append("DEVICE_BLOCKED")
        elif roll < self._mix.device_blocked + self._mix.soft_block:
            fault = faults.blocked(200, "illegal secret key")
            self.drawn.append("soft block")
        else:
            self.drawn.append("none")
        if fault is not None:
            self.used.append(fault)
        return fault


def refusal_reason(
    fake: FakeTikTok, request: Request, drawn: str, blocked_now: set[str]
) -> str:
    """Why the fake refused an upgrade, as far as the request shows (its own order)."""
    if drawn not in ("-", "none"):
        return f"drawn {drawn}"
    ttwid = request.cookies.get("ttwid", "")
    if request.header("User-Agent") in blocked_now:
        return "User-Agent kept refused"
    if request.path == DIRECT_PUSH_PATH and ttwid not in fake.minted_ttwids:
        if SIGN_TTWID in ttwid:
            return "DEVICE_BLOCKED: its ttwid came from the sign server"
        return "DEVICE_BLOCKED: no ttwid TikTok minted"
    return "other"


@dataclass
class FallbackResult:
    """Every connect of one fault mix."""

    mix: FaultMix
    connects: Connects
    drawn: Counter[str]
    sign_fetches: int
    blocked_agents: int
    gave_up: int
    wall: float


FALLBACK_RESULTS: list[FallbackResult] = []
KIND_DIRECT = "direct, first try"
KIND_DIRECT_RETRY = "direct after a refused direct try"
KIND_FALLBACK = "sign server after a direct refusal"
KIND_STAYED = "sign server, automatic stayed there"
KINDS = (KIND_DIRECT, KIND_DIRECT_RETRY, KIND_FALLBACK, KIND_STAYED)
TRIGGER_START = "stream start"
# What the fake's sign server puts in the ttwid it hands out (X-Set-TT-Cookie).
SIGN_TTWID = "fake-ttwid-"
TRIGGER_DROP = "drop"


def schedule(rng: random.Random, hours: float) -> Iterator[tuple[float, str]]:
    """(time, "live" | "drop" | "end") of a few hours of streams."""
    t = 0.0
    while True:
        t += rng.uniform(*OFFLINE_MINUTES) * 60
        end = t + rng.uniform(*STREAM_MINUTES) * 60
        if end > hours * 3600:
            return
        yield t, "live"
        at = t + rng.uniform(*DROP_EVERY_MINUTES) * 60
        while at < end - 60:
            yield at, "drop"
            at += rng.uniform(*DROP_EVERY_MINUTES) * 60
        yield end, "end"
        t = end


@pytest.mark.parametrize("mix", FAULT_MIXES, ids=[m.label for m in FAULT_MIXES])
async def test_fallback_share(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    fake_tiktok: FakeTikTok,
    mix: FaultMix,
) -> None:
    """Automatic under refusals of the direct upgrade: how many connects needed the sign server."""
    hass.loop.set_debug(False)
    random.seed(SEED)
    # The same day for every mix, and the same draws for the same chances.
    rng = random.Random(f"{SEED}-day")
    fake = fake_tiktok
    fake.answer_heartbeats = True
    wall_start = wall_clock()
    mono0 = time.monotonic()  # frozen: the fake's clock
    slot = DrawnRefusals(
        mix, random.Random(f"{SEED}-{mix.device_blocked}-{mix.soft_block}")
    )
    fake.faults.direct_handshake = slot
    if mix.sign_ttwid_ok:
        fake.minted_ttwids = TtwidsWithTheSignServers(fake.minted_ttwids)
    creator = fake.add_creator(CREATOR, user_id=CREATOR_ID, nickname="The Streamer")
    entry = make_entry(fake, options={CONF_CONNECTION_METHOD: "automatic"})
    give_the_pacer_room(hass)
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    coordinator: TikTokLiveCoordinator = entry.runtime_data
    clock = Clock(hass, freezer, [coordinator])
    await clock.settle()

    # When a connect became needed: the stream started, or the socket dropped.
    triggers: list[tuple[float, str]] = []
    opened_at: list[float] = []  # when each socket opened, in order
    gave_up = 0

    def observe() -> None:
        opened_at.extend(clock.t for _ in fake.sockets[len(opened_at) :])

    async def run_until(target: float) -> None:
        while clock.t < target:
            streaming = bool(fake.open_sockets(creator))
            if streaming:
                await clock.step(min(MAX_STEP_STREAMING, target - clock.t))
            else:
                await clock.to_next_timer(
                    MAX_STEP_STREAMING if creator.is_live else MAX_STEP_OFFLINE,
                    until=target,
                )
            observe()

    for at, action in schedule(rng, HOURS):
        await run_until(at)
        if action == "live":
            creator.go_live(title="Stream", viewers=10)
            triggers.append((clock.t, TRIGGER_START))
        elif action == "drop":
            sockets = fake.open_sockets(creator)
            if not sockets:
                gave_up += 1  # still no socket since the last trigger
                continue
            await fake.inject(creator, faults.drop())
            for socket in sockets:
                await guarded(fake.wait_closed(socket), "the dropped socket")
            await guarded(coordinator.async_wait_idle(), "noticing the drop")
            triggers.append((clock.t, TRIGGER_DROP))
        else:
            await creator.end_stream()
            if fake.open_sockets(creator):
                await guarded(fake.sync(creator), "the end of the stream")
            await guarded(coordinator.async_wait_idle(), "the end of the stream")
            await run_until(clock.t + 1)
    await hass.async_block_till_done()
    connects = analyse_connects(fake, slot, triggers, opened_at, mono0)
    if VERBOSE:
        report(f"  upgrades with {mix.label}:", *connects.log)
    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()
    result = FallbackResult(
        mix=mix,
        connects=connects,
        drawn=Counter(slot.drawn),
        sign_fetches=len(fake.sign_requests()),
        blocked_agents=len(fake.blocked_user_agents),
        gave_up=gave_up,
        wall=wall_clock() - wall_start,
    )
    FALLBACK_RESULTS.append(result)
    report(
        f"  [fallback] {mix.label}: {sum(connects.kinds.values())} connects for "
        f"{len(triggers)} triggers, {clock.steps} steps, {result.wall:.1f} s wall"
    )
    # Sanity: connects happened.
    assert sum(connects.kinds.values()) > 0


class TtwidsWithTheSignServers(set[str]):
    """The ttwids the fake minted, and any the sign server handed out (as if TikTok took them)."""

    def __contains__(self, value: object) -> bool:
        return (isinstance(value, str) and SIGN_TTWID in value) or super().__contains__(
            value
        )


@dataclass
class Connects:
    """Every socket opened, by what it took."""

    kinds: Counter[str] = field(default_factory=Counter)
    # Simulated seconds from a drop to the next socket, by connect kind.
    after_drop: defaultdict[str, list[float]] = field(
        default_factory=lambda: defaultdict(list)
    )
    upgrades: Counter[str] = field(default_factory=Counter)
    refusals: Counter[str] = field(default_factory=Counter)
    log: list[str] = field(default_factory=list)


def analyse_connects(
    fake: FakeTikTok,
    slot: DrawnRefusals,
    triggers: list[tuple[float, str]],
    opened_at: list[float],
    mono0: float,
) -> Connects:
    """Each socket, and the upgrades since the one before it: what the connect took."""
    result = Connects()
    opened = {id(s.request): s for s in fake.sockets}
    attempts: list[Request] = []
    socket_index = direct_index = 0
    blocked_now: set[str] = set()  # User-Agents the fake refuses for good, so far
    for request in fake.requests:
        if request.path not in (DIRECT_PUSH_PATH, SIGNED_PUSH, SIGN_FALLBACK_PUSH):
            continue
        path_kind = kind_of(request.path)[1]
        at = f"{request.at - mono0:8.1f} s"
        socket = opened.get(id(request))
        drawn = "-"
        if request.path == DIRECT_PUSH_PATH:
            drawn = slot.drawn[direct_index]
            direct_index += 1
        if socket is None:
            reason = refusal_reason(fake, request, drawn, blocked_now)
            if drawn == "DEVICE_BLOCKED" and slot.sticky_agent:
                blocked_now.add(request.header("User-Agent") or "")
            result.refusals[f"{path_kind}: {reason}"] += 1
            result.upgrades[f"{path_kind} refused"] += 1
            attempts.append(request)
            result.log.append(f"    {at}  {path_kind} refused ({reason})")
            continue
        result.upgrades[f"{path_kind} opened"] += 1
        refused_direct = [r for r in attempts if r.path == DIRECT_PUSH_PATH]
        if socket.direct:
            kind = KIND_DIRECT_RETRY if refused_direct else KIND_DIRECT
        else:
            kind = KIND_FALLBACK if refused_direct else KIND_STAYED
        result.kinds[kind] += 1
        # The trigger this socket answered: the last one before it opened.
        opened_time = opened_at[socket_index]
        trigger_at, trigger = max(
            ((t, k) for t, k in triggers if t <= opened_time), default=(0.0, "")
        )
        if trigger == TRIGGER_DROP:
            result.after_drop[kind].append(opened_time - trigger_at)
        result.log.append(
            f"    {at}  {path_kind} opened: {kind}, "
            f"{opened_time - trigger_at:.1f} s after the {trigger}"
        )
        socket_index += 1
        attempts = []
    return result


def fallback_table() -> list[str]:
    """Part 3's table."""
    if not FALLBACK_RESULTS:
        return []
    lines = [
        "",
        f"3. automatic under refusals of the direct upgrade, drawn per direct upgrade: "
        f"{HOURS:g} simulated hours per mix, streams of {STREAM_MINUTES[0]}-"
        f"{STREAM_MINUTES[1]} min with a drop every {DROP_EVERY_MINUTES[0]:g}-"
        f"{DROP_EVERY_MINUTES[1]:g} min",
        f"   automatic moves to the sign server {SWITCH_DELAY:g} s after a soft block, or "
        f"after {DEVICE_BLOCKED_BEFORE_SWITCH} DEVICE_BLOCKED in a row (after the first: "
        f"a new browser, direct again); it stays there until the direct refusal is "
        f"{DIRECT_RETRY_AFTER.total_seconds() / 3600:g} h old",
        "   DEVICE_BLOCKED: 415 + Handshake-Msg DEVICE_BLOCKED, once; soft block: 200 + "
        "Handshake-Msg; 'User-Agent kept refused': the fake's own DEVICE_BLOCKED, which "
        "refuses that User-Agent on both paths from then on; 'the sign server's ttwid "
        "taken': the direct socket also accepts the ttwid the sign server handed out",
        "",
        f"  {'fault mix':<44} connects | needed the fallback | via the sign server | "
        "direct 1st try | direct retried | stayed on sign | sign fetches | drops, no socket",
    ]
    for r in FALLBACK_RESULTS:
        kinds = r.connects.kinds
        total = sum(kinds.values())

        def share(*names: str, kinds: Counter[str] = kinds, total: int = total) -> str:
            count = sum(kinds[k] for k in names)
            return f"{count:>3} ({count / total:6.1%})" if total else "-"

        lines.append(
            f"  {r.mix.label:<44} {total:>8} | {share(KIND_FALLBACK):>19} | "
            f"{share(KIND_FALLBACK, KIND_STAYED):>19} | {share(KIND_DIRECT):>14} | "
            f"{share(KIND_DIRECT_RETRY):>14} | {share(KIND_STAYED):>14} | "
            f"{r.sign_fetches:>12} | {r.gave_up:>16}"
        )
    lines.append(
        "  simulated seconds from a drop to the next socket (mean / min / max), by "
        "connect kind:"
    )
    for r in FALLBACK_RESULTS:
        after = r.connects.after_drop
        lines.append(
            f"    {r.mix.label:<44} "
            + "; ".join(
                f"{kind}: {fmt_seconds(after[kind])}" for kind in KINDS if after[kind]
            )
        )
    lines.append(
        "  drawn per direct upgrade; every upgrade's outcome; why each was refused:"
    )
    for r in FALLBACK_RESULTS:
        c = r.connects
        lines += [
            f"    {r.mix.label:<44} drawn: "
            + ", ".join(f"{k} {v}" for k, v in sorted(r.drawn.items()))
            + "; upgrades: "
            + ", ".join(f"{k} {v}" for k, v in sorted(c.upgrades.items()))
            + f"; User-Agents left refused: {r.blocked_agents}",
            f"    {'':<44} refused: "
            + (", ".join(f"{k} {v}" for k, v in sorted(c.refusals.items())) or "none"),
        ]
    return lines


# ------------------------------------------------------------ the tables


@pytest.fixture(scope="module", autouse=True)
def _print_the_tables() -> Iterator[None]:
    """After every test of this file that ran: the tables."""
    yield
    lines = [
        *rate_table(),
        *startup_table(),
        *join_table(),
        *fallback_table(),
    ]
    if lines:
        report(
            "",
            "wall-clock times are noisy (one event loop for Home Assistant, the client "
            "and the fake; a small, shared machine)",
            *lines,
        )
