"""Fixtures for the integration tests: a real hass, the fake TikTok on loopback."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.helpers import entity_registry as er
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
)

from custom_components.tiktok_live.const import (
    CONF_BUS_EVENT_TYPES,
    CONF_PUSH_URL,
    CONF_SIGN_SERVER_URL,
    CONF_UNIQUE_ID,
    CONF_USER_ID,
    CONF_WEB_URL,
    CONF_WEBCAST_URL,
    DOMAIN,
    EVENT_TIKTOK_LIVE,
    EventType,
)
from tests.fake_tiktok import FakeCreator, FakeTikTok

CREATOR = "streamer"
CREATOR_ID = 6_900_000_000_000_000_001


@pytest.fixture
async def fake_tiktok(socket_enabled: None) -> AsyncIterator[FakeTikTok]:
    """The fake TikTok web, webcast API, sign server and push server."""
    async with FakeTikTok() as fake:
        yield fake


@pytest.fixture
def creator(fake_tiktok: FakeTikTok) -> FakeCreator:
    """A creator who is offline until a test makes them go live."""
    return fake_tiktok.add_creator(CREATOR, user_id=CREATOR_ID, nickname="The Streamer")


def entry_data(fake: FakeTikTok, **extra: Any) -> dict[str, Any]:
    """Config entry data pointing the integration at the fake."""
    return {
        CONF_UNIQUE_ID: CREATOR,
        CONF_USER_ID: CREATOR_ID,
        CONF_WEB_URL: fake.web_url,
        CONF_WEBCAST_URL: fake.webcast_url,
        CONF_PUSH_URL: fake.direct_push_url,
        CONF_SIGN_SERVER_URL: fake.sign_server_url,
        **extra,
    }


def make_entry(
    fake: FakeTikTok, *, options: dict[str, Any] | None = None, **extra: Any
) -> MockConfigEntry:
    """The creator's config entry, with extra data or options."""
    return MockConfigEntry(
        domain=DOMAIN,
        title=f"@{CREATOR}",
        unique_id=str(CREATOR_ID),
        data=entry_data(fake, **extra),
        options=options or {},
        minor_version=2,
    )


@pytest.fixture
def mock_config_entry(fake_tiktok: FakeTikTok, creator: FakeCreator) -> MockConfigEntry:
    """The creator's config entry (default options)."""
    return make_entry(fake_tiktok)


EVENT_ENTITY_KEYS = (
    "gift",
    "follow",
    "share",
    "like",
    "comment",
    "join",
    "subscribe",
    "stream",
    "goal",
)


@pytest.fixture
def all_events_entry(
    hass: HomeAssistant, fake_tiktok: FakeTikTok, creator: FakeCreator
) -> MockConfigEntry:
    """The creator's entry with every event type on the bus and every event entity enabled."""
    entry = make_entry(
        fake_tiktok, options={CONF_BUS_EVENT_TYPES: [t.value for t in EventType]}
    )
    enable_event_entities(hass, entry, *EVENT_ENTITY_KEYS)
    return entry


def enable_event_entities(
    hass: HomeAssistant, entry: MockConfigEntry, *keys: str
) -> None:
    """Enable event entities (disabled by default) before the entry is set up."""
    entry.add_to_hass(hass)
    registry = er.async_get(hass)
    for key in keys:
        registry.async_get_or_create(
            "event",
            DOMAIN,
            f"{entry.unique_id}_{key}",
            config_entry=entry,
            suggested_object_id=f"{CREATOR}_{key}",
            disabled_by=None,
        )


async def setup_entry(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    """Add and set up an entry, waiting for everything it starts."""
    if hass.config_entries.async_get_entry(entry.entry_id) is None:
        entry.add_to_hass(hass)
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()


@pytest.fixture
async def bus_events(hass: HomeAssistant) -> list[Event]:
    """Every tiktok_live_event fired."""
    events: list[Event] = []

    @callback
    def _capture(event: Event) -> None:
        events.append(event)

    hass.bus.async_listen(EVENT_TIKTOK_LIVE, _capture)
    return events


def of_type(events: list[Event], event_type: str) -> list[dict[str, Any]]:
    """The data of the bus events of one type."""
    return [dict(e.data) for e in events if e.data["type"] == event_type]


def state(hass: HomeAssistant, entity_id: str) -> str:
    """The state of an entity that must exist."""
    current = hass.states.get(entity_id)
    assert current is not None, entity_id
    return current.state


async def advance(hass: HomeAssistant, seconds: float) -> None:
    """Move Home Assistant's clock and run what became due."""
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=seconds))
    await hass.async_block_till_done()


async def later(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    entry: MockConfigEntry,
    seconds: float,
) -> None:
    """The frozen clock moves on by ``seconds``; what became due runs and settles."""
    coordinator = entry.runtime_data
    await coordinator.async_wait_settled()
    freezer.tick(timedelta(seconds=seconds))
    async_fire_time_changed(hass)
    await hass.async_block_till_done()
    await coordinator.async_wait_settled()
    freezer.tick(timedelta(seconds=2))
    async_fire_time_changed(hass)
    await hass.async_block_till_done()


async def wait_for_entry_state(
    entry: MockConfigEntry, wanted: ConfigEntryState, timeout: float = 10
) -> None:
    """Wait until the entry reaches a state (a setup retry runs as a background task)."""
    reached = asyncio.Event()

    @callback
    def _changed() -> None:
        if entry.state is wanted:
            reached.set()

    remove = entry.async_on_state_change(_changed)
    try:
        if entry.state is not wanted:
            async with asyncio.timeout(timeout):
                await reached.wait()
    finally:
        remove()


async def unload(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    """Unload and check the entry let go of everything."""
    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.NOT_LOADED
