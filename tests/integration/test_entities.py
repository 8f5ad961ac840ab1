"""The entity set of a creator's device, compared with a committed snapshot.

The snapshot holds what users and automations depend on (entity ids, unique
ids, classes, categories, enabled by default, translation keys, event types),
in a form that is identical on every supported Home Assistant version. Run
with UPDATE_SNAPSHOTS=1 to rewrite it after an intended change.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr, entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.tiktok_live.const import (
    CONF_BUS_EVENT_TYPES,
    DOMAIN,
    LEGACY_DEFAULT_BUS_EVENT_TYPES,
)
from tests.fake_tiktok import FakeCreator, FakeTikTok

from .conftest import CREATOR_ID, entry_data, setup_entry

SNAPSHOT = Path(__file__).parent / "snapshots" / "entity_set.json"


def _entity_set(hass: HomeAssistant, entry: MockConfigEntry) -> dict[str, Any]:
    entity_registry = er.async_get(hass)
    entities: dict[str, Any] = {}
    for entity in sorted(
        er.async_entries_for_config_entry(entity_registry, entry.entry_id),
        key=lambda e: e.entity_id,
    ):
        capabilities = dict(entity.capabilities or {})
        entities[entity.entity_id] = {
            "unique_id": entity.unique_id,
            "translation_key": entity.translation_key,
            "device_class": entity.original_device_class,
            "entity_category": entity.entity_category,
            "disabled_by": entity.disabled_by,
            "unit": entity.unit_of_measurement,
            "capabilities": capabilities or None,
        }
    [device] = dr.async_entries_for_config_entry(dr.async_get(hass), entry.entry_id)
    assert device.identifiers == {(DOMAIN, str(CREATOR_ID))}
    return {
        "device": {
            "name": device.name,
            "manufacturer": device.manufacturer,
            "model": device.model,
            "entry_type": device.entry_type,
            "configuration_url": device.configuration_url,
        },
        "entities": entities,
    }


async def test_entity_set(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry
) -> None:
    """Every entity of the device, as the snapshot has it."""
    await setup_entry(hass, mock_config_entry)
    current = json.loads(json.dumps(_entity_set(hass, mock_config_entry), default=str))
    if os.environ.get("UPDATE_SNAPSHOTS"):
        SNAPSHOT.parent.mkdir(exist_ok=True)
        SNAPSHOT.write_text(json.dumps(current, indent=2, sort_keys=True) + "\n")
    assert current == json.loads(SNAPSHOT.read_text())


async def test_counters_read_naturally(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry
) -> None:
    """Counts carry no unit ("1 comments"): the entity name says what is counted."""
    await setup_entry(hass, mock_config_entry)
    for key in ("viewers", "peak_viewers", "likes", "diamonds", "gifts", "comments"):
        sensor = hass.states.get(f"sensor.streamer_{key}")
        assert sensor is not None
        assert "unit_of_measurement" not in sensor.attributes, key
        assert sensor.attributes["state_class"] in ("measurement", "total_increasing")


async def test_event_entities_are_opt_in(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry
) -> None:
    """Every event goes to the bus; an event entity would store it twice, so none is on."""
    await setup_entry(hass, mock_config_entry)
    registry = er.async_get(hass)
    events = [
        e
        for e in er.async_entries_for_config_entry(registry, mock_config_entry.entry_id)
        if e.domain == "event"
    ]
    assert len(events) == 9
    assert all(e.disabled_by is er.RegistryEntryDisabler.INTEGRATION for e in events)
    assert mock_config_entry.options == {}
    coordinator = mock_config_entry.runtime_data
    assert "gift" in coordinator.bus_event_types
    assert "comment" not in coordinator.bus_event_types


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        ({}, [t for t in LEGACY_DEFAULT_BUS_EVENT_TYPES if t != "gift_streak"]),
        (
            {"gift_streak_updates": True},
            LEGACY_DEFAULT_BUS_EVENT_TYPES,
        ),
        (
            {"gift_streak_updates": False, "bus_event_types": ["gift", "gift_streak"]},
            ["gift", "goal_reached"],
        ),
        (
            {
                "gift_streak_updates": True,
                "bus_event_types": ["gift"],
                "like_milestone": 5,
            },
            ["gift", "goal_reached"],
        ),
    ],
)
async def test_options_of_0_1_are_migrated(
    hass: HomeAssistant,
    fake_tiktok: FakeTikTok,
    creator: FakeCreator,
    options: dict[str, Any],
    expected: list[str],
) -> None:
    """The streak switch folds into the event types; goals join them (minor version 3).

    An upgrade never silences an automation.
    """
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="@streamer",
        unique_id=str(CREATOR_ID),
        data=entry_data(fake_tiktok),
        options=options,
        minor_version=1,
    )
    await setup_entry(hass, entry)
    assert entry.minor_version == 3
    assert entry.options[CONF_BUS_EVENT_TYPES] == expected
    assert "gift_streak_updates" not in entry.options
    assert entry.options.get("like_milestone") == options.get("like_milestone")
