"""The logbook tells the stream in words, through the real recorder and logbook."""

from __future__ import annotations

from homeassistant.components.number import (
    ATTR_VALUE,
    DOMAIN as NUMBER_DOMAIN,
    SERVICE_SET_VALUE,
)
from homeassistant.components.recorder import Recorder
from homeassistant.const import ATTR_ENTITY_ID
from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.recorder.common import (
    async_wait_recording_done,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.tiktok_live.const import DOMAIN
from custom_components.tiktok_live.logbook import describe
from tests.fake_tiktok import FakeCreator, FakeTikTok, messages

from .conftest import advance, setup_entry


async def test_the_logbook_tells_the_stream(
    recorder_mock: Recorder,
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    mock_config_entry: MockConfigEntry,
    fake_tiktok: FakeTikTok,
    creator: FakeCreator,
) -> None:
    """Gifts, follows, the start, a goal, a simulated gift; comments only when recorded."""
    # The logbook's panel needs the frontend, whose built files the test
    # environment lacks; the logbook itself does not.
    hass.config.components.add("frontend")
    assert await async_setup_component(hass, "logbook", {})
    start = dt_util.utcnow()
    creator.go_live(title="Goals night")
    await setup_entry(hass, mock_config_entry)
    await fake_tiktok.wait_connected(creator)
    await hass.services.async_call(
        NUMBER_DOMAIN,
        SERVICE_SET_VALUE,
        {ATTR_ENTITY_ID: "number.streamer_like_goal", ATTR_VALUE: 1000},
        blocking=True,
    )
    spender = messages.user(7001, "big_spender", "Big Spender")
    fan = messages.user(7002, "fan", "")
    await fake_tiktok.push(creator, *messages.gift_streak(spender, "Rose", 5))
    await fake_tiktok.push(creator, messages.follow(fan))
    await fake_tiktok.push(creator, messages.comment(fan, "not on the bus by default"))
    await fake_tiktok.push(creator, messages.like(spender, count=1200))
    await fake_tiktok.sync(creator)
    await hass.services.async_call(
        DOMAIN,
        "simulate_event",
        {"config_entry_id": mock_config_entry.entry_id, "type": "gift"},
        blocking=True,
    )
    await advance(hass, 2)
    await async_wait_recording_done(hass)

    client = await hass_client()
    response = await client.get(f"/api/logbook/{start.isoformat()}")
    assert response.status == 200
    ours = [e for e in await response.json() if e.get("domain") == DOMAIN]
    told = [entry["message"] for entry in ours]
    assert told == [
        "Stream started: Goals night",
        "Big Spender sent 5 × Rose (5 diamonds)",  # noqa: RUF001
        "@fan followed",
        "Like goal reached (1,000)",
        "Likes passed 1,000",
        "Simulated viewer sent 1 × Rose (1 diamond) (simulated)",  # noqa: RUF001
    ]
    assert {entry["name"] for entry in ours} == {"@streamer"}


def test_every_event_type_in_words() -> None:
    """Each type reads as a sentence; odd data never raises."""
    cases = {
        "gift_streak": (
            {"nickname": "A", "gift_name": "Rose", "count": 3},
            "A is sending Rose × 3",  # noqa: RUF001
        ),
        "share": ({"unique_id": "sharer"}, "@sharer shared the stream"),
        "like": (
            {"nickname": "A", "count": 1, "total": 12000},
            "A sent 1 like (12,000 in this stream)",
        ),
        "like_milestone": ({"milestone": 5000}, "Likes passed 5,000"),
        "comment": ({"nickname": "A", "text": "hi\nthere"}, "A: hi there"),
        "join": ({"unique_id": "v"}, "@v joined"),
        "subscribe": ({"nickname": "Sub"}, "Sub subscribed"),
        "stream_started": ({"title": None}, "Stream started"),
        "stream_ended": (
            {"diamonds": 1, "likes": 2, "new_followers": 0},
            "Stream ended: 1 diamond, 2 likes, 0 new followers",
        ),
        "stream_paused": ({}, "Stream paused"),
        "stream_resumed": ({}, "Stream resumed"),
        "goal_reached": (
            {"goal": "diamonds", "target": 500, "value": 512},
            "Diamond goal reached (500)",
        ),
        "gift": ({"count": "x"}, "A viewer sent ? × a gift (? diamonds)"),  # noqa: RUF001
        "something_new": ({}, "something_new event"),
    }
    for event_type, (data, message) in cases.items():
        entry = describe({"type": event_type, "creator": "@c", **data})
        assert entry == {"name": "@c", "message": message}, event_type
    long = describe({"type": "comment", "nickname": "A", "text": "x" * 1000})
    assert len(long["message"]) < 210
