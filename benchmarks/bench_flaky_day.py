"""A day of flaky TikTok: 24 simulated hours of one creator, with the faults the field shows.

A real Home Assistant follows one creator through the fake TikTok on loopback
(real client, real sockets) for 24 hours of Home Assistant's clock, moved by
the ``freezer``: in steps of at most 5 s (30 s while nobody streams) that stop
at every action and message, and, while no socket streams, at every timer
due, so reconnects, back-offs and checks run at their exact times. The
creator streams four times a day (45 minutes to 3 hours each). Everything
random is drawn from seeded generators, the integration's own jitter
included, so a seed replays the same day; each run plays several days
(seeds BENCH_FLAKY_DAY_SEED, +1, ...) with each connection method the
integration offers that the faults concern (``automatic``, its default: TikTok
directly, the sign server after a refusal; ``sign_server``: every connect
through the sign server), and ends with a summary of them.

The faults, as the field shows them (see the reference's section 9):

* per request, drawn at random: room info ``{"data":{"prompts":""},
  "status_code":4003110}`` on most connects; api-live "user not found" with
  the LIVE page a captcha (so only one source says it); sign server 429s as
  Euler sends them (``Retry-After``), 500/503s and its fallback push host
  that refuses the socket; TikTok's DEVICE_BLOCKED on the WebSocket upgrade
  (the fake keeps refusing that User-Agent, as it documents);
* as a day has only a few dozen connects, each of the rarer kinds is also
  queued once, at a stream start, a drop or a silent socket, for the next
  request it applies to (an upgrade on either path, a sign server fetch, a
  live check); with ``automatic`` a sign server fault may wait long for one;
* by the clock: a socket drop every 30 to 60 minutes of live time, and two
  silent sockets a day (the fake answers heartbeats until then, as TikTok does);
* one real outage: the sign server answers 503 to everything for about
  30 minutes during one stream, and the socket drops two minutes into it.

While live, TikTok delivers gifts (one every 10 to 20 s, each from its own
viewer id, the marker the bus events are matched by), comments, likes and
viewer counts, and keeps the last 20 messages as the history every new
connection gets (in the signed socket's first fetch, as the direct socket's
first frame). A gift counts as delivered when it was pushed to an open, not
silenced socket, or was in the history of a connection that opened.

Printed per day: the share of live time connected (overall, and outside the
outage and the five minutes after it), every gap with what started it and the
errors during it, how much of the down time was stream starts the offline
checks had not seen yet (and the connected share once they had), repair issues and reauth flows with their keys, Live state
changes, unavailable states, requests per hour, gifts lost and duplicated,
and the wall-clock time. Each metric the product issue sets a target for is
printed with it and PASS or MISS. The benchmark asserts only sanity (the day
ran, gifts were delivered), never a target.

Run: scripts/bench-flaky-day  (``--newest``: Python 3.14, .venv-py314)
Environment: BENCH_FLAKY_DAY_SEED (20260917), BENCH_FLAKY_DAY_DAYS (2 per
method), BENCH_FLAKY_DAY_METHODS (automatic,sign_server),
BENCH_FLAKY_DAY_VERBOSE=1 (also every action and every error the integration
recorded, with the time).
"""

from __future__ import annotations

import asyncio
from collections import Counter, deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta
import os
import random
import time
from typing import Any

from freezegun import api as freezegun_api
from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import SOURCE_REAUTH
from homeassistant.core import DOMAIN as HOMEASSISTANT_DOMAIN, Event, HomeAssistant
from homeassistant.helpers import issue_registry as ir
from homeassistant.util.async_ import get_scheduled_timer_handles
import pytest
from pytest_homeassistant_custom_component.common import async_fire_time_changed_exact

from custom_components.tiktok_live.const import (
    CONF_CONNECTION_METHOD,
    DOMAIN,
    EVENT_TIKTOK_LIVE,
)
from custom_components.tiktok_live.coordinator import TikTokLiveCoordinator
from tests.fake_tiktok import (
    ApiFault,
    FakeCreator,
    FakeSocket,
    FakeTikTok,
    FaultSlot,
    HttpStatus,
    PageFault,
    RoomInfoFault,
    SignReply,
    WsReply,
    faults,
    messages,
)
from tests.fake_tiktok.faults import SocketFault
from tests.fake_tiktok.server import DIRECT_PUSH_PATH
from tests.integration.conftest import CREATOR, CREATOR_ID, make_entry, setup_entry

SEED = int(os.environ.get("BENCH_FLAKY_DAY_SEED", "20260917"))
DAYS = int(os.environ.get("BENCH_FLAKY_DAY_DAYS", "2"))  # seeds SEED, SEED + 1, ...
# The integration's connection method option: "automatic" (its default: TikTok
# directly, the sign server after a refusal) and "sign_server" (every connect
# through the sign server, where most of the field's faults are).
METHODS = os.environ.get("BENCH_FLAKY_DAY_METHODS", "automatic,sign_server").split(",")
VERBOSE = os.environ.get("BENCH_FLAKY_DAY_VERBOSE", "") not in ("", "0")

DAY = 24 * 3600
# The clock moves in steps of at most MAX_STEP to the next action or message,
# and while no socket streams also to the next timer due (of Home Assistant,
# the integration or the client), so that reconnects and checks run on time.
MAX_STEP = 5.0
MAX_STEP_OFFLINE = 30.0  # while nobody streams only timers are due
# Past a timer's due time by this much, so the tick surely reaches it.
TIMER_SLACK = 0.001
LIVE = "binary_sensor.streamer_live"
VIEWERS = "sensor.streamer_viewers"

# The day's shape.
STREAMS = 4
STREAM_MINUTES = (45, 180)
DROP_EVERY_MINUTES = (30, 60)  # of live time
SILENT_SOCKETS = 2
OUTAGE_MINUTES = (28, 32)
OUTAGE_DROP_AFTER = 120  # the socket drops this long into the outage
AFTER_OUTAGE = 5 * 60  # excluded with the outage from the connected target
# Messages TikTok replays to a new connection: in the signed socket's first
# fetch (from the sign server), as the direct socket's first frame.
HISTORY = 20
SIGNED_SOCKET_PATH = "/ws"

# Per-request chances of each fault.
P_ROOM_INFO_PROMPTS = 0.6
P_USER_NOT_FOUND = 0.02  # of every api-live check, offline checks included
P_SIGN_429 = 0.03
P_SIGN_5XX = 0.06
P_SIGN_FALLBACK_HOST = 0.03
P_DEVICE_BLOCKED = 0.03
# A day has only a few dozen connects, too few for the rarer draws to show
# up every day: each of these is also queued once (at a stream start, a drop
# or a silent socket, picked at random) for the next request it applies to:
# the next WebSocket upgrade (either path), sign server fetch or live check.
FORCED = (
    "DEVICE_BLOCKED, room info prompts",
    "DEVICE_BLOCKED",
    "sign 429 retry-after 60",
    "sign 503",
    "fallback push host",
    "user_not_found (page: captcha)",
)

# Traffic while live (seconds between two).
GIFT_EVERY = (10, 20)
COMMENT_EVERY = (15, 60)
LIKES_EVERY = (4, 12)
VIEWERS_EVERY = (10, 30)
FANS = 60
GIFT_USER_BASE = 7_600_000_000_000_000_000

TARGET_CONNECTED = 0.99


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


def clock(seconds: float) -> str:
    """Simulated time of day."""
    seconds = int(seconds)
    return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


def verdict(ok: bool) -> str:
    """PASS or MISS."""
    return "PASS" if ok else "MISS"


def gap_kind(trigger: str) -> str:
    """What started a gap, without times and stream numbers."""
    parts = trigger.split(" (", maxsplit=1)[0].split(", the next connect meets: ")
    kind = "stream start" if parts[0].endswith("starts") else parts[0]
    return " + ".join([kind, *parts[1:]])


# ---------------------------------------------------------------- schedule


@dataclass
class Stream:
    """One stream of the day."""

    start: int
    end: int
    drops: list[int] = field(default_factory=list)
    silences: list[int] = field(default_factory=list)


@dataclass
class Schedule:
    """Everything that happens at a time of day."""

    streams: list[Stream]
    outage: tuple[int, int]
    outage_stream: int
    # Time of a stream start, drop or silence -> the fault its connect meets.
    forced: dict[int, str] = field(default_factory=dict)

    @property
    def outage_drop(self) -> int:
        """The drop that makes the outage bite."""
        return self.outage[0] + OUTAGE_DROP_AFTER

    def in_outage(self, t: float) -> bool:
        """Whether ``t`` is in the outage or the few minutes after it."""
        return self.outage[0] <= t < self.outage[1] + AFTER_OUTAGE


def make_schedule(rng: random.Random) -> Schedule:
    """Four streams, one in each quarter of the day, with their drops and silences."""
    streams = []
    quarter = DAY // STREAMS
    for n in range(STREAMS):
        minutes = rng.randint(*STREAM_MINUTES)
        earliest = n * quarter + 15 * 60
        latest = (n + 1) * quarter - minutes * 60 - 15 * 60
        start = rng.randint(earliest, latest)
        stream = Stream(start, start + minutes * 60)
        at = stream.start + rng.randint(*DROP_EVERY_MINUTES) * 60
        while at < stream.end - 60:
            stream.drops.append(at)
            at += rng.randint(*DROP_EVERY_MINUTES) * 60
        streams.append(stream)
    outage_stream = max(range(STREAMS), key=lambda n: streams[n].end - streams[n].start)
    chosen = streams[outage_stream]
    length = rng.randint(*OUTAGE_MINUTES) * 60
    start = chosen.start + rng.randint(
        10 * 60, chosen.end - chosen.start - length - 10 * 60
    )
    outage = (start, start + length)
    # Silent sockets in two other streams, away from their drops.
    for n in rng.sample(
        [n for n in range(STREAMS) if n != outage_stream], SILENT_SOCKETS
    ):
        stream = streams[n]
        while True:
            at = rng.randint(stream.start + 10 * 60, stream.end - 10 * 60)
            if all(abs(at - drop) > 5 * 60 for drop in stream.drops):
                break
        stream.silences.append(at)
    triggers = sorted(
        at
        for stream in streams
        for at in (stream.start, *stream.drops, *stream.silences)
        if not outage[0] - 10 * 60 <= at < outage[1] + AFTER_OUTAGE
    )
    forced = dict(zip(rng.sample(triggers, len(FORCED)), FORCED, strict=True))
    return Schedule(streams, outage, outage_stream, forced)


# ----------------------------------------------------------- drawn faults


type Draw[T] = Callable[[random.Random], tuple[str, T] | None]
type Forced[T] = deque[tuple[str, Callable[[], T]]]


class DrawnSlot[T](FaultSlot[T]):
    """A fault slot that also takes forced faults, then draws one per request.

    The fake's own queue and sticky fault (the outage) come first, as always;
    then the forced faults (a deque several slots may share: whichever asks
    first takes it), then a random draw.
    """

    def __init__(
        self,
        name: str,
        rng: random.Random,
        draw: Draw[T],
        forced: Forced[T],
        log: Callable[[str, str], None],
    ) -> None:
        super().__init__(name)
        self._rng = rng
        self._draw = draw
        self.forced = forced
        self._log = log

    def take(self) -> T | None:
        if self.queue:
            return super().take()
        if self.forced:
            label, make = self.forced.popleft()
            fault = make()
            self.used.append(fault)
            self._log(self.name, f"forced: {label}")
            return fault
        if self.sticky is not None:
            return super().take()
        drawn = self._draw(self._rng)
        if drawn is None:
            return None
        label, fault = drawn
        self.used.append(fault)
        self._log(self.name, label)
        return fault


@dataclass
class ForcedQueues:
    """Where forced faults wait for the request they apply to."""

    handshake: Forced[WsReply] = field(default_factory=deque)
    sign_fetch: Forced[SignReply] = field(default_factory=deque)
    room_info: Forced[RoomInfoFault | HttpStatus] = field(default_factory=deque)
    room_api: Forced[ApiFault | HttpStatus] = field(default_factory=deque)

    def waiting(self) -> list[str]:
        """Forced faults no request met."""
        return [
            label
            for queue in (
                self.handshake,
                self.sign_fetch,
                self.room_info,
                self.room_api,
            )
            for label, _ in queue
        ]


def install_drawn_faults(
    fake: FakeTikTok, seed: int, log: Callable[[str, str], None]
) -> ForcedQueues:
    """Each of the fake's slots that the field's faults hit draws them per request."""
    forced = ForcedQueues()
    slots = fake.faults

    def captcha_page() -> None:
        # The second opinion, the LIVE page, is a captcha: one source only.
        slots.live_page.once(PageFault.NO_SIGI_STATE)

    def room_info(rng: random.Random) -> tuple[str, RoomInfoFault] | None:
        if rng.random() < P_ROOM_INFO_PROMPTS:
            return "prompts 4003110", RoomInfoFault.PROMPTS
        return None

    def room_api(rng: random.Random) -> tuple[str, ApiFault] | None:
        if rng.random() < P_USER_NOT_FOUND:
            captcha_page()
            return "user_not_found (page: captcha)", ApiFault.USER_NOT_FOUND
        return None

    def sign_fetch(rng: random.Random) -> tuple[str, SignReply] | None:
        roll = rng.random()
        if roll < P_SIGN_429:
            retry_after = rng.choice((30, 45, 60, 90))
            return f"429 retry-after {retry_after}", faults.rate_limited(
                retry_after=retry_after
            )
        roll -= P_SIGN_429
        if roll < P_SIGN_5XX:
            status = rng.choice((500, 503))
            if rng.random() < 0.5:
                return f"{status} empty", faults.sign_empty(status)
            return f"{status} json", faults.sign_status(status, "Internal error")
        roll -= P_SIGN_5XX
        if roll < P_SIGN_FALLBACK_HOST:
            return "fallback push host", faults.fallback_push_host()
        return None

    def handshake(rng: random.Random) -> tuple[str, WsReply] | None:
        if rng.random() < P_DEVICE_BLOCKED:
            return "DEVICE_BLOCKED", faults.device_blocked()
        return None

    def slot[T](name: str, draw: Draw[T], queue: Forced[T]) -> DrawnSlot[T]:
        return DrawnSlot(name, random.Random(f"{seed}-{name}"), draw, queue, log)

    slots.room_info = slot("room_info", room_info, forced.room_info)
    slots.room_api = slot("room_api", room_api, forced.room_api)
    slots.sign_fetch = slot("sign_fetch", sign_fetch, forced.sign_fetch)
    # The signed and the direct socket's upgrade: TikTok refuses either.
    slots.ws_handshake = slot("ws_handshake", handshake, forced.handshake)
    slots.direct_handshake = slot("direct_handshake", handshake, forced.handshake)
    return forced


# ------------------------------------------------------------- the day


@dataclass
class Gap:
    """Live time without an open, not silenced socket."""

    start: float
    trigger: str
    end: float | None = None
    errors: Counter[str] = field(default_factory=Counter)


@dataclass
class Day:
    """What happened, as measured."""

    seed: int
    method: str
    live_seconds: float = 0.0
    connected_seconds: float = 0.0
    live_seconds_outside: float = 0.0
    connected_seconds_outside: float = 0.0
    gaps: list[Gap] = field(default_factory=list)
    live_changes: list[tuple[float, str, str]] = field(default_factory=list)
    unavailable: list[tuple[float, str]] = field(default_factory=list)
    issues: list[tuple[float, str, str]] = field(default_factory=list)
    reauths: list[tuple[float, str]] = field(default_factory=list)
    faults: list[tuple[float, str, str]] = field(default_factory=list)
    actions: list[tuple[float, str]] = field(default_factory=list)
    errors: list[tuple[float, str, str]] = field(default_factory=list)
    delivered: dict[int, float] = field(default_factory=dict)
    delivered_by_history: set[int] = field(default_factory=set)
    pushed: dict[int, float] = field(default_factory=dict)
    gift_events: Counter[int] = field(default_factory=Counter)
    steps: int = 0
    signed_sockets: int = 0
    direct_sockets: int = 0
    forced_waiting: list[str] = field(default_factory=list)
    # Filled in at the end of the day.
    mono_start: float = 0.0
    requests: list[Any] = field(default_factory=list)
    open_issues: list[str] = field(default_factory=list)
    end_states: dict[str, str | None] = field(default_factory=dict)
    blocked_agents: int = 0
    event_counts: Counter[str] = field(default_factory=Counter)
    wall: float = 0.0


class FlakyDay:
    """Drives the day: the clock, the creator, TikTok's traffic and the faults."""

    def __init__(
        self,
        *,
        hass: HomeAssistant,
        freezer: FrozenDateTimeFactory,
        fake: FakeTikTok,
        creator: FakeCreator,
        coordinator: TikTokLiveCoordinator,
        schedule: Schedule,
        day: Day,
    ) -> None:
        self.hass = hass
        self.freezer = freezer
        self.fake = fake
        self.creator = creator
        self.coordinator = coordinator
        self.schedule = schedule
        self.day = day
        self.t = 0.0
        self.traffic = random.Random(f"{day.seed}-traffic")
        self.history: deque[tuple[Any, int | None]] = deque(maxlen=HISTORY)
        self.next_gift = self.next_comment = self.next_likes = self.next_viewers = 0.0
        self.gift_count = 0
        self.sockets_seen = 0
        # The integration keeps its last 10 errors: each one seen is held
        # here, so that no later error can take its id.
        self.errors_seen: dict[int, Any] = {}
        self.reauth_flows: set[str] = set()
        self.gap: Gap | None = None
        self.here: list[str] = []
        self.forced = install_drawn_faults(fake, day.seed, self.log_fault)
        self.actions = self._timed_actions()

    # ------------------------------------------------------------ helpers

    async def guarded(self, awaitable: Awaitable[Any], what: str) -> None:
        """Await, but fail loudly (not hang) if the frozen clock blocks it."""
        task = asyncio.ensure_future(awaitable)
        start = wall_clock()
        while not task.done():
            await asyncio.sleep(0)
            if wall_clock() - start > 30:
                task.cancel()
                raise AssertionError(
                    f"{what} did not finish at {clock(self.t)}: "
                    f"{self.coordinator.supervisor.activity}, {self.fake.faults!r}"
                )
        task.result()

    def open_sockets(self) -> list[FakeSocket]:
        return [s for s in self.fake.open_sockets(self.creator) if not s.silenced]

    def log_fault(self, slot: str, label: str) -> None:
        self.day.faults.append((self.t, slot, label))

    def _timed_actions(self) -> list[tuple[int, str, Callable[[], Awaitable[None]]]]:
        actions: list[tuple[int, str, Callable[[], Awaitable[None]]]] = []
        for n, stream in enumerate(self.schedule.streams, start=1):
            actions.append((stream.start, f"stream {n} starts", self._go_live(n)))
            actions.append((stream.end, f"stream {n} ends", self._end))
            actions.extend((at, "socket drop", self._drop) for at in stream.drops)
            actions.extend(
                (at, "socket goes silent", self._silence) for at in stream.silences
            )
        start, end = self.schedule.outage
        actions.append((start, "sign server outage starts (503)", self._outage_on))
        actions.append(
            (self.schedule.outage_drop, "socket drop (in the outage)", self._drop)
        )
        actions.append((end, "sign server outage ends", self._outage_off))
        for at, kind in self.schedule.forced.items():
            actions.append((at, f"the next connect meets: {kind}", self._force(kind)))
        # Stable: at the same time, the forced fault after what it goes with.
        actions.sort(key=lambda a: a[0])
        return actions

    # ------------------------------------------------------------ actions

    def _go_live(self, n: int) -> Callable[[], Awaitable[None]]:
        async def _start() -> None:
            self.creator.go_live(title=f"Stream {n}", viewers=40 + 10 * n)
            self.history.clear()
            now = self.t
            rng = self.traffic
            self.next_gift = now + rng.uniform(*GIFT_EVERY)
            self.next_comment = now + rng.uniform(*COMMENT_EVERY)
            self.next_likes = now + rng.uniform(*LIKES_EVERY)
            self.next_viewers = now + rng.uniform(*VIEWERS_EVERY)

        return _start

    async def _end(self) -> None:
        await self.creator.end_stream()
        await self.sync()

    async def _socket_fault(self, fault: SocketFault) -> None:
        sockets = self.fake.open_sockets(self.creator)
        if not sockets:
            self.day.actions.append((self.t, "  (no socket open: nothing to cut)"))
            return
        await self.fake.inject(self.creator, fault)

    async def _drop(self) -> None:
        sockets = self.fake.open_sockets(self.creator)
        await self._socket_fault(faults.drop())
        for socket in sockets:
            await self.guarded(self.fake.wait_closed(socket), "the dropped socket")
        if sockets:
            await self.guarded(self.coordinator.async_wait_idle(), "noticing the drop")

    async def _silence(self) -> None:
        await self._socket_fault(faults.silence())

    def _force(self, kind: str) -> Callable[[], Awaitable[None]]:
        forced = self.forced

        def user_not_found() -> ApiFault:
            self.fake.faults.live_page.once(PageFault.NO_SIGI_STATE)
            return ApiFault.USER_NOT_FOUND

        async def _queue() -> None:
            if kind.startswith("DEVICE_BLOCKED"):
                forced.handshake.append(("DEVICE_BLOCKED", faults.device_blocked))
                if "prompts" in kind:
                    forced.room_info.append(
                        ("room info prompts", lambda: RoomInfoFault.PROMPTS)
                    )
            elif kind.startswith("sign 429"):
                forced.sign_fetch.append(
                    (kind, lambda: faults.rate_limited(retry_after=60))
                )
            elif kind == "sign 503":
                forced.sign_fetch.append((kind, lambda: faults.sign_empty(503)))
            elif kind == "fallback push host":
                forced.sign_fetch.append((kind, faults.fallback_push_host))
            else:
                forced.room_api.append((kind, user_not_found))

        return _queue

    async def _outage_on(self) -> None:
        self.fake.faults.sign_fetch.always(
            faults.sign_status(503, "Service Unavailable")
        )

    async def _outage_off(self) -> None:
        self.fake.faults.sign_fetch.clear()

    # ------------------------------------------------------------ traffic

    def _remember(self, message: Any, marker: int | None = None) -> None:
        self.history.append((message, marker))
        self.creator.history = [m for m, _ in self.history]

    def _gift(self) -> list[Any]:
        rng = self.traffic
        self.gift_count += 1
        marker = GIFT_USER_BASE + self.gift_count
        fan = rng.randrange(FANS)
        sender = messages.user(marker, f"fan_{fan}", f"Fan {fan}")
        roll = rng.random()
        if roll < 0.6:
            wire = [messages.gift(sender, "Rose", repeat_count=rng.randint(1, 5))]
        elif roll < 0.85:
            name = rng.choice(("Finger Heart", "Doughnut", "TikTok"))
            wire = messages.gift_streak(sender, name, rng.randint(2, 4))
        else:
            wire = [messages.gift(sender, rng.choice(("Galaxy", "Galaxy", "Lion")))]
        for message in wire[:-1]:
            self._remember(message)
        self._remember(wire[-1], marker)
        self.day.pushed[marker] = self.t
        return wire

    async def deliver(self) -> None:
        """Push whatever TikTok has for the viewers by now."""
        creator = self.creator
        room = creator.room
        if room is None:
            return
        rng = self.traffic
        batch: list[Any] = []
        markers: list[int] = []
        while self.next_gift <= self.t:
            batch.extend(self._gift())
            markers.append(GIFT_USER_BASE + self.gift_count)
            self.next_gift += rng.uniform(*GIFT_EVERY)
        while self.next_comment <= self.t:
            fan = rng.randrange(FANS)
            message = messages.comment(
                messages.user(7_000 + fan, f"fan_{fan}", f"Fan {fan}"),
                rng.choice(("hi!", "love this", "🔥🔥", "where are you from?", "lol")),
            )
            self._remember(message)
            batch.append(message)
            self.next_comment += rng.uniform(*COMMENT_EVERY)
        while self.next_likes <= self.t:
            fan = rng.randrange(FANS)
            count = rng.randint(1, 15)
            message = messages.like(
                messages.user(7_000 + fan, f"fan_{fan}", f"Fan {fan}"),
                count,
                creator.count_likes(count),
            )
            self._remember(message)
            batch.append(message)
            self.next_likes += rng.uniform(*LIKES_EVERY)
        while self.next_viewers <= self.t:
            room.viewers = max(1, room.viewers + rng.randint(-5, 6))
            batch.append(messages.viewers(room.viewers))
            self.next_viewers += rng.uniform(*VIEWERS_EVERY)
        if not batch:
            return
        if await self.fake.push(creator, *batch):
            for marker in markers:
                self.day.delivered.setdefault(marker, self.t)
            await self.sync()

    async def sync(self) -> None:
        """Until the client read everything pushed (or its sockets closed)."""
        if self.open_sockets():
            await self.guarded(self.fake.sync(self.creator), "reading the pushes")

    # --------------------------------------------------------------- steps

    async def run(self) -> None:
        """The whole day."""
        while self.t < DAY:
            self.here = []
            while self.actions and self.actions[0][0] <= self.t:
                _, label, action = self.actions.pop(0)
                self.day.actions.append((self.t, label))
                self.here.append(label)
                await action()
            await self.deliver()
            target = self.next_time()
            self.measure(target - self.t)
            self.freezer.tick(timedelta(seconds=target - self.t))
            async_fire_time_changed_exact(self.hass)
            await self.hass.async_block_till_done()
            await self.guarded(self.coordinator.async_wait_settled(), "settling")
            self.t = target
            self.day.steps += 1
            self.observe()
        if self.gap is not None:
            self.gap.end = self.t
            self.gap = None

    def next_time(self) -> float:
        """When the next thing is due: a timer, an action or a message."""
        live = self.creator.room is not None
        candidates = [self.t + (MAX_STEP if live else MAX_STEP_OFFLINE), float(DAY)]
        if self.actions:
            candidates.append(self.actions[0][0])
        if live:
            candidates.append(
                min(
                    self.next_gift,
                    self.next_comment,
                    self.next_likes,
                    self.next_viewers,
                )
            )
        if live and self.open_sockets():
            # Streaming: nothing but heartbeats and coalescing timers is due.
            return max(min(candidates), self.t + TIMER_SLACK)
        loop = self.hass.loop
        due = [
            handle.when()
            for handle in get_scheduled_timer_handles(loop)
            if not handle.cancelled()
        ]
        if due:
            candidates.append(self.t + min(due) - loop.time() + TIMER_SLACK)
        return max(min(candidates), self.t + TIMER_SLACK)

    def measure(self, dt: float) -> None:
        """Account the next ``dt`` seconds of live and connected time."""
        day = self.day
        live = self.creator.is_live
        connected = bool(self.open_sockets())
        if live:
            day.live_seconds += dt
            day.connected_seconds += dt if connected else 0
            if not self.schedule.in_outage(self.t):
                day.live_seconds_outside += dt
                day.connected_seconds_outside += dt if connected else 0
        if live and not connected and self.gap is None:
            self.gap = Gap(self.t, ", ".join(self.here) or "closed without a fault")
            day.gaps.append(self.gap)
        elif (connected or not live) and self.gap is not None:
            self.gap.end = self.t
            if not live:
                self.gap.trigger += " (until the stream ended)"
            self.gap = None

    def observe(self) -> None:
        """After a step: new sockets (and the history they replayed), new errors."""
        sockets = self.fake.sockets
        for socket in sockets[self.sockets_seen :]:
            if socket.request.path == SIGNED_SOCKET_PATH:
                self.day.signed_sockets += 1
            else:
                self.day.direct_sockets += 1
            for _, marker in self.history:
                if marker is not None and marker not in self.day.delivered:
                    self.day.delivered[marker] = self.t
                    self.day.delivered_by_history.add(marker)
        self.sockets_seen = len(sockets)
        for flow in self.hass.config_entries.flow.async_progress_by_handler(
            DOMAIN, match_context={"source": SOURCE_REAUTH}
        ):
            if flow["flow_id"] not in self.reauth_flows:
                self.reauth_flows.add(flow["flow_id"])
                self.day.reauths.append((self.t, f"reauth flow {flow['flow_id']}"))
        for error in self.coordinator.failures.errors:
            if id(error) in self.errors_seen:
                continue
            self.errors_seen[id(error)] = error
            self.day.errors.append((self.t, error.error, error.message))
            if self.gap is not None:
                self.gap.errors[error.error] += 1


# ------------------------------------------------------------- the bench


DAY_RESULTS: list[tuple[Day, Schedule]] = []


@pytest.mark.parametrize("seed", [SEED + n for n in range(DAYS)], ids=str)
@pytest.mark.parametrize("method", METHODS)
async def test_a_day_of_flaky_tiktok(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    fake_tiktok: FakeTikTok,
    method: str,
    seed: int,
) -> None:
    """24 simulated hours, four streams, the field's faults; prints what users would see."""
    creator = fake_tiktok.add_creator(
        CREATOR, user_id=CREATOR_ID, nickname="The Streamer"
    )
    mock_config_entry = make_entry(
        fake_tiktok, options={CONF_CONNECTION_METHOD: method}
    )
    wall_start = wall_clock()
    # The test plugin runs the loop in asyncio's debug mode, which records a
    # stack for every future and handle (half the run time) and, as the
    # loop's clock jumps with the freezer, calls every step a slow callback.
    hass.loop.set_debug(False)
    random.seed(seed)  # the integration's jitter and browser picks
    schedule = make_schedule(random.Random(seed))
    fake = fake_tiktok
    fake.answer_heartbeats = True  # TikTok answers heartbeats: healthy is never silent
    day = Day(seed, method)
    holder: list[FlakyDay] = []

    def now() -> float:
        return holder[0].t if holder else 0.0

    def on_state(event: Event[Any]) -> None:
        if holder and holder[0].t >= DAY:
            return  # the unload after the day
        entity_id = event.data["entity_id"]
        old, new = event.data["old_state"], event.data["new_state"]
        if entity_id not in (LIVE, VIEWERS) or old is None or new is None:
            return
        if new.state == "unavailable" and old.state != "unavailable":
            day.unavailable.append((now(), entity_id))
        if entity_id == LIVE and old.state != new.state:
            day.live_changes.append((now(), old.state, new.state))

    def on_issue(event: Event[Any]) -> None:
        if event.data["action"] != "create":
            return
        domain, issue_id = event.data["domain"], event.data["issue_id"]
        if domain == DOMAIN:
            key = str(issue_id).removesuffix(f"_{mock_config_entry.entry_id}")
            day.issues.append((now(), key, issue_id))
        elif domain == HOMEASSISTANT_DOMAIN and str(issue_id).startswith(
            f"config_entry_reauth_{DOMAIN}"
        ):
            day.reauths.append((now(), issue_id))

    def on_gift(event: Event[Any]) -> None:
        if event.data["type"] == "gift":
            day.gift_events[int(event.data["user_id"])] += 1

    hass.bus.async_listen("state_changed", on_state)
    hass.bus.async_listen(ir.EVENT_REPAIRS_ISSUE_REGISTRY_UPDATED, on_issue)
    hass.bus.async_listen(EVENT_TIKTOK_LIVE, on_gift)

    day.mono_start = time.monotonic()
    await setup_entry(hass, mock_config_entry)
    coordinator: TikTokLiveCoordinator = mock_config_entry.runtime_data
    flaky = FlakyDay(
        hass=hass,
        freezer=freezer,
        fake=fake,
        creator=creator,
        coordinator=coordinator,
        schedule=schedule,
        day=day,
    )
    holder.append(flaky)
    await flaky.run()
    await hass.async_block_till_done()
    day.requests = list(fake.requests)
    day.open_issues = [
        f"{domain}.{issue_id}"
        for (domain, issue_id), issue in ir.async_get(hass).issues.items()
        if domain in (DOMAIN, HOMEASSISTANT_DOMAIN) and issue.active
    ]
    day.end_states = {
        entity_id: getattr(hass.states.get(entity_id), "state", None)
        for entity_id in (LIVE, VIEWERS, "sensor.streamer_connection")
    }
    day.blocked_agents = len(fake.blocked_user_agents)
    day.event_counts = Counter(coordinator.event_counts)
    day.forced_waiting = flaky.forced.waiting()
    assert await hass.config_entries.async_unload(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    day.wall = wall_clock() - wall_start

    print_report(schedule, day, fake)
    DAY_RESULTS.append((day, schedule))
    # Sanity only: the day ran and TikTok delivered gifts.
    assert day.live_seconds > 0
    assert day.delivered


@dataclass
class Verdicts:
    """A day's numbers that the product issue sets targets for."""

    connected_outside: float
    down_minutes_outside: float
    false_issues: list[tuple[float, str, str]]
    reauths: list[tuple[float, str]]
    extra_live_changes: int
    unavailable_outside: list[tuple[float, str]]
    lost: list[int]
    duplicated: list[int]
    # Live time before the offline checks could see a stream start (the
    # check interval, 60 s +-20 %): part of the down time, but no failure.
    unseen_seconds: float = 0.0
    live_seconds_outside: float = 0.0

    @property
    def connected_once_seen(self) -> float:
        """The connected share of live time from the first check that saw each stream."""
        seen = self.live_seconds_outside - self.unseen_seconds
        down = self.down_minutes_outside * 60 - self.unseen_seconds
        return 1 - down / seen if seen else 0.0

    @property
    def targets(self) -> dict[str, bool]:
        """Each target: met or not."""
        return {
            "connected": self.connected_outside >= TARGET_CONNECTED,
            "false issues": not self.false_issues,
            "false reauths": not self.reauths,
            "extra Live changes": self.extra_live_changes <= 0,
            "duplicated gifts": not self.duplicated,
        }


def verdicts(schedule: Schedule, day: Day) -> Verdicts:
    """The targeted numbers of a day."""
    delivered = set(day.delivered)
    return Verdicts(
        connected_outside=day.connected_seconds_outside / day.live_seconds_outside
        if day.live_seconds_outside
        else 0.0,
        down_minutes_outside=(day.live_seconds_outside - day.connected_seconds_outside)
        / 60,
        false_issues=[i for i in day.issues if not schedule.in_outage(i[0])],
        reauths=list(day.reauths),
        extra_live_changes=len(day.live_changes) - 2 * len(schedule.streams),
        unavailable_outside=[
            u for u in day.unavailable if not schedule.in_outage(u[0])
        ],
        lost=sorted(m for m in delivered if day.gift_events[m] == 0),
        duplicated=sorted(m for m in delivered if day.gift_events[m] > 1),
        unseen_seconds=sum(
            min(
                [t for t, _, new in day.live_changes if new == "on" and t >= s.start]
                + [s.end]
            )
            - s.start
            for s in schedule.streams
            if not schedule.in_outage(s.start)
        ),
        live_seconds_outside=day.live_seconds_outside,
    )


def test_summary_of_the_days() -> None:
    """One line per day that ran (run after them), and each target over all days."""
    if not DAY_RESULTS:
        report("", "no day ran")
        return
    lines = [
        "",
        f"summary of {len(DAY_RESULTS)} flaky days (connected: outside the outage "
        f"+{AFTER_OUTAGE // 60} min, target >= {TARGET_CONNECTED:.0%}; the others target 0)",
        "  method       seed      connected   down  false issues  reauths  "
        "extra Live  unavailable  lost  duplicated   (unseen start  connected once seen)",
    ]
    met: Counter[str] = Counter()
    for day, schedule in DAY_RESULTS:
        v = verdicts(schedule, day)
        met.update(name for name, ok in v.targets.items() if ok)
        lines.append(
            f"  {day.method:<12} {day.seed:<9} {v.connected_outside:9.2%} "
            f"{v.down_minutes_outside:5.1f}m {len(v.false_issues):>13} {len(v.reauths):>8} "
            f"{max(v.extra_live_changes, 0):>11} {len(v.unavailable_outside):>12} "
            f"{len(v.lost):>5} {len(v.duplicated):>11}"
            f"   ({v.unseen_seconds:11.0f} s  {v.connected_once_seen:18.2%})"
        )
    for method in dict.fromkeys(day.method for day, _ in DAY_RESULTS):
        days = [(d, s) for d, s in DAY_RESULTS if d.method == method]
        live = sum(d.live_seconds_outside for d, _ in days)
        down = sum(
            d.live_seconds_outside - d.connected_seconds_outside for d, _ in days
        )
        unseen = sum(verdicts(s, d).unseen_seconds for d, s in days)
        lines.append(
            f"  {method}, all {len(days)} days together: connected {1 - down / live:.2%} "
            f"of {live / 3600:.1f} h live; once each stream was seen "
            f"{1 - (down - unseen) / (live - unseen):.2%}"
        )
    lines.append(
        "  targets met on every day: "
        + ", ".join(
            f"{name} {verdict(met[name] == len(DAY_RESULTS))} "
            f"({met[name]}/{len(DAY_RESULTS)})"
            for name in Verdicts(0, 0, [], [], 0, [], [], []).targets
        )
    )
    report(*lines)


def print_report(schedule: Schedule, day: Day, fake: FakeTikTok) -> None:
    """Everything measured, with the targets."""
    requests, wall, mono_start = day.requests, day.wall, day.mono_start
    lines = [
        "",
        f"a day of flaky TikTok: connection method {day.method}, seed {day.seed}, "
        f"24 simulated hours in {wall:.1f} s "
        f"of wall-clock time ({day.steps} clock steps)",
        "",
        "schedule:",
    ]
    for n, stream in enumerate(schedule.streams, start=1):
        extra = " (the sign server outage)" if n - 1 == schedule.outage_stream else ""
        lines.append(
            f"  stream {n}: {clock(stream.start)}-{clock(stream.end)} "
            f"({(stream.end - stream.start) // 60} min){extra}; drops at "
            + (", ".join(clock(at) for at in stream.drops) or "-")
            + (
                "; silent socket at " + ", ".join(clock(at) for at in stream.silences)
                if stream.silences
                else ""
            )
        )
    start, end = schedule.outage
    lines.append(
        f"  sign server outage (every fetch 503): {clock(start)}-{clock(end)}, the "
        f"socket dropped at {clock(schedule.outage_drop)}; excluded window ends "
        f"{clock(end + AFTER_OUTAGE)}"
    )
    lines.append(
        "  forced (each queued for the next request it applies to): "
        + "; ".join(
            f"{clock(at)} {kind}" for at, kind in sorted(schedule.forced.items())
        )
    )
    lines.append(
        f"  drawn per request: room info prompts {P_ROOM_INFO_PROMPTS:.0%}, user_not_found "
        f"{P_USER_NOT_FOUND:.0%}, sign 429 {P_SIGN_429:.0%}, sign 500/503 "
        f"{P_SIGN_5XX:.0%}, fallback push host {P_SIGN_FALLBACK_HOST:.0%}, "
        f"DEVICE_BLOCKED {P_DEVICE_BLOCKED:.0%}"
    )
    drawn = Counter(label.split(" retry")[0] for _, _, label in day.faults)
    lines.append(
        "  drawn: "
        + ", ".join(f"{label} x{count}" for label, count in sorted(drawn.items()))
    )
    if day.forced_waiting:
        lines.append(
            "  forced but never met (no such request came): "
            + "; ".join(day.forced_waiting)
        )
    rare = [
        f"{clock(t)} {label}"
        for t, _, label in day.faults
        if not label.startswith("prompts")
    ]
    lines.append("  when: " + ("; ".join(rare) or "-"))
    if VERBOSE:
        lines.append("  actions:")
        lines.extend(f"    {clock(t)} {label}" for t, label in day.actions)
        lines.append("  errors recorded by the integration:")
        lines.extend(
            f"    {clock(t)} {error}: {message[:110]}"
            for t, error, message in day.errors
        )

    # Connected.
    share = day.connected_seconds / day.live_seconds if day.live_seconds else 0.0
    v = verdicts(schedule, day)
    share_out = v.connected_outside
    lines += [
        "",
        f"live time {day.live_seconds / 3600:.2f} h; connected (a socket open, not "
        f"silenced): {share:.2%} overall",
        f"  connected outside the outage (+{AFTER_OUTAGE // 60} min): {share_out:.3%} "
        f"of {day.live_seconds_outside / 3600:.2f} h, "
        f"{(day.live_seconds_outside - day.connected_seconds_outside) / 60:.1f} min "
        f"down   target >= {TARGET_CONNECTED:.0%}   {verdict(share_out >= TARGET_CONNECTED)}",
        "  gaps (live, no usable socket), longest first:",
    ]
    by_trigger: Counter[str] = Counter()
    for gap in sorted(day.gaps, key=lambda g: -((g.end or 0) - g.start)):
        length = (gap.end or 0) - gap.start
        where = " [outage window]" if schedule.in_outage(gap.start) else ""
        kind = gap_kind(gap.trigger)
        if not schedule.in_outage(gap.start):
            by_trigger[kind] += int(length)
        errors = ", ".join(f"{e} x{c}" for e, c in gap.errors.most_common())
        lines.append(
            f"    {clock(gap.start)} {length:5.0f} s  {gap.trigger}{where}"
            + (f"; errors: {errors}" if errors else "")
        )
    lines.append(
        "  down time outside the outage by trigger: "
        + ", ".join(f"{k} {v} s" for k, v in by_trigger.most_common())
    )
    lines.append(
        f"  of it, stream starts the offline checks had not seen yet: "
        f"{v.unseen_seconds:.0f} s (no failure: the check interval); connected "
        f"from the first check that saw each stream: {v.connected_once_seen:.3%}"
    )

    # What users see.
    false_issues = v.false_issues
    outage_issues = [i for i in day.issues if schedule.in_outage(i[0])]
    lines += [
        "",
        f"repair issues outside the outage: {len(false_issues)}   target 0   "
        f"{verdict(not false_issues)}",
    ]
    lines.extend(
        f"    {clock(t)} {key} ({issue_id})" for t, key, issue_id in false_issues
    )
    lines.append(
        "  in the outage window (expected): "
        + (", ".join(f"{clock(t)} {key}" for t, key, _ in outage_issues) or "none")
    )
    lines.append(
        "  open at the end of the day: " + (", ".join(day.open_issues) or "none")
    )
    lines.append(
        f"reauth flows started: {len(day.reauths)}   target 0   {verdict(not day.reauths)}"
    )
    lines.extend(f"    {clock(t)} {key}" for t, key in day.reauths)
    extra_changes = v.extra_live_changes
    lines.append(
        f"Live state changes: {len(day.live_changes)} for {len(schedule.streams)} streams "
        f"(extra {max(extra_changes, 0)})   target 0 extra   {verdict(extra_changes <= 0)}"
    )
    lines.append(
        "    "
        + ", ".join(f"{clock(t)} {old}->{new}" for t, old, new in day.live_changes)
    )
    unavailable_out = v.unavailable_outside
    lines.append(
        f"unavailable outside the outage (Live, Viewers): {len(unavailable_out)}   "
        f"target 0   {verdict(not unavailable_out)}"
    )
    lines.extend(f"    {clock(t)} {entity}" for t, entity in unavailable_out)
    lines.append(
        "  in the outage window: "
        + (
            ", ".join(
                f"{clock(t)} {e}" for t, e in day.unavailable if schedule.in_outage(t)
            )
            or "none"
        )
    )

    # Requests.
    def per_hour(paths: tuple[str, ...]) -> str:
        chosen = [r for r in requests if r.path in paths]
        hours = Counter(int((r.at - mono_start) // 3600) for r in chosen)
        peak = max(hours.values(), default=0)
        return f"{len(chosen)} ({len(chosen) / 24:.1f}/h, peak {peak} in one hour)"

    sign = {id(r) for r in fake.sign_requests()}
    sign_list = [r for r in requests if id(r) in sign]
    hours = Counter(int((r.at - mono_start) // 3600) for r in sign_list)
    page = f"/@{next(iter(fake.creators))}/live"
    lines += [
        "",
        f"sign server fetches: {len(sign_list)} ({len(sign_list) / 24:.1f}/h, peak "
        f"{max(hours.values(), default=0)} in one hour)",
        f"TikTok web requests: api-live {per_hour(('/api-live/user/room/',))}, LIVE page "
        f"{per_hour((page,))}, room info {per_hour(('/webcast/room/info/',))}, "
        f"check_alive {per_hour(('/webcast/room/check_alive/',))}",
        f"WebSocket: {len(fake.sockets)} opened ({day.direct_sockets} direct, "
        f"{day.signed_sockets} signed); upgrades asked: direct "
        f"{per_hour((DIRECT_PUSH_PATH,))}, signed {per_hour((SIGNED_SOCKET_PATH,))}, "
        f"the sign server's fallback host {per_hour(('/ws-fallback',))}; "
        f"{day.blocked_agents} User-Agents left DEVICE_BLOCKED",
    ]

    # Gifts.
    delivered = set(day.delivered)
    lost, duplicated = v.lost, v.duplicated
    unknown = [m for m in day.gift_events if m not in day.pushed]
    lines += [
        "",
        f"gifts: {len(day.pushed)} sent by viewers, {len(delivered)} delivered by TikTok "
        f"({len(day.delivered_by_history)} only by a reconnect's history; "
        f"{len(day.pushed) - len(delivered)} sent while no socket could get them), "
        f"{sum(1 for m in day.pushed if day.gift_events[m])} fired",
        f"  lost (delivered, never fired): {len(lost)}",
        f"  duplicated (fired twice or more): {len(duplicated)}   target 0   "
        f"{verdict(not duplicated)}",
    ]
    lines.extend(
        f"    lost {m - GIFT_USER_BASE}: sent {clock(day.pushed[m])}, delivered "
        f"{clock(day.delivered[m])}"
        for m in lost[:20]
    )
    lines.extend(
        f"    duplicated {m - GIFT_USER_BASE}: sent {clock(day.pushed[m])}, fired "
        f"{day.gift_events[m]} times"
        for m in duplicated[:20]
    )
    if unknown:
        lines.append(f"  gift events for unknown markers: {len(unknown)}")
    lines.append(
        "  events fired: "
        + ", ".join(
            f"{kind} {count}" for kind, count in sorted(day.event_counts.items())
        )
    )
    lines.append(
        "at the end of the day: "
        + ", ".join(f"{entity} {value}" for entity, value in day.end_states.items())
    )
    lines.append(f"wall-clock time: {wall:.1f} s")
    report(*lines)
