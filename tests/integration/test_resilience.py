"""Staying connected in the field: no flapping, replays that count nothing twice, light checks.

What a user sees must not change while retries fix things, a reconnect or a
restart must never fire or count a message twice, options apply without a
reconnect, and many creators never burst requests at TikTok or the sign server.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import STATE_ON
from homeassistant.core import Event, HomeAssistant, callback
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
)

from custom_components.tiktok_live.const import (
    CONF_BUS_EVENT_TYPES,
    CONF_CONNECTION_METHOD,
    CONF_LIKE_MILESTONE,
    DOMAIN,
)
from custom_components.tiktok_live.coordinator import TikTokLiveCoordinator
from tests.fake_tiktok import (
    ApiFault,
    FakeCreator,
    FakeTikTok,
    PageFault,
    SignReply,
    faults,
    messages,
)

from .conftest import advance, make_entry, of_type, setup_entry, state, unload

FAN = messages.user(7001, "rose_fan", "Rose Fan")
LIVE = "binary_sensor.streamer_live"
CONNECTION = "sensor.streamer_connection"


def coordinator_of(entry: MockConfigEntry) -> TikTokLiveCoordinator:
    coordinator: TikTokLiveCoordinator = entry.runtime_data
    return coordinator


def states_of(hass: HomeAssistant, entity_id: str) -> list[str]:
    """Every state the entity takes from now on."""
    seen: list[str] = []

    @callback
    def _changed(event: Event) -> None:
        if event.data["entity_id"] == entity_id and event.data["new_state"]:
            seen.append(event.data["new_state"].state)

    hass.bus.async_listen("state_changed", _changed)
    return seen


async def go_live(
    hass: HomeAssistant, entry: MockConfigEntry, fake: FakeTikTok, creator: FakeCreator
) -> None:
    creator.go_live(title="Stream", viewers=3)
    await setup_entry(hass, entry)
    await fake.wait_connected(creator)
    await advance(hass, 2)


async def test_flaky_sign_server_for_30_minutes_never_flips_live(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    mock_config_entry: MockConfigEntry,
    fake_tiktok: FakeTikTok,
    creator: FakeCreator,
) -> None:
    """30 simulated minutes: drops every 2 minutes, the sign server failing two tries in three."""
    # TikTok answers heartbeats: a healthy socket is never silent.
    fake_tiktok.answer_heartbeats = True
    await go_live(hass, mock_config_entry, fake_tiktok, creator)
    coordinator = coordinator_of(mock_config_entry)
    live = states_of(hass, LIVE)
    viewers = states_of(hass, "sensor.streamer_viewers")
    for minute in range(30):
        if minute % 2 == 0:
            fake_tiktok.faults.sign_fetch.once(
                faults.sign_status(500, "busy"), SignReply(status=503, body=b"")
            )
            [socket] = fake_tiktok.open_sockets(creator)
            socket.drop()
            await coordinator.async_wait_idle()  # the drop was noticed
        for _ in range(12):  # five seconds at a time
            freezer.tick(timedelta(seconds=5))
            async_fire_time_changed(hass)
            await hass.async_block_till_done()
            await coordinator.async_wait_settled()
    assert live == []
    assert "unavailable" not in viewers
    assert state(hass, LIVE) == STATE_ON
    assert state(hass, CONNECTION) == "connected"
    assert len(fake_tiktok.sockets) == 16  # reconnected after each of the 15 drops
    assert len(fake_tiktok.open_sockets()) == 1


async def test_an_offline_blip_while_live_changes_nothing(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    fake_tiktok: FakeTikTok,
    creator: FakeCreator,
    bus_events: list[Event],
) -> None:
    """After a drop, one "offline" answer while the room is still alive: Live stays on, no end."""
    await go_live(hass, mock_config_entry, fake_tiktok, creator)
    live = states_of(hass, LIVE)
    fake_tiktok.faults.room_api.once(ApiFault.OFFLINE)
    await fake_tiktok.inject(creator, faults.drop())
    coordinator = coordinator_of(mock_config_entry)
    await coordinator.async_wait_idle()
    await advance(hass, 3)  # reconnect: the check says offline, the room disagrees
    await coordinator.async_wait_idle()
    await advance(hass, 40)  # asked again soon: live
    await fake_tiktok.wait_connected(creator, count=2)
    await advance(hass, 2)
    assert live == []
    assert not of_type(bus_events, "stream_ended")
    assert len(of_type(bus_events, "stream_started")) == 1
    checks = [r.path for r in fake_tiktok.requests]
    assert "/webcast/room/check_alive/" in checks


async def test_a_not_found_blip_while_live_rejoins_the_room(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    fake_tiktok: FakeTikTok,
    creator: FakeCreator,
    bus_events: list[Event],
) -> None:
    """After a drop, "user not found" (the page a captcha): the room it streams in is rejoined at once."""
    await go_live(hass, mock_config_entry, fake_tiktok, creator)
    live = states_of(hass, LIVE)
    fake_tiktok.faults.room_api.once(ApiFault.USER_NOT_FOUND)
    fake_tiktok.faults.live_page.once(PageFault.NO_SIGI_STATE)
    await fake_tiktok.inject(creator, faults.drop())
    coordinator = coordinator_of(mock_config_entry)
    await coordinator.async_wait_idle()
    await advance(hass, 3)  # the reconnect's check fails, the room is joined anyway
    await fake_tiktok.wait_connected(creator, count=2)
    await advance(hass, 2)
    assert state(hass, CONNECTION) == "connected"
    assert live == []
    assert not of_type(bus_events, "stream_ended")
    assert not hass.config_entries.flow.async_progress()


async def test_room_info_status_4_is_an_offline_signal(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    fake_tiktok: FakeTikTok,
    creator: FakeCreator,
    bus_events: list[Event],
) -> None:
    """The room ended without an end message: room info and the room's live check agree."""
    await go_live(hass, mock_config_entry, fake_tiktok, creator)
    room = creator.room
    assert room is not None
    # Ended without a word: room info answers status 4 and the room's live
    # check false, while api-live still lists the room.
    room.ended = True
    await fake_tiktok.inject(creator, faults.drop())
    coordinator = coordinator_of(mock_config_entry)
    await coordinator.async_wait_idle()
    await advance(hass, 3)
    await coordinator.async_wait_idle()
    await advance(hass, 2)
    assert state(hass, LIVE) == "off"
    assert len(of_type(bus_events, "stream_ended")) == 1


async def test_paused_stream_is_live(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    fake_tiktok: FakeTikTok,
    creator: FakeCreator,
) -> None:
    """Room status 3 from the check: Live on, the stream paused."""
    creator.go_live()
    assert creator.room is not None
    creator.room.paused = True
    await setup_entry(hass, mock_config_entry)
    await fake_tiktok.wait_connected(creator)
    assert state(hass, LIVE) == STATE_ON
    assert coordinator_of(mock_config_entry).model.paused


async def test_replay_after_a_reload_counts_nothing_twice(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    fake_tiktok: FakeTikTok,
    creator: FakeCreator,
    bus_events: list[Event],
) -> None:
    """The history a reconnect replays after a reload fires and counts nothing again."""
    await go_live(hass, mock_config_entry, fake_tiktok, creator)
    gifts = [messages.gift(FAN, "Galaxy"), messages.follow(FAN)]
    await fake_tiktok.push(creator, *gifts)
    await fake_tiktok.sync(creator)
    creator.history = gifts
    assert await hass.config_entries.async_reload(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    await fake_tiktok.wait_connected(creator, count=2)
    await advance(hass, 2)
    assert len(of_type(bus_events, "gift")) == 1
    assert len(of_type(bus_events, "follow")) == 1
    assert state(hass, "sensor.streamer_diamonds") == "1000"
    assert state(hass, "sensor.streamer_new_followers") == "1"


async def test_replay_after_a_restart_counts_nothing_twice(
    hass: HomeAssistant,
    hass_storage: dict[str, Any],
    mock_config_entry: MockConfigEntry,
    fake_tiktok: FakeTikTok,
    creator: FakeCreator,
    bus_events: list[Event],
) -> None:
    """Home Assistant stops and starts: the stored ids keep the replay out."""
    await go_live(hass, mock_config_entry, fake_tiktok, creator)
    gift = messages.gift(FAN, "Galaxy")
    await fake_tiktok.push(creator, gift)
    await fake_tiktok.sync(creator)
    await unload(hass, mock_config_entry)
    stored = hass_storage[f"{DOMAIN}.{mock_config_entry.entry_id}"]["data"]
    assert gift.msg_id in stored["recent_ids"]
    creator.history = [gift]
    assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    await fake_tiktok.wait_connected(creator, count=2)
    await advance(hass, 2)
    assert len(of_type(bus_events, "gift")) == 1
    assert state(hass, "sensor.streamer_diamonds") == "1000"


async def test_replay_after_5000_busy_messages_counts_nothing_twice(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    fake_tiktok: FakeTikTok,
    creator: FakeCreator,
    bus_events: list[Event],
) -> None:
    """A gift, then 6,000 likes and comments, then a reconnect replaying the gift."""
    await go_live(hass, mock_config_entry, fake_tiktok, creator)
    gift = messages.gift(FAN, "Galaxy")
    await fake_tiktok.push(creator, gift)
    for batch in range(60):
        await fake_tiktok.push(
            creator,
            *[messages.comment(FAN, f"{batch}-{n}") for n in range(50)],
            *[messages.like(FAN, 1) for _ in range(50)],
        )
    await fake_tiktok.sync(creator)
    creator.history = [gift]
    await fake_tiktok.inject(creator, faults.drop())
    coordinator = coordinator_of(mock_config_entry)
    await coordinator.async_wait_idle()
    await advance(hass, 3)
    await fake_tiktok.wait_connected(creator, count=2)
    await advance(hass, 2)
    assert len(of_type(bus_events, "gift")) == 1
    assert state(hass, "sensor.streamer_diamonds") == "1000"
    assert state(hass, "sensor.streamer_comments") == "3000"


async def test_options_apply_without_a_reconnect(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    fake_tiktok: FakeTikTok,
    creator: FakeCreator,
    bus_events: list[Event],
) -> None:
    """New options: the same socket, the same de-duplication, the new behaviour."""
    await go_live(hass, mock_config_entry, fake_tiktok, creator)
    gift = messages.gift(FAN, "Galaxy")
    await fake_tiktok.push(creator, gift)
    await fake_tiktok.sync(creator)
    [socket] = fake_tiktok.open_sockets(creator)
    hass.config_entries.async_update_entry(
        mock_config_entry,
        options={
            CONF_LIKE_MILESTONE: 10,
            CONF_BUS_EVENT_TYPES: ["gift", "like_milestone"],
        },
    )
    await hass.async_block_till_done()
    assert fake_tiktok.open_sockets(creator) == [socket]
    await fake_tiktok.push(creator, gift, messages.like(FAN, 12))  # a replayed gift
    await fake_tiktok.sync(creator)
    assert len(of_type(bus_events, "gift")) == 1
    assert [m["milestone"] for m in of_type(bus_events, "like_milestone")] == [10]
    assert len(fake_tiktok.sockets) == 1


async def test_connection_data_change_reloads(
    hass: HomeAssistant,
    fake_tiktok: FakeTikTok,
    creator: FakeCreator,
) -> None:
    """A new sign server key is connection data: the entry starts over with it."""
    entry = make_entry(fake_tiktok, options={CONF_CONNECTION_METHOD: "sign_server"})
    await go_live(hass, entry, fake_tiktok, creator)
    hass.config_entries.async_update_entry(
        entry, data={**entry.data, "sign_api_key": "new"}
    )
    await hass.async_block_till_done()
    await fake_tiktok.wait_connected(creator, count=2)
    assert fake_tiktok.sign_requests()[-1].header("X-Api-Key") == "new"


async def test_setup_check_is_reused_and_light(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    fake_tiktok: FakeTikTok,
    creator: FakeCreator,
) -> None:
    """Setup's live check serves the first connection: one small answer, no LIVE page."""
    await go_live(hass, mock_config_entry, fake_tiktok, creator)
    paths = [r.path for r in fake_tiktok.requests]
    assert paths == [
        "/api-live/user/room/",
        "/webcast/room/info/",
        # The direct way first (Automatic): a ttwid as a new visitor gets it,
        # from a profile page (the home page no longer sets one).
        "/@streamer",
        "/webcast/im/ws_proxy/ws_reuse_supplement/",
    ]


async def test_many_creators_start_without_a_burst(
    hass: HomeAssistant, fake_tiktok: FakeTikTok
) -> None:
    """Eight live creators set up at once: at most a few requests per second per host."""
    entries = []
    for n in range(8):
        creator = fake_tiktok.add_creator(f"creator_{n}", user_id=100 + n)
        creator.go_live()
        entry = MockConfigEntry(
            domain=DOMAIN,
            title=f"@creator_{n}",
            unique_id=str(100 + n),
            data={**make_entry(fake_tiktok).data, "unique_id": f"creator_{n}"},
        )
        entry.add_to_hass(hass)
        entries.append(entry)
    await hass.config_entries.async_setup(entries[0].entry_id)
    await hass.async_block_till_done()
    for n in range(8):
        await fake_tiktok.wait_connected(fake_tiktok.creators[f"creator_{n}"])
    times = sorted(r.at for r in fake_tiktok.requests)
    # A token bucket: a burst of 5, then 3 per second (one host here: the fake).
    for i, start in enumerate(times):
        in_window = [t for t in times[i:] if t - start < 0.1]
        assert len(in_window) <= 5
    pages = [r for r in fake_tiktok.requests if r.path.endswith("/live")]
    assert not pages
    checks = [r for r in fake_tiktok.requests if r.path == "/api-live/user/room/"]
    assert len(checks) == 8  # one per creator: the setup check, reused
