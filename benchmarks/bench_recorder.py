"""What a busy TikTok LIVE stream costs Home Assistant's database (the recorder).

Home Assistant's real recorder writes a real SQLite file in a temporary folder
(pytest-homeassistant-custom-component's ``recorder_mock``, pointed at a file
and set to Home Assistant's default commit interval of 5 s instead of the test
default of committing every event) while the integration follows a busy
simulated stream from the fake TikTok on loopback: real hass, real client,
real sockets. Each run prints:

* rows written per minute to each recorder table (``COUNT(*)`` on the SQLite
  file before and after the stream, once everything was committed), with a
  check that every bus event and state change became a row, and the state rows
  by entity. Statistics are compiled every 5 minutes whatever the message rate,
  so they are shown per 5-minute period;
* MB per minute (1 MB = 1,000,000 bytes): the database file plus its WAL and
  shm files as the recorder left them after its last commit, and the database
  file alone after a ``wal_checkpoint(TRUNCATE)``. Never vacuumed: nothing is
  deleted, so nothing could be reclaimed (the free page count is printed).
  Each table's share includes its indexes (SQLite's ``dbstat``);
* CPU seconds per 1,000 TikTok messages: ``time.process_time`` (all threads:
  the fake TikTok, the client, Home Assistant, the recorder), split into the
  event loop's thread and the recorder's thread, with the recorder on and in
  the same run without it;
* the event loop's longest stall: a task sleeping 5 ms over and over measures
  how late it wakes up; full garbage collections (which stop every thread) are
  counted and timed, with nothing frozen out of the collector's reach (as in
  Home Assistant; newer test plugins freeze Home Assistant's objects).

Runs: default options (a new entry's options are empty, so whatever the
integration's defaults are) and everything on (every ``const.EventType`` on
the bus, gift streak updates on, and every entity the integration disables by
default enabled in the entity registry, after which Home Assistant reloads the
entry as it does for a user); each with messages that differ (20,000 viewers,
unique comments, a moving viewer count) and with content that repeats (50
viewers, 20 comment texts, a fixed viewer count); each with and without the
recorder. Only config entries, options, the entity registry, hass states and
the bus, and the fake are used: no internals of the integration.

The mix, per 1,000 messages: see MIX_PER_1000 (about 425 likes, 200 joins,
200 comments, 128 gift messages: 20 streaks of 5 taps plus 8 gifts that cannot
streak, 25 follows, 20 shares, 2 viewer counts, a subscription every 5 s).

Time (BENCH_RECORDER_PACE): "fast" (default) runs the stream faster than real
time on Home Assistant's clock: each frame is pushed and handled before the
next, then each simulated second moves the clock one second
(``async_fire_time_changed``) so the integration's once-a-second timers run
once per simulated second, every 5 simulated seconds the recorder is told to
commit, as its 5 s commit timer does, and each simulated second ends once the
recorder has caught up with its queue, as it must to keep up in real time.
"realtime" pushes the frames evenly over real seconds and lets every timer
run on the real clock (a minute per run; the recorder runs free, its queue
length is printed).

Run: scripts/bench-recorder [-k default|everything|differ|repeats|recorder-on]
Environment: BENCH_RECORDER_SECONDS (simulated seconds, 60),
BENCH_RECORDER_RATE (messages per second, 1000), BENCH_RECORDER_FRAME
(messages per frame, 50), BENCH_RECORDER_PACE (fast or realtime).
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Iterator
import contextlib
from dataclasses import dataclass, field
from datetime import datetime, timedelta
import gc
import logging
import math
import os
from pathlib import Path
import platform
import random
import sqlite3
import statistics
import threading
import time
from typing import Any

from homeassistant import config_entries
from homeassistant.components import recorder
from homeassistant.const import EVENT_STATE_CHANGED, __version__ as HA_VERSION
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.helpers import entity_registry as er
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.components.recorder.common import (
    async_recorder_block_till_done,
    async_trigger_db_commit,
    async_wait_recording_done,
    do_adhoc_statistics,
)

from custom_components.tiktok_live import const
from custom_components.tiktok_live.const import (
    CONF_BUS_EVENT_TYPES,
    EVENT_TIKTOK_LIVE,
    EventType,
)
from tests.fake_tiktok import FakeCreator, FakeTikTok, messages
from tests.integration.conftest import advance, make_entry, setup_entry

SECONDS = int(os.environ.get("BENCH_RECORDER_SECONDS", "60"))
RATE = int(os.environ.get("BENCH_RECORDER_RATE", "1000"))
FRAME = int(os.environ.get("BENCH_RECORDER_FRAME", "50"))
REALTIME = os.environ.get("BENCH_RECORDER_PACE", "fast") == "realtime"
COMMIT_INTERVAL = recorder.DEFAULT_COMMIT_INTERVAL
STALL_PROBE = 0.005
MAIN_TABLES = [
    "states",
    "state_attributes",
    "states_meta",
    "events",
    "event_data",
    "event_types",
]

# Per 1,000 TikTok messages; likes fill up the rest (about 425). "streak" counts
# streaks of a streakable gift: STREAK_TAPS updates plus the final message each.
MIX_PER_1000: dict[str, float] = {
    "join": 200,  # MemberMessage: a viewer entered
    "comment": 200,  # ChatMessage
    "streak": 20,  # 120 GiftMessages
    "gift": 8,  # GiftMessage of a gift that cannot streak
    "follow": 25,  # SocialMessage
    "share": 20,  # SocialMessage
    "viewers": 2,  # RoomUserSeqMessage: the viewer count
    "subscribe": 0.2,  # SubNotifyMessage: the odd one
}
STREAK_TAPS = 5
STREAK_GIFTS = ["Rose"] * 6 + ["TikTok"] * 2 + ["Finger Heart", "Doughnut"]
ONE_SHOT_GIFTS = ["Galaxy"] * 9 + ["Lion"]
PHRASES = [
    "hello from Berlin",
    "love this song",
    "what game is this?",
    "😂😂😂",
    "first time here",
    "you are the best",
    "can you say hi to me",
    "gg",
    "which camera do you use?",
    "❤️❤️",
    "play it again!",
    "how long have you been streaming?",
    "greetings from Brazil 🇧🇷",
    "lol",
    "this is so relaxing",
    "wow",
    "🔥🔥🔥",
    "so cute",
    "where are you from?",
    "good night everyone",
]


@dataclass(frozen=True)
class Content:
    """How much the stream's messages differ from each other."""

    name: str
    viewers: int  # distinct viewers who send messages
    unique_text: bool  # every comment different (else one of PHRASES)
    moving_count: bool  # the viewer count changes (else fixed)


DIFFER = Content("messages differ", 20_000, unique_text=True, moving_count=True)
REPEATS = Content("content repeats", 50, unique_text=False, moving_count=False)


@dataclass(frozen=True)
class Setup:
    """A configuration of the integration."""

    name: str
    options: dict[str, Any]
    enable_disabled_entities: bool


DEFAULT = Setup("default options", {}, enable_disabled_entities=False)
EVERYTHING = Setup(
    "everything on",
    {
        CONF_BUS_EVENT_TYPES: [t.value for t in EventType],
    },
    enable_disabled_entities=True,
)


@dataclass(frozen=True)
class Run:
    """One benchmark run."""

    setup: Setup
    content: Content
    recorder: bool


RUNS = [
    pytest.param(Run(s, c, rec), id=f"{sid}-{cid}-recorder-{'on' if rec else 'off'}")
    for s, sid in ((DEFAULT, "default"), (EVERYTHING, "everything"))
    for c, cid in ((DIFFER, "differ"), (REPEATS, "repeats"))
    for rec in (True, False)
]


@dataclass
class Measured:
    """What the stream cost while it ran."""

    messages: int
    wall: float
    cpu: float
    loop_cpu: float
    recorder_cpu: float | None
    stalls: list[float]
    full_gcs: list[float]
    gc_tracked: int  # objects the garbage collector tracked at the start
    backlog: int
    bus: Counter[str] = field(default_factory=Counter)
    state_changes: Counter[str] = field(default_factory=Counter)

    def per_1000(self, seconds: float) -> float:
        return seconds * 1000 / self.messages

    @property
    def stall(self) -> float:
        return max(self.stalls, default=0.0)

    @property
    def stall_p99(self) -> float:
        if len(self.stalls) < 100:
            return self.stall
        return statistics.quantiles(self.stalls, n=100)[98]


@dataclass
class Result:
    """One run's figures, for the summary."""

    run: Run
    measured: Measured
    rows_per_min: dict[str, float] = field(default_factory=dict)
    mb_per_min: float | None = None  # the database file, checkpointed
    raw_mb_per_min: float | None = None  # database + WAL + shm after the commit


RESULTS: list[Result] = []


# ------------------------------------------------------------------ fixtures


@pytest.fixture(autouse=True)
def quiet_logs() -> Iterator[None]:
    """Log as production does: the test plugin logs INFO and every SQL statement."""
    names = ["", "sqlalchemy.engine"]
    levels = {name: logging.getLogger(name).level for name in names}
    for name in names:
        logging.getLogger(name).setLevel(logging.WARNING)
    yield
    for name, level in levels.items():
        logging.getLogger(name).setLevel(level)


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(
    quiet_logs: None, request: pytest.FixtureRequest, run: Run
) -> None:
    """The recorder first (it must exist before hass does), then the integration."""
    if run.recorder:
        request.getfixturevalue("recorder_mock")
    request.getfixturevalue("enable_custom_integrations")


@pytest.fixture
def recorder_db(tmp_path: Path) -> Path:
    """Where the recorder's SQLite database goes."""
    return tmp_path / "home-assistant_v2.db"


@pytest.fixture
def recorder_config(recorder_db: Path) -> dict[str, Any]:
    """A real SQLite file, committed as often as Home Assistant does by default."""
    return {
        recorder.CONF_DB_URL: f"sqlite:///{recorder_db}",
        recorder.CONF_COMMIT_INTERVAL: COMMIT_INTERVAL,
    }


@pytest.fixture
def enable_event_loop_debug() -> None:
    """Run the loop as production does: asyncio's debug mode costs CPU."""


@pytest.fixture(scope="module", autouse=True)
def garbage_collection() -> None:
    """Collect, but keep every object in the collector's reach, as in production.

    Newer pytest-homeassistant-custom-component versions also ``gc.freeze()``
    everything that exists when a module starts (Home Assistant itself), which
    Home Assistant does not do: full collections would look much cheaper.
    """
    gc.unfreeze()
    gc.collect()


@pytest.fixture(scope="module", autouse=True)
def summary() -> Iterator[None]:
    """Put the runs side by side once all ran."""
    yield
    _print_summary()


# ------------------------------------------------------------ the stream


def _in_second(per_second: float, second: int) -> int:
    """How many of something that happens ``per_second`` times fall in this second."""
    return math.floor(per_second * (second + 1) + 1e-9) - math.floor(
        per_second * second + 1e-9
    )


class Stream:
    """Builds the stream's messages, second by second, before the clock starts."""

    def __init__(self, content: Content, rate: int, seed: int = 1) -> None:
        self.content = content
        self.rate = rate
        self.rng = random.Random(seed)
        self.users = [
            messages.user(8_000_000_000 + n, f"viewer_{n}", f"Viewer {n}")
            for n in range(content.viewers)
        ]
        self.viewer_count = 5000
        self.likes = 0
        self.comments = 0
        self.sent: Counter[str] = Counter()

    def _user(self) -> Any:
        return self.users[self.rng.randrange(len(self.users))]

    def _text(self) -> str:
        phrase = self.rng.choice(PHRASES)
        return f"{phrase} #{self.comments}" if self.content.unique_text else phrase

    def second(self, second: int) -> list[Any]:
        """The messages of one simulated second, shuffled (streaks stay in order)."""
        rng = self.rng
        counts = {
            kind: _in_second(per_1000 * self.rate / 1000, second)
            for kind, per_1000 in MIX_PER_1000.items()
        }
        items: list[tuple[float, Any]] = []

        def add(kind: str, message: Any, key: float | None = None) -> None:
            items.append((rng.random() if key is None else key, message))
            self.sent[kind] += 1

        for _ in range(counts["streak"]):
            streak = messages.gift_streak(
                self._user(), rng.choice(STREAK_GIFTS), STREAK_TAPS
            )
            keys = sorted(rng.random() for _ in streak)
            for key, message in zip(keys, streak, strict=True):
                add("gift (streak)", message, key)
        for _ in range(counts["gift"]):
            gift = messages.gift(self._user(), rng.choice(ONE_SHOT_GIFTS))
            add("gift (one-shot)", gift)
        for _ in range(counts["viewers"]):
            if self.content.moving_count:
                self.viewer_count = max(100, self.viewer_count + rng.randint(-50, 50))
            add("viewers", messages.viewers(self.viewer_count))
        for _ in range(counts["join"]):
            add("join", messages.join(self._user(), self.viewer_count))
        for _ in range(counts["comment"]):
            self.comments += 1
            add("comment", messages.comment(self._user(), self._text()))
        for _ in range(counts["follow"]):
            add("follow", messages.follow(self._user()))
        for _ in range(counts["share"]):
            add("share", messages.share(self._user()))
        for _ in range(counts["subscribe"]):
            add("subscribe", messages.subscribe(self._user(), rng.randint(1, 12)))
        while len(items) < self.rate:
            count = rng.randint(1, 15)
            self.likes += count
            add("like", messages.like(self._user(), count, total=self.likes))
        items.sort(key=lambda item: item[0])
        return [message for _, message in items]


# ----------------------------------------------------------- measurements


class StallProbe:
    """How late a task that keeps sleeping STALL_PROBE seconds wakes up."""

    def __init__(self) -> None:
        self.late: list[float] = []
        self._task: asyncio.Task[None] | None = None

    async def _probe(self) -> None:
        while True:
            start = time.perf_counter()
            await asyncio.sleep(STALL_PROBE)
            self.late.append(time.perf_counter() - start - STALL_PROBE)

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._probe())

    async def stop(self) -> list[float]:
        assert self._task is not None
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task
        return self.late


class GcWatch:
    """Python's full (generation 2) garbage collections: every thread waits."""

    def __init__(self) -> None:
        self.full: list[float] = []
        self._started = 0.0

    def _callback(self, phase: str, info: dict[str, int]) -> None:
        if info["generation"] != 2:
            return
        if phase == "start":
            self._started = time.perf_counter()
        else:
            self.full.append(time.perf_counter() - self._started)

    def start(self) -> None:
        gc.callbacks.append(self._callback)

    def stop(self) -> list[float]:
        gc.callbacks.remove(self._callback)
        return self.full


def _thread_cpu(thread: threading.Thread | None) -> float | None:
    """CPU seconds of another thread (Linux and most Unixes), None if unknown."""
    if thread is None or thread.ident is None or not thread.is_alive():
        return None
    try:
        return time.clock_gettime(time.pthread_getcpuclockid(thread.ident))
    except (AttributeError, OSError):
        return None


@dataclass
class DbSnapshot:
    """The database as SQL and the file system see it."""

    rows: dict[str, int]
    table_bytes: Counter[str]  # each table with its indexes
    entity_rows: dict[str, int]
    event_type_rows: dict[str, int]
    files: int  # database + WAL + shm as the recorder left them
    wal: int
    checkpoint: tuple[int, ...]  # PRAGMA wal_checkpoint(TRUNCATE): busy, log, done
    checkpointed: int  # the database file after the checkpoint
    files_checkpointed: int  # database + WAL + shm after the checkpoint
    freelist: int
    page_size: int


def _size(path: Path) -> int:
    return path.stat().st_size if path.exists() else 0


def _files(path: Path) -> tuple[int, int]:
    """Bytes of the database, its WAL and shm files; bytes of the WAL."""
    wal = _size(Path(f"{path}-wal"))
    return _size(path) + wal + _size(Path(f"{path}-shm")), wal


def _snapshot(path: Path) -> DbSnapshot:
    """Count rows and bytes (plain sqlite3, blocking: runs in an executor)."""
    files, wal = _files(path)
    con = sqlite3.connect(path, timeout=30)
    try:
        tables = [
            name
            for (name,) in con.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' "
                "AND name NOT LIKE 'sqlite_%'"
            )
        ]
        rows = {
            table: con.execute(f'SELECT COUNT(*) FROM "{table}"').fetchone()[0]
            for table in tables
        }
        owner = dict(con.execute("SELECT name, tbl_name FROM sqlite_master"))
        table_bytes: Counter[str] = Counter()
        with contextlib.suppress(sqlite3.OperationalError):  # SQLite without dbstat
            for name, size in con.execute(
                "SELECT name, SUM(pgsize) FROM dbstat GROUP BY name"
            ):
                table_bytes[owner.get(name, name)] += size
        entity_rows: dict[str, int] = {}
        event_type_rows: dict[str, int] = {}
        with contextlib.suppress(sqlite3.OperationalError):  # another schema
            entity_rows = dict(
                con.execute(
                    "SELECT m.entity_id, COUNT(*) FROM states s "
                    "JOIN states_meta m ON s.metadata_id = m.metadata_id "
                    "GROUP BY m.entity_id"
                )
            )
            event_type_rows = dict(
                con.execute(
                    "SELECT t.event_type, COUNT(*) FROM events e "
                    "JOIN event_types t ON e.event_type_id = t.event_type_id "
                    "GROUP BY t.event_type"
                )
            )
        checkpoint = tuple(con.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone())
        freelist = con.execute("PRAGMA freelist_count").fetchone()[0]
        page_size = con.execute("PRAGMA page_size").fetchone()[0]
    finally:
        con.close()
    return DbSnapshot(
        rows=rows,
        table_bytes=table_bytes,
        entity_rows=entity_rows,
        event_type_rows=event_type_rows,
        files=files,
        wal=wal,
        checkpoint=checkpoint,
        checkpointed=_size(path),
        files_checkpointed=_files(path)[0],
        freelist=freelist,
        page_size=page_size,
    )


async def _db_snapshot(hass: HomeAssistant, path: Path) -> DbSnapshot:
    """Everything committed, then counted."""
    await async_wait_recording_done(hass)
    return await hass.async_add_executor_job(_snapshot, path)


# ------------------------------------------------------------------ the run


async def _set_up(
    hass: HomeAssistant, fake: FakeTikTok, creator: FakeCreator, setup: Setup
) -> tuple[set[str], list[str]]:
    """The creator live and the entry set up; its entity ids, those enabled."""
    creator.go_live(title="recorder bench", viewers=5000)
    entry = make_entry(fake, options=dict(setup.options))
    await setup_entry(hass, entry)
    await fake.wait_connected(creator)
    registry = er.async_get(hass)
    enabled = []
    if setup.enable_disabled_entities:
        for entity in er.async_entries_for_config_entry(registry, entry.entry_id):
            if entity.disabled_by is er.RegistryEntryDisabler.INTEGRATION:
                registry.async_update_entity(entity.entity_id, disabled_by=None)
                enabled.append(entity.entity_id)
    if enabled:
        # Home Assistant reloads the entry this long after an entity is enabled.
        await advance(
            hass, getattr(config_entries, "RELOAD_AFTER_UPDATE_DELAY", 30) + 1
        )
        await fake.wait_connected(creator, count=2)
    await advance(hass, 1)
    await advance(hass, 1)
    entities = er.async_entries_for_config_entry(registry, entry.entry_id)
    return {e.entity_id for e in entities}, enabled


async def _stream(
    hass: HomeAssistant,
    *,
    fake: FakeTikTok,
    creator: FakeCreator,
    stream: Stream,
    entity_ids: set[str],
    instance: recorder.Recorder | None,
) -> Measured:
    """Push the stream, drive the clock, wait for the recorder; measure it all.

    Each second's messages are built just before they are pushed (so that a
    minute of them does not sit in memory); building them is not measured.
    """
    bus: Counter[str] = Counter()
    state_changes: Counter[str] = Counter()

    @callback
    def _bus_event(event: Event) -> None:
        bus[event.data.get("type", "?")] += 1

    @callback
    def _state_changed(event: Event) -> None:
        if (entity_id := event.data["entity_id"]) in entity_ids:
            state_changes[entity_id.split(".")[0]] += 1

    unsubscribe = [
        hass.bus.async_listen(EVENT_TIKTOK_LIVE, _bus_event),
        hass.bus.async_listen(EVENT_STATE_CHANGED, _state_changed),
    ]
    probe, gc_watch, backlog = StallProbe(), GcWatch(), 0
    gc_tracked = len(gc.get_objects())
    build_cpu = build_wall = 0.0
    probe.start()
    gc_watch.start()
    wall0, cpu0, loop0 = time.perf_counter(), time.process_time(), time.thread_time()
    recorder0 = _thread_cpu(instance)
    for number in range(1, SECONDS + 1):
        build0, build_wall0 = time.thread_time(), time.perf_counter()
        second = stream.second(number - 1)
        build_cpu += time.thread_time() - build0
        build_wall += time.perf_counter() - build_wall0
        frames = [second[i : i + FRAME] for i in range(0, len(second), FRAME)]
        for index, frame in enumerate(frames):
            if REALTIME:
                slot = wall0 + number - 1 + index / len(frames)
                await asyncio.sleep(max(0.0, slot - time.perf_counter()))
                await fake.push(creator, *frame)
            else:
                # Handled before the next one comes, as when frames trickle in.
                await fake.push(creator, *frame)
                await fake.sync(creator, timeout=120)
        if instance is not None:
            backlog = max(backlog, instance.backlog)
        if not REALTIME:
            await advance(hass, 1)
            if instance is not None:
                if number % COMMIT_INTERVAL == 0:
                    async_trigger_db_commit(hass)
                # The recorder keeps pace, as it has to in real time.
                await async_recorder_block_till_done(hass)
    await fake.sync(creator, timeout=120)
    if REALTIME:
        await asyncio.sleep(getattr(const, "STATE_WRITE_INTERVAL", 1.0) + 0.2)
    await advance(hass, 1)  # the last coalesced writes and likes
    if instance is not None:
        await async_wait_recording_done(hass)
    else:
        await hass.async_block_till_done()
    wall = time.perf_counter() - wall0 - build_wall
    cpu = time.process_time() - cpu0 - build_cpu
    loop_cpu = time.thread_time() - loop0 - build_cpu
    recorder1 = _thread_cpu(instance)
    stalls, full_gcs = await probe.stop(), gc_watch.stop()
    for remove in unsubscribe:
        remove()
    return Measured(
        messages=sum(stream.sent.values()),
        wall=wall,
        cpu=cpu,
        loop_cpu=loop_cpu,
        recorder_cpu=(
            recorder1 - recorder0
            if recorder0 is not None and recorder1 is not None
            else None
        ),
        stalls=stalls,
        full_gcs=full_gcs,
        gc_tracked=gc_tracked,
        backlog=backlog,
        bus=bus,
        state_changes=state_changes,
    )


@pytest.mark.parametrize("run", RUNS)
async def test_recorder_cost(
    hass: HomeAssistant,
    fake_tiktok: FakeTikTok,
    creator: FakeCreator,
    recorder_db: Path,
    run: Run,
) -> None:
    """A busy stream for a simulated minute, with or without the recorder."""
    stream = Stream(run.content, RATE)
    entity_ids, enabled = await _set_up(hass, fake_tiktok, creator, run.setup)
    instance = recorder.get_instance(hass) if run.recorder else None
    before = await _db_snapshot(hass, recorder_db) if instance else None
    started = dt_util.utcnow()

    measured = await _stream(
        hass,
        fake=fake_tiktok,
        creator=creator,
        stream=stream,
        entity_ids=entity_ids,
        instance=instance,
    )

    # Every comment counted (the Comments sensor counts them whether or not
    # comments are fired as events, which is off by default).
    comments = hass.states.get("sensor.streamer_comments")
    assert comments is not None
    assert int(comments.state) == stream.sent["comment"], "comments were lost"
    result = Result(run, measured)
    RESULTS.append(result)
    _report_run(
        hass,
        run=run,
        stream=stream,
        measured=measured,
        entity_ids=entity_ids,
        enabled=enabled,
    )
    if instance is None or before is None:
        return
    after = await _db_snapshot(hass, recorder_db)
    _report_database(result, before, after)
    await _report_statistics(hass, recorder_db, after, started)


# ------------------------------------------------------------------ reports


def _say(text: str = "") -> None:
    print(text)  # noqa: T201 - a benchmark's output


def _mb(n: float) -> str:
    return f"{n / 1e6:.2f} MB"


def _per_min(n: float) -> float:
    return n * 60 / SECONDS


def _counts(counter: Counter[str]) -> str:
    return ", ".join(f"{key} {n:,}" for key, n in counter.most_common())


def _report_run(
    hass: HomeAssistant,
    *,
    run: Run,
    stream: Stream,
    measured: Measured,
    entity_ids: set[str],
    enabled: list[str],
) -> None:
    live = sum(1 for e in entity_ids if hass.states.get(e) is not None)
    pace = "real time" if REALTIME else "Home Assistant's clock driven"
    _say()
    _say(
        f"=== {run.setup.name}, {run.content.name}, recorder "
        f"{'ON' if run.recorder else 'OFF'} — Home Assistant {HA_VERSION}, Python "
        f"{platform.python_version()}, SQLite {sqlite3.sqlite_version}"
    )
    _say(
        f"stream: {measured.messages:,} messages in {SECONDS} simulated s ({RATE:,}/s "
        f"in frames of {FRAME}, {pace}): {_counts(stream.sent)}"
    )
    _say(
        f"options: {run.setup.options or '{} (the defaults)'}; enabled in the "
        f"entity registry: {', '.join(enabled) or 'nothing'}; {live} of "
        f"{len(entity_ids)} entities have a state"
    )
    _say(
        f"fired: {sum(measured.bus.values()):,} {EVENT_TIKTOK_LIVE} "
        f"({_counts(measured.bus)}); {sum(measured.state_changes.values()):,} "
        f"state changes ({_counts(measured.state_changes)})"
    )
    recorder_cpu = (
        f", recorder thread {measured.per_1000(measured.recorder_cpu):.3f} s: "
        f"{measured.recorder_cpu / SECONDS:.0%} of a core at this rate"
        if measured.recorder_cpu is not None
        else ""
    )
    gcs = measured.full_gcs
    _say(
        f"CPU per 1,000 messages: {measured.per_1000(measured.cpu):.3f} s (event "
        f"loop thread {measured.per_1000(measured.loop_cpu):.3f} s{recorder_cpu}); "
        f"{measured.wall:.1f} s wall ({measured.messages / measured.wall:,.0f} "
        "messages/s)"
        + (f"; recorder queue up to {measured.backlog:,}" if run.recorder else "")
    )
    _say(
        f"event loop: longest stall {measured.stall * 1000:.1f} ms, 99th percentile "
        f"{measured.stall_p99 * 1000:.1f} ms ({len(measured.stalls):,} probes); "
        f"{len(gcs)} full garbage collections, the longest "
        f"{max(gcs, default=0) * 1000:.0f} ms ({measured.gc_tracked:,} objects "
        "tracked)"
    )


def _report_database(result: Result, before: DbSnapshot, after: DbSnapshot) -> None:
    measured = result.measured
    rows = {t: n - before.rows.get(t, 0) for t, n in after.rows.items()}
    result.rows_per_min = {t: _per_min(n) for t, n in rows.items()}
    others = sorted(
        t
        for t, n in rows.items()
        if n and t not in MAIN_TABLES and "statistic" not in t
    )
    _say(
        "rows per minute: "
        + ", ".join(f"{t} {_per_min(rows.get(t, 0)):,.0f}" for t in MAIN_TABLES)
        + ("; also " + ", ".join(f"{t} {rows[t]:,}" for t in others) if others else "")
    )
    recorded = after.event_type_rows.get(
        EVENT_TIKTOK_LIVE, 0
    ) - before.event_type_rows.get(EVENT_TIKTOK_LIVE, 0)
    fired = sum(measured.bus.values())
    changes = sum(measured.state_changes.values())
    _say(
        f"  check: {recorded:,} {EVENT_TIKTOK_LIVE} rows for {fired:,} fired, "
        f"{rows.get('states', 0):,} state rows for {changes:,} state changes"
        + ("" if recorded == fired else "  <-- MISMATCH")
    )
    entity_rows = Counter(
        {e: n - before.entity_rows.get(e, 0) for e, n in after.entity_rows.items()}
    )
    _say(
        "  state rows per minute: "
        + ", ".join(
            f"{e} {_per_min(n):,.0f}" for e, n in entity_rows.most_common() if n > 0
        )
    )
    raw = after.files - before.files_checkpointed
    data = after.checkpointed - before.checkpointed
    result.mb_per_min = _per_min(data) / 1e6
    result.raw_mb_per_min = _per_min(raw) / 1e6
    _say(
        f"database: +{_mb(_per_min(data))}/min in the database file (after "
        f"wal_checkpoint(TRUNCATE) {after.checkpoint}); on disk after the last "
        f"commit, database + WAL + shm grew {_mb(raw)} in the run "
        f"(+{_mb(_per_min(raw))}/min), the WAL being {_mb(after.wal)} (SQLite "
        f"reuses it after each checkpoint: it does not grow with time); no VACUUM "
        f"(nothing was deleted: {after.freelist} free pages); {_mb(after.checkpointed)}"
        " in all"
    )
    grown = Counter(
        {t: n - before.table_bytes.get(t, 0) for t, n in after.table_bytes.items()}
    )
    _say(
        "  per minute by table (with its indexes): "
        + ", ".join(f"{t} {_mb(_per_min(n))}" for t, n in grown.most_common() if n > 0)
    )
    _say(
        "  bytes per row (with indexes): "
        + ", ".join(
            f"{t} {grown[t] / rows[t]:,.0f}"
            for t in ("states", "state_attributes", "events", "event_data")
            if rows.get(t)
        )
    )


async def _report_statistics(
    hass: HomeAssistant, path: Path, after: DbSnapshot, since: datetime
) -> None:
    """Compile the run's 5-minute periods, as the recorder does every 5 minutes."""
    period = since.replace(minute=since.minute - since.minute % 5, second=0)
    period = period.replace(microsecond=0)
    periods = 0
    while period <= dt_util.utcnow():
        do_adhoc_statistics(hass, start=period)
        periods += 1
        period += timedelta(minutes=5)
    compiled = await _db_snapshot(hass, path)
    _say(
        f"statistics (compiled every 5 minutes whatever the rate; the run's "
        f"{periods} period(s) compiled now): "
        + ", ".join(
            f"{t} +{n - after.rows.get(t, 0)}"
            for t, n in sorted(compiled.rows.items())
            if t.startswith("statistics")
        )
    )


def _cell(value: float | None, width: int, spec: str) -> str:
    return f"{value:>{width}{spec}}" if value is not None else f"{'-':>{width}}"


def _print_summary() -> None:
    if not RESULTS:
        return
    _say()
    _say(
        f"=== summary: Home Assistant {HA_VERSION}, Python "
        f"{platform.python_version()}, {RATE:,} messages/s for {SECONDS} simulated s"
        f"{' in real time' if REALTIME else ''}"
    )
    _say(
        f"{'':<47} {'rows per minute':^31}  {'MB/min':^13}  "
        f"{'CPU s per 1,000 msgs':^22}  {'loop stall':^11}"
    )
    _say(
        f"{'run':<47} {'states':>7} {'attrs':>7} {'events':>7} {'data':>7}  "
        f"{'file':>6} {'+WAL':>6}  {'all':>6} {'loop':>6} {'rec.':>6}  "
        f"{'max':>5} {'p99':>5}"
    )
    for result in RESULTS:
        run, m, rows = result.run, result.measured, result.rows_per_min
        name = (
            f"{run.setup.name}, {run.content.name}, "
            f"recorder {'on' if run.recorder else 'off'}"
        )
        counts = " ".join(
            _cell(rows.get(t), 7, ",.0f")
            for t in ("states", "state_attributes", "events", "event_data")
        )
        recorder_cpu = (
            m.per_1000(m.recorder_cpu) if m.recorder_cpu is not None else None
        )
        _say(
            f"{name:<47} {counts}  {_cell(result.mb_per_min, 6, '.1f')} "
            f"{_cell(result.raw_mb_per_min, 6, '.1f')}  "
            f"{m.per_1000(m.cpu):>6.3f} {m.per_1000(m.loop_cpu):>6.3f} "
            f"{_cell(recorder_cpu, 6, '.3f')}  "
            f"{m.stall * 1000:>3.0f}ms {m.stall_p99 * 1000:>3.0f}ms"
        )
    _say(
        "attrs = state_attributes, data = event_data; MB file = the database file "
        "after a checkpoint, +WAL = database + WAL + shm after the last commit; "
        "CPU all = every thread of the process (the fake TikTok included)"
    )
    pairs: dict[tuple[str, str], dict[bool, Measured]] = {}
    for result in RESULTS:
        run = result.run
        pairs.setdefault((run.setup.name, run.content.name), {})[run.recorder] = (
            result.measured
        )
    for (setup, content), pair in pairs.items():
        if True in pair and False in pair:
            on, off = pair[True], pair[False]
            cost = on.per_1000(on.cpu) - off.per_1000(off.cpu)
            _say(
                f"the recorder costs {cost:.3f} CPU s per 1,000 messages with "
                f"{setup}, {content} ({on.per_1000(on.cpu) / off.per_1000(off.cpu):.1f}"
                f"x the run without it): {cost * RATE / 1000:.0%} of a core at "
                f"{RATE:,} messages/s"
            )
