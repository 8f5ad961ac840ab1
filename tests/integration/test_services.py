"""The simulate_event action and diagnostics."""

from __future__ import annotations

from typing import Any

from homeassistant.core import Event, HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.tiktok_live.compat import vol
from custom_components.tiktok_live.const import DOMAIN
from tests.fake_tiktok import FakeCreator, FakeTikTok, SignReply, messages

from .conftest import advance, entry_data, of_type, setup_entry


async def simulate(hass: HomeAssistant, **data: object) -> None:
    await hass.services.async_call(DOMAIN, "simulate_event", data, blocking=True)


async def test_simulated_events_take_the_real_path(
    hass: HomeAssistant, all_events_entry: MockConfigEntry, bus_events: list[Event]
) -> None:
    """Each type fires on the bus and on its entity, marked simulated, stats untouched."""
    await setup_entry(hass, all_events_entry)
    entry_id = all_events_entry.entry_id
    await simulate(
        hass,
        config_entry_id=entry_id,
        type="gift",
        gift_name="Lion",
        diamonds=29999,
        count=2,
    )
    await simulate(hass, config_entry_id=entry_id, type="follow", nickname="Tester")
    await simulate(hass, config_entry_id=entry_id, type="like", count=25)
    await simulate(hass, config_entry_id=entry_id, type="comment", text="hi there")
    await simulate(hass, config_entry_id=entry_id, type="share")
    await hass.async_block_till_done()

    [gift] = of_type(bus_events, "gift")
    assert gift["simulated"] is True
    assert (gift["gift_name"], gift["count"], gift["total_diamonds"]) == (
        "Lion",
        2,
        59998,
    )
    assert gift["unique_id"] == "simulated_viewer"
    [follow] = of_type(bus_events, "follow")
    assert follow["nickname"] == "Tester"
    [like] = of_type(bus_events, "like")
    assert like["count"] == 25
    [comment] = of_type(bus_events, "comment")
    assert comment["text"] == "hi there"
    assert len(of_type(bus_events, "share")) == 1
    gift_entity = hass.states.get("event.streamer_gift")
    assert gift_entity is not None
    assert gift_entity.attributes["simulated"] is True
    await advance(hass, 2)
    diamonds = hass.states.get("sensor.streamer_diamonds")
    assert diamonds is not None
    assert diamonds.state == "0"


async def test_simulate_who_sent_it_and_goals(
    hass: HomeAssistant,
    all_events_entry: MockConfigEntry,
    bus_events: list[Event],
) -> None:
    """Every new field can be simulated; left out, the event does not say."""
    await setup_entry(hass, all_events_entry)
    entry_id = all_events_entry.entry_id
    picture = "https://example.com/rose.png"
    await simulate(
        hass,
        config_entry_id=entry_id,
        type="gift",
        is_moderator=True,
        is_subscriber=False,
        is_follower=True,
        top_gifter_rank=1,
        gift_image_url=picture,
    )
    await simulate(hass, config_entry_id=entry_id, type="comment", text="!lights")
    await simulate(hass, config_entry_id=entry_id, type="subscribe")
    await simulate(
        hass, config_entry_id=entry_id, type="goal_reached", goal="diamonds", target=500
    )
    await hass.async_block_till_done()

    [gift] = of_type(bus_events, "gift")
    assert (
        gift["is_moderator"],
        gift["is_subscriber"],
        gift["is_follower"],
        gift["top_gifter_rank"],
        gift["gift_image_url"],
    ) == (True, False, True, 1, picture)
    [comment] = of_type(bus_events, "comment")
    assert not {
        "is_moderator",
        "is_subscriber",
        "is_follower",
        "top_gifter_rank",
    } & set(comment)
    [subscribe] = of_type(bus_events, "subscribe")
    assert subscribe["simulated"] is True
    [goal] = of_type(bus_events, "goal_reached")
    assert (goal["goal"], goal["target"], goal["value"], goal["simulated"]) == (
        "diamonds",
        500,
        500,
        True,
    )
    goal_entity = hass.states.get("event.streamer_goal")
    assert goal_entity is not None
    assert goal_entity.attributes["event_type"] == "diamonds"
    # The goals themselves are untouched.
    await advance(hass, 2)
    progress = hass.states.get("sensor.streamer_diamond_goal_progress")
    assert progress is not None
    assert progress.attributes["reached"] is False
    with pytest.raises(vol.Invalid):
        await simulate(hass, config_entry_id=entry_id, type="gift", top_gifter_rank=11)
    with pytest.raises(vol.Invalid):
        await simulate(
            hass, config_entry_id=entry_id, type="gift", gift_image_url="not a url"
        )


async def test_simulate_errors(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry, fake_tiktok: FakeTikTok
) -> None:
    """A wrong entry, an entry that is not loaded, bad data: clear errors."""
    await setup_entry(hass, mock_config_entry)
    with pytest.raises(ServiceValidationError) as missing:
        await simulate(hass, config_entry_id="nope", type="gift")
    assert missing.value.translation_key == "entry_not_found"
    other = MockConfigEntry(domain="sun", title="Sun")
    other.add_to_hass(hass)
    with pytest.raises(ServiceValidationError):
        await simulate(hass, config_entry_id=other.entry_id, type="gift")
    offline = MockConfigEntry(
        domain=DOMAIN, title="@other", unique_id="1", data=entry_data(fake_tiktok)
    )
    offline.add_to_hass(hass)
    with pytest.raises(ServiceValidationError) as not_loaded:
        await simulate(hass, config_entry_id=offline.entry_id, type="gift")
    assert not_loaded.value.translation_key == "entry_not_loaded"
    with pytest.raises(vol.Invalid):
        await simulate(
            hass, config_entry_id=mock_config_entry.entry_id, type="teleport"
        )
    with pytest.raises(vol.Invalid):
        await simulate(
            hass, config_entry_id=mock_config_entry.entry_id, type="gift", count=0
        )


async def test_diagnostics(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    fake_tiktok: FakeTikTok,
    creator: FakeCreator,
) -> None:
    """State, counters, errors and options; key and session redacted."""
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="@streamer",
        unique_id="6900000000000000001",
        data=entry_data(
            fake_tiktok,
            sign_api_key="diag-key",
            session_id="diag-session",
            session_trusted_host="127.0.0.1",
        ),
        options={"like_milestone": 10},
        minor_version=2,
    )
    creator.go_live(title="Diagnostics")
    await setup_entry(hass, entry)
    await fake_tiktok.wait_connected(creator)
    fan = messages.user(1, "fan", "Fan")
    await fake_tiktok.push(creator, messages.gift(fan, "Rose"), messages.like(fan, 3))
    await fake_tiktok.sync(creator)
    diagnostics = await get_diagnostics_for_config_entry(hass, hass_client, entry)
    assert diagnostics["connection_state"] == "connected"
    assert diagnostics["is_live"] is True
    assert diagnostics["entry"]["options"] == {"like_milestone": 10}
    assert diagnostics["entry"]["data"]["sign_api_key"] == "**REDACTED**"
    assert diagnostics["entry"]["data"]["session_id"] == "**REDACTED**"
    assert diagnostics["events_fired"]["gift"] == 1
    assert diagnostics["stream"]["diamonds"] == 1
    assert diagnostics["stream"]["gifters"] == 1
    assert diagnostics["socket"]["frames_received"] >= 2
    assert diagnostics["connections_opened"] == 1
    assert "diag-key" not in str(diagnostics)
    assert "diag-session" not in str(diagnostics)


async def get_gifts(hass: HomeAssistant, entry: MockConfigEntry) -> Any:
    return await hass.services.async_call(
        DOMAIN,
        "get_gifts",
        {"config_entry_id": entry.entry_id},
        blocking=True,
        return_response=True,
    )


async def test_get_gifts_once_per_stream(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    fake_tiktok: FakeTikTok,
    creator: FakeCreator,
) -> None:
    """The room's gift list as response data, asked once per stream; clear errors otherwise."""
    await setup_entry(hass, mock_config_entry)
    with pytest.raises(ServiceValidationError) as no_stream:
        await get_gifts(hass, mock_config_entry)
    assert no_stream.value.translation_key == "gifts_no_stream"
    assert not fake_tiktok.requests_to("/sign/webcast/gifts")

    creator.go_live()
    await mock_config_entry.runtime_data.async_wait_idle()
    mock_config_entry.runtime_data.async_wake()
    await fake_tiktok.wait_connected(creator)
    room_id = creator.last_room.room_id  # type: ignore[union-attr]
    fake_tiktok.faults.sign_gifts.once(SignReply(status=503, body=b""))
    with pytest.raises(HomeAssistantError) as unavailable:
        await get_gifts(hass, mock_config_entry)
    assert unavailable.value.translation_key == "gifts_unavailable"

    response = await get_gifts(hass, mock_config_entry)
    assert response is not None
    assert response["room_id"] == room_id
    rose = next(g for g in response["gifts"] if g["name"] == "Rose")
    assert rose["diamonds"] == 1
    assert rose["streakable"] is True
    assert rose["image_url"]
    asked = len(fake_tiktok.requests_to(f"/sign/webcast/rooms/{room_id}/gifts"))
    assert await get_gifts(hass, mock_config_entry) == response
    assert len(fake_tiktok.requests_to(f"/sign/webcast/rooms/{room_id}/gifts")) == asked


async def test_get_gifts_needs_a_plan_that_has_it(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    fake_tiktok: FakeTikTok,
    creator: FakeCreator,
) -> None:
    """The sign server keeps the list for paid plans: said so, never an empty success."""
    fake_tiktok.premium_gifts = True
    creator.go_live()
    await setup_entry(hass, mock_config_entry)
    await fake_tiktok.wait_connected(creator)
    with pytest.raises(HomeAssistantError) as premium:
        await get_gifts(hass, mock_config_entry)
    assert premium.value.translation_key == "gifts_need_key"
