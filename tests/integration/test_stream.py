"""A creator's stream end to end: the fake TikTok plays, hass shows states and events."""

from __future__ import annotations

from typing import Any

from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import STATE_OFF, STATE_ON, STATE_UNKNOWN
from homeassistant.core import Event, HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.tiktok_live.const import (
    CONF_BUS_EVENT_TYPES,
    DEFAULT_BUS_EVENT_TYPES,
)
from tests.fake_tiktok import FakeCreator, FakeTikTok, messages

from .conftest import advance, enable_event_entities, of_type, setup_entry, state

LIVE = "binary_sensor.streamer_live"
CONNECTION = "sensor.streamer_connection"


async def test_offline_creator(
    hass: HomeAssistant, all_events_entry: MockConfigEntry, fake_tiktok: FakeTikTok
) -> None:
    """An offline creator: Live off and waiting, every sensor available."""
    await setup_entry(hass, all_events_entry)

    assert all_events_entry.state is ConfigEntryState.LOADED
    assert state(hass, LIVE) == STATE_OFF
    assert state(hass, CONNECTION) == "waiting_for_live"
    assert state(hass, "sensor.streamer_viewers") == "0"
    assert state(hass, "sensor.streamer_likes") == "0"
    assert state(hass, "event.streamer_gift") == STATE_UNKNOWN
    assert not fake_tiktok.sign_requests()


async def test_scenario_end_to_end(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    fake_tiktok: FakeTikTok,
    creator: FakeCreator,
    bus_events: list[Event],
) -> None:
    """Go live, viewers, a Rose streak of 5, 300 likes, follow, comment, end."""
    # The default events plus comments and likes (off by default: their volume),
    # and the Gift and Stream event entities (disabled by default).
    enable_event_entities(hass, mock_config_entry, "gift", "stream")
    hass.config_entries.async_update_entry(
        mock_config_entry,
        options={CONF_BUS_EVENT_TYPES: [*DEFAULT_BUS_EVENT_TYPES, "comment", "like"]},
    )
    creator.go_live(title="Late night build", viewers=3)
    await setup_entry(hass, mock_config_entry)
    await fake_tiktok.wait_connected(creator)
    # State writes are coalesced to one per second: let the second pass.
    await advance(hass, 2)

    assert state(hass, LIVE) == STATE_ON
    assert state(hass, CONNECTION) == "connected"
    assert state(hass, "sensor.streamer_stream_title") == "Late night build"
    [started] = of_type(bus_events, "stream_started")
    assert started["title"] == "Late night build"
    assert started["device_id"]
    assert started["entry_id"] == mock_config_entry.entry_id
    assert started["simulated"] is False

    fan = messages.user(7001, "rose_fan", "Rose Fan")
    await fake_tiktok.push(creator, messages.viewers(42))
    await fake_tiktok.push(creator, *messages.gift_streak(fan, "Rose", 5))
    for _ in range(10):
        await fake_tiktok.push(creator, messages.like(fan, count=30))
    await fake_tiktok.push(creator, messages.follow(fan))
    await fake_tiktok.push(creator, messages.comment(fan, "hello from the fake"))
    await fake_tiktok.sync(creator)
    await advance(hass, 2)

    [gift] = of_type(bus_events, "gift")
    assert gift == {
        "type": "gift",
        "device_id": started["device_id"],
        "entry_id": mock_config_entry.entry_id,
        "creator": "@streamer",
        "gift_id": gift["gift_id"],
        "gift_name": "Rose",
        "diamonds": 1,
        "count": 5,
        "total_diamonds": 5,
        "streakable": True,
        "streaking": False,
        "user_id": "7001",
        "unique_id": "rose_fan",
        "nickname": "Rose Fan",
        "top_gifter_rank": 1,
        "simulated": False,
    }
    assert not of_type(bus_events, "gift_streak")
    likes = of_type(bus_events, "like")
    assert 1 <= len(likes) <= 2
    assert sum(event["count"] for event in likes) == 300
    [follow] = of_type(bus_events, "follow")
    assert follow["nickname"] == "Rose Fan"
    [comment] = of_type(bus_events, "comment")
    assert comment["text"] == "hello from the fake"

    assert state(hass, "sensor.streamer_viewers") == "42"
    assert state(hass, "sensor.streamer_peak_viewers") == "42"
    assert state(hass, "sensor.streamer_likes") == "300"
    assert state(hass, "sensor.streamer_diamonds") == "5"
    assert state(hass, "sensor.streamer_gifts") == "5"
    assert state(hass, "sensor.streamer_new_followers") == "1"
    assert state(hass, "sensor.streamer_comments") == "1"
    top = hass.states.get("sensor.streamer_top_gifter")
    assert top is not None
    assert top.state == "Rose Fan"
    assert top.attributes["diamonds"] == 5

    gift_entity = hass.states.get("event.streamer_gift")
    assert gift_entity is not None
    assert gift_entity.attributes["event_type"] == "gift"
    assert gift_entity.attributes["count"] == 5

    await creator.end_stream()
    await mock_config_entry.runtime_data.async_wait_idle()
    await advance(hass, 2)
    [ended] = of_type(bus_events, "stream_ended")
    assert ended["likes"] == 300
    assert ended["diamonds"] == 5
    assert state(hass, LIVE) == STATE_OFF
    assert state(hass, CONNECTION) == "waiting_for_live"
    # The last stream's totals stay until a new stream starts.
    assert state(hass, "sensor.streamer_likes") == "300"
    stream_entity = hass.states.get("event.streamer_stream")
    assert stream_entity is not None
    assert stream_entity.attributes["event_type"] == "ended"


async def test_pause_resume_and_the_other_events(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    fake_tiktok: FakeTikTok,
    creator: FakeCreator,
    bus_events: list[Event],
) -> None:
    """Pause, resume, share, subscribe and join reach the bus (by default) and their entities."""
    # Event entities are disabled by default: the user enables two before setup.
    enable_event_entities(hass, mock_config_entry, "stream", "join")
    creator.go_live(title="t")
    await setup_entry(hass, mock_config_entry)
    await fake_tiktok.wait_connected(creator)
    fan = messages.user(9, "fan", "Fan")
    await fake_tiktok.push(
        creator,
        messages.control(1),
        messages.control(2),
        messages.share(fan),
        messages.subscribe(fan, 2),
        messages.join(fan, 77),
        messages.room_message("welcome"),
    )
    await fake_tiktok.sync(creator)
    await advance(hass, 2)
    assert len(of_type(bus_events, "stream_paused")) == 1
    assert len(of_type(bus_events, "stream_resumed")) == 1
    assert of_type(bus_events, "share")[0]["unique_id"] == "fan"
    assert of_type(bus_events, "subscribe")[0]["sub_month"] == 2
    # Joins are off on the bus by default; the (enabled) entity still gets them.
    assert not of_type(bus_events, "join")
    assert state(hass, "sensor.streamer_shares") == "1"
    stream = hass.states.get("event.streamer_stream")
    assert stream is not None
    assert stream.attributes["event_type"] == "resumed"
    join = hass.states.get("event.streamer_join")
    assert join is not None
    assert join.attributes["viewer_count"] == 77
    assert hass.states.get("event.streamer_gift") is None  # not enabled


async def test_remove_entry_forgets_everything(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    hass_storage: dict[str, Any],
) -> None:
    """Removing the entry removes its stored statistics."""
    await setup_entry(hass, mock_config_entry)
    await hass.config_entries.async_unload(mock_config_entry.entry_id)
    key = f"tiktok_live.{mock_config_entry.entry_id}"
    assert key in hass_storage
    await hass.config_entries.async_remove(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    assert key not in hass_storage
