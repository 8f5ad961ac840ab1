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
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.tiktok_live.const import DOMAIN

from .conftest import CREATOR_ID, setup_entry

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
