"""Staying connected: offline checks, reconnects, de-duplication, coalescing, restarts."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import EVENT_HOMEASSISTANT_STOP, STATE_OFF, STATE_ON
from homeassistant.core import Event, HomeAssistant, callback
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
)

from custom_components.tiktok_live.const import (
    CONF_BUS_EVENT_TYPES,
    CONF_LIKE_MILESTONE,
    CONF_OFFLINE_CHECK_INTERVAL,
)
from custom_components.tiktok_live.coordinator import TikTokLiveCoordinator
from custom_components.tiktok_live.webcast import WebcastConnection
from tests.fake_tiktok import FakeCreator, FakeSocket, FakeTikTok, messages

from .conftest import (
    advance,
    enable_event_entities,
    make_entry,
    of_type,
    setup_entry,
    state,
    unload,
)

FAN = messages.user(7001, "rose_fan", "Rose Fan")
OTHER = messages.user(7002, "night_owl", "Night Owl")


def coordinator_of(entry: MockConfigEntry) -> TikTokLiveCoordinator:
    coordinator: TikTokLiveCoordinator = entry.runtime_data
    return coordinator


async def go_live_and_connect(
    hass: HomeAssistant, entry: MockConfigEntry, fake: FakeTikTok, creator: FakeCreator
) -> None:
    creator.go_live(title="Stream", viewers=3)
    await setup_entry(hass, entry)
    await fake.wait_connected(creator)
    await advance(hass, 2)


async def test_offline_checks_then_connect(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    fake_tiktok: FakeTikTok,
    creator: FakeCreator,
    bus_events: list[Event],
) -> None:
    """Offline: one check per interval (jittered), nothing in between; live: connect."""
    await setup_entry(hass, mock_config_entry)
    coordinator = coordinator_of(mock_config_entry)
    await coordinator.async_wait_idle()
    pages = len([r for r in fake_tiktok.requests if r.path == "/@streamer/live"])
    await advance(hass, 40)  # less than the 60 s interval minus jitter
    assert (
        len([r for r in fake_tiktok.requests if r.path == "/@streamer/live"]) == pages
    )

    creator.go_live(title="Now live")
    await advance(hass, 60 * 1.2 + 1)
    await fake_tiktok.wait_connected(creator)
    await advance(hass, 2)
    assert state(hass, "binary_sensor.streamer_live") == STATE_ON
    assert state(hass, "sensor.streamer_connection") == "connected"
    assert len(of_type(bus_events, "stream_started")) == 1
    assert not fake_tiktok.sign_requests()[1:]


async def test_reconnect_after_drop_without_duplicates(
    hass: HomeAssistant,
    all_events_entry: MockConfigEntry,
    fake_tiktok: FakeTikTok,
    creator: FakeCreator,
    bus_events: list[Event],
) -> None:
    """A drop: reconnect within seconds, one socket at a time, replayed history ignored."""
    await go_live_and_connect(hass, all_events_entry, fake_tiktok, creator)
    coordinator = coordinator_of(all_events_entry)
    gift = messages.gift(FAN, "Galaxy")
    await fake_tiktok.push(creator, gift)
    await fake_tiktok.sync(creator)
    assert len(of_type(bus_events, "gift")) == 1

    # TikTok replays recent history in the first fetch after a reconnect.
    creator.history = [gift, messages.comment(OTHER, "new one")]
    [socket] = fake_tiktok.open_sockets(creator)
    socket.drop()
    await coordinator.async_wait_idle()
    await advance(hass, 1)
    assert state(hass, "sensor.streamer_connection") == "reconnecting"
    # Still live as far as anyone knows: entities stay available.
    assert state(hass, "binary_sensor.streamer_live") == STATE_ON

    await advance(hass, 3)  # first retry: 2 s with jitter
    await fake_tiktok.wait_connected(creator, count=2)
    await advance(hass, 2)
    assert state(hass, "sensor.streamer_connection") == "connected"
    assert len(of_type(bus_events, "gift")) == 1
    assert [c["text"] for c in of_type(bus_events, "comment")] == ["new one"]
    # Same stream: no second "started", counters kept.
    assert len(of_type(bus_events, "stream_started")) == 1
    assert state(hass, "sensor.streamer_diamonds") == "1000"
    assert len(fake_tiktok.open_sockets()) == 1
    assert coordinator.supervisor.connections_opened == 2


async def five_seconds(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, entry: MockConfigEntry
) -> None:
    """Home Assistant's clock (and the loop's timers) five seconds on."""
    freezer.tick(timedelta(seconds=5))
    async_fire_time_changed(hass)
    await hass.async_block_till_done()
    await coordinator_of(entry).async_wait_settled()


async def answered(socket: FakeSocket, connection: WebcastConnection) -> None:
    """Until the client read the fake's answer to every heartbeat the fake got."""
    for _ in range(10_000):  # loop turns: the answers are in flight on loopback
        if connection.stats.heartbeats_received >= len(socket.frames("hb")):
            return
        await asyncio.sleep(0)
    raise AssertionError("a heartbeat went unanswered")


async def seconds_until_reopened(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, entry: MockConfigEntry
) -> int:
    """Five seconds at a time, until the supervisor opened its second socket."""
    coordinator = coordinator_of(entry)
    supervisor = coordinator.supervisor
    for elapsed in range(5, 125, 5):
        await five_seconds(hass, freezer, entry)
        if (connection := supervisor.connection) is not None and connection.closed:
            await coordinator.async_wait_idle()  # given up: the back-off begins
        if supervisor.connections_opened == 2:
            return elapsed
        assert state(hass, "sensor.streamer_connection") in (
            "connected",
            "reconnecting",
        )
    raise AssertionError("never reopened")


async def test_quiet_room_kept_silent_socket_replaced_after_missed_heartbeats(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    mock_config_entry: MockConfigEntry,
    fake_tiktok: FakeTikTok,
    creator: FakeCreator,
) -> None:
    """A server that answers heartbeats: no message for 10 minutes is a quiet room,
    two heartbeats without an answer a dead socket, reopened within 30 s."""
    fake_tiktok.answer_heartbeats = True
    fake_tiktok.ping_interval = 5  # Handshake-Options: a heartbeat every tick
    await go_live_and_connect(hass, mock_config_entry, fake_tiktok, creator)
    coordinator = coordinator_of(mock_config_entry)
    [socket] = fake_tiktok.open_sockets(creator)
    connection = coordinator.supervisor.connection
    assert connection is not None
    assert connection.heartbeat_interval == 5
    for _ in range(120):  # ten minutes without a message
        await five_seconds(hass, freezer, mock_config_entry)
        await answered(socket, connection)
    assert connection.stats.heartbeats_received >= 115
    assert fake_tiktok.open_sockets(creator) == [socket]
    assert coordinator.supervisor.connections_opened == 1

    socket.silenced = True
    # Nothing for 20 s (four heartbeats unanswered, never less than 20 s):
    # given up 20 to 25 s after the last frame (up to 5 s before the
    # silence), reopened 2 s later; it took more than a minute before.
    assert await seconds_until_reopened(hass, freezer, mock_config_entry) in (
        15,
        20,
        25,
        30,
    )
    assert connection.closed
    await fake_tiktok.wait_connected(creator, count=2)
    await five_seconds(hass, freezer, mock_config_entry)
    assert socket.closed
    assert len(fake_tiktok.open_sockets(creator)) == 1
    assert state(hass, "sensor.streamer_connection") == "connected"
    assert state(hass, "binary_sensor.streamer_live") == STATE_ON


async def test_silent_socket_of_a_server_that_never_answers_heartbeats(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    mock_config_entry: MockConfigEntry,
    fake_tiktok: FakeTikTok,
    creator: FakeCreator,
) -> None:
    """Without heartbeat answers only the room's traffic counts: a minute, not 20 s."""
    await go_live_and_connect(hass, mock_config_entry, fake_tiktok, creator)
    coordinator = coordinator_of(mock_config_entry)
    [socket] = fake_tiktok.open_sockets(creator)
    connection = coordinator.supervisor.connection
    assert connection is not None
    # No frame for a minute (give or take a check): dead; reopened 2 s later.
    assert await seconds_until_reopened(hass, freezer, mock_config_entry) == 70
    assert connection.closed
    await fake_tiktok.wait_connected(creator, count=2)
    assert socket.closed
    assert len(fake_tiktok.open_sockets()) == 1


async def test_stream_end_and_new_stream_reset_counters(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    fake_tiktok: FakeTikTok,
    creator: FakeCreator,
    bus_events: list[Event],
) -> None:
    """Counters stay after the end and start from zero with the next stream."""
    await go_live_and_connect(hass, mock_config_entry, fake_tiktok, creator)
    coordinator = coordinator_of(mock_config_entry)
    await fake_tiktok.push(creator, messages.gift(FAN, "Galaxy"), messages.follow(FAN))
    await creator.end_stream()
    await coordinator.async_wait_idle()
    await advance(hass, 2)
    assert state(hass, "binary_sensor.streamer_live") == STATE_OFF
    assert state(hass, "sensor.streamer_diamonds") == "1000"
    assert state(hass, "sensor.streamer_viewers") == "0"

    creator.go_live(title="Second stream")
    await advance(hass, 75)
    await fake_tiktok.wait_connected(creator, count=2)
    await advance(hass, 2)
    assert state(hass, "sensor.streamer_diamonds") == "0"
    assert state(hass, "sensor.streamer_new_followers") == "0"
    assert state(hass, "sensor.streamer_stream_title") == "Second stream"
    assert len(of_type(bus_events, "stream_started")) == 2
    assert len(of_type(bus_events, "stream_ended")) == 1


async def test_offline_after_a_drop_ends_the_stream(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    fake_tiktok: FakeTikTok,
    creator: FakeCreator,
    bus_events: list[Event],
) -> None:
    """TikTok does not always send the end: a reconnect that finds the creator offline does."""
    await go_live_and_connect(hass, mock_config_entry, fake_tiktok, creator)
    coordinator = coordinator_of(mock_config_entry)
    creator.go_offline()
    fake_tiktok.open_sockets(creator)[0].drop()
    await coordinator.async_wait_idle()
    await advance(hass, 3)
    await coordinator.async_wait_idle()
    await advance(hass, 2)
    assert len(of_type(bus_events, "stream_ended")) == 1
    assert state(hass, "binary_sensor.streamer_live") == STATE_OFF
    assert state(hass, "sensor.streamer_connection") == "waiting_for_live"


async def test_restore_after_restart_in_the_same_stream(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    fake_tiktok: FakeTikTok,
    creator: FakeCreator,
    bus_events: list[Event],
) -> None:
    """Unload and set up again (a restart): same room, same counters."""
    await go_live_and_connect(hass, mock_config_entry, fake_tiktok, creator)
    await fake_tiktok.push(
        creator, messages.gift(FAN, "Doughnut"), messages.like(FAN, 40)
    )
    await fake_tiktok.sync(creator)
    await unload(hass, mock_config_entry)
    assert not fake_tiktok.open_sockets()

    await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    await fake_tiktok.wait_connected(creator, count=2)
    await advance(hass, 2)
    assert state(hass, "sensor.streamer_diamonds") == "30"
    assert state(hass, "sensor.streamer_likes") == "40"
    top = hass.states.get("sensor.streamer_top_gifter")
    assert top is not None
    assert top.state == "Rose Fan"
    assert len(of_type(bus_events, "stream_started")) == 1


async def test_unload_closes_everything(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    fake_tiktok: FakeTikTok,
    creator: FakeCreator,
) -> None:
    """Unload closes the socket at once; no task or timer is left (verify_cleanup)."""
    await go_live_and_connect(hass, mock_config_entry, fake_tiktok, creator)
    [socket] = fake_tiktok.open_sockets(creator)
    await unload(hass, mock_config_entry)
    await fake_tiktok.wait_for(lambda: socket.closed)
    assert socket.ws.close_code == 1000
    assert mock_config_entry.state is ConfigEntryState.NOT_LOADED


async def test_burst_of_gifts_fires_every_one(
    hass: HomeAssistant,
    all_events_entry: MockConfigEntry,
    fake_tiktok: FakeTikTok,
    creator: FakeCreator,
    bus_events: list[Event],
) -> None:
    """50 gifts in one burst: exactly 50 gift events; state writes coalesced."""
    await go_live_and_connect(hass, all_events_entry, fake_tiktok, creator)
    writes: list[Event] = []

    @callback
    def _capture(event: Event) -> None:
        if event.data["entity_id"] == "sensor.streamer_gifts":
            writes.append(event)

    hass.bus.async_listen("state_changed", _capture)
    await fake_tiktok.push(creator, *[messages.gift(FAN, "Galaxy") for _ in range(50)])
    await fake_tiktok.sync(creator)
    await advance(hass, 2)
    assert len(of_type(bus_events, "gift")) == 50
    assert state(hass, "sensor.streamer_gifts") == "50"
    assert state(hass, "sensor.streamer_diamonds") == "50000"
    assert len(writes) <= 2
    gift_entity = hass.states.get("event.streamer_gift")
    assert gift_entity is not None
    assert gift_entity.attributes["gift_name"] == "Galaxy"


async def test_likes_are_coalesced_with_milestones(
    hass: HomeAssistant,
    fake_tiktok: FakeTikTok,
    creator: FakeCreator,
    bus_events: list[Event],
) -> None:
    """Like batches within a second become one event; milestones every N likes."""
    entry = make_entry(
        fake_tiktok,
        options={
            CONF_LIKE_MILESTONE: 100,
            CONF_BUS_EVENT_TYPES: ["like", "like_milestone"],
        },
    )
    await go_live_and_connect(hass, entry, fake_tiktok, creator)
    for _ in range(10):
        await fake_tiktok.push(creator, messages.like(FAN, 15))
    await fake_tiktok.push(creator, messages.like(OTHER, 10))
    await fake_tiktok.sync(creator)
    likes = of_type(bus_events, "like")
    assert len(likes) == 1  # the first batch goes out at once
    assert likes[0]["count"] == 15
    await advance(hass, 1.5)
    likes = of_type(bus_events, "like")
    assert len(likes) == 2
    assert likes[1]["count"] == 145
    assert likes[1]["likers"] == 2
    assert likes[1]["total"] == 160
    assert likes[1]["nickname"] == "Night Owl"
    assert [m["milestone"] for m in of_type(bus_events, "like_milestone")] == [100]
    await advance(hass, 2)
    assert len(of_type(bus_events, "like")) == 2  # nothing pending, nothing fired
    assert state(hass, "sensor.streamer_likes") == "160"


async def test_streak_updates_and_bus_filter_options(
    hass: HomeAssistant,
    fake_tiktok: FakeTikTok,
    creator: FakeCreator,
    bus_events: list[Event],
) -> None:
    """gift_streak events when asked; types left out of the bus still reach entities."""
    entry = make_entry(
        fake_tiktok,
        options={
            CONF_LIKE_MILESTONE: 0,
            CONF_OFFLINE_CHECK_INTERVAL: 60,
            CONF_BUS_EVENT_TYPES: ["gift", "gift_streak"],
        },
    )
    enable_event_entities(hass, entry, "comment", "gift")
    await go_live_and_connect(hass, entry, fake_tiktok, creator)
    await fake_tiktok.push(
        creator, *messages.gift_streak(FAN, "Rose", 3), messages.comment(FAN, "x")
    )
    await fake_tiktok.sync(creator)
    assert [e["count"] for e in of_type(bus_events, "gift_streak")] == [1, 2, 3]
    assert [e["count"] for e in of_type(bus_events, "gift")] == [3]
    assert not of_type(bus_events, "comment")
    assert not of_type(bus_events, "stream_started")
    comment = hass.states.get("event.streamer_comment")
    assert comment is not None
    assert comment.attributes["text"] == "x"


async def test_never_two_connections(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    fake_tiktok: FakeTikTok,
    creator: FakeCreator,
) -> None:
    """Racing wake-ups and drops never open a second socket."""
    await go_live_and_connect(hass, mock_config_entry, fake_tiktok, creator)
    coordinator = coordinator_of(mock_config_entry)
    for round_no in range(3):
        fake_tiktok.open_sockets(creator)[0].drop()
        await coordinator.async_wait_idle()
        for _ in range(5):
            coordinator.async_wake()
        await fake_tiktok.wait_connected(creator, count=round_no + 2)
        assert len(fake_tiktok.open_sockets()) == 1
    assert fake_tiktok.max_open_sockets == 1


async def test_home_assistant_stop_closes_the_socket(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    fake_tiktok: FakeTikTok,
    creator: FakeCreator,
) -> None:
    """On stop the socket closes at once and nothing reconnects."""
    await go_live_and_connect(hass, mock_config_entry, fake_tiktok, creator)
    [socket] = fake_tiktok.open_sockets(creator)
    hass.bus.async_fire(EVENT_HOMEASSISTANT_STOP)
    await hass.async_block_till_done()
    await fake_tiktok.wait_for(lambda: socket.closed)
    assert socket.ws.close_code == 1000
    await advance(hass, 600)
    assert not fake_tiktok.open_sockets()
    assert len(fake_tiktok.sockets) == 1


async def test_gifter_table_stays_bounded(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    fake_tiktok: FakeTikTok,
    creator: FakeCreator,
) -> None:
    """5,000 different gifters: the table keeps the biggest, the top gifter is right."""
    await go_live_and_connect(hass, mock_config_entry, fake_tiktok, creator)
    big = messages.user(1, "whale", "Whale")
    await fake_tiktok.push(creator, messages.gift(big, "Galaxy"))
    for batch in range(50):
        fans = [
            messages.user(10_000 + batch * 100 + n, f"f{n}", "Fan") for n in range(100)
        ]
        await fake_tiktok.push(creator, *[messages.gift(fan, "Rose") for fan in fans])
    await fake_tiktok.sync(creator)
    await advance(hass, 2)
    stats = coordinator_of(mock_config_entry).model.stats
    assert len(stats.gifters) <= 2000
    assert stats.gifts == 5001
    assert state(hass, "sensor.streamer_top_gifter") == "Whale"
