"""The shipped blueprints, loaded into Home Assistant and triggered by matching events."""

from __future__ import annotations

import json
from pathlib import Path
import shutil
from typing import Any

from homeassistant.components.automation.helpers import async_get_blueprints
from homeassistant.const import STATE_ON
from homeassistant.core import HomeAssistant, ServiceCall
from homeassistant.helpers import device_registry as dr
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_mock_service,
)

from custom_components.tiktok_live.const import DOMAIN, EVENT_TIKTOK_LIVE

ROOT = Path(__file__).parent.parent
BLUEPRINTS = ROOT / "blueprints" / "automation" / "tiktok_live"
NAMES = ("gift_flash_light", "new_follower_announce", "live_on_air_light")
MIN_VERSION = json.loads((ROOT / "hacs.json").read_text())["homeassistant"]


@pytest.fixture(autouse=True)
def blueprint_dir(hass: HomeAssistant, tmp_path: Path) -> None:
    """A config dir of our own with the blueprints where Home Assistant looks."""
    hass.config.config_dir = str(tmp_path)
    shutil.copytree(BLUEPRINTS, tmp_path / "blueprints" / "automation" / "tiktok_live")


def creator_device(hass: HomeAssistant, user_id: str) -> str:
    """A creator's device, as the integration registers it."""
    entry = MockConfigEntry(domain=DOMAIN, unique_id=user_id, title=f"@{user_id}")
    entry.add_to_hass(hass)
    device = dr.async_get(hass).async_get_or_create(
        config_entry_id=entry.entry_id,
        identifiers={(DOMAIN, user_id)},
        name=f"@{user_id}",
    )
    return device.id


async def use_blueprint(hass: HomeAssistant, name: str, inputs: dict[str, Any]) -> None:
    """Set up one automation from the blueprint; it must be valid and on."""
    assert await async_setup_component(
        hass,
        "automation",
        {
            "automation": {
                "alias": "Under test",
                "use_blueprint": {"path": f"tiktok_live/{name}.yaml", "input": inputs},
            }
        },
    )
    await hass.async_block_till_done()
    state = hass.states.get("automation.under_test")
    assert state is not None
    assert state.state == STATE_ON


def gift(device_id: str, name: str, total: int) -> dict[str, Any]:
    """Bus event data of a finished gift, as the coordinator fires it."""
    return {
        "type": "gift",
        "device_id": device_id,
        "entry_id": "entry",
        "creator": "@creator",
        "gift_id": 5655,
        "gift_name": name,
        "diamonds": 1,
        "count": total,
        "total_diamonds": total,
        "streakable": True,
        "streaking": False,
        "user_id": "7000000000000000001",
        "unique_id": "fan",
        "nickname": "Fan",
        "simulated": False,
    }


def follow(device_id: str, nickname: str, event_type: str = "follow") -> dict[str, Any]:
    """Bus event data of a follow (or, with ``event_type``, a share)."""
    return {
        "type": event_type,
        "device_id": device_id,
        "entry_id": "entry",
        "creator": "@creator",
        "user_id": "7000000000000000002",
        "unique_id": "owl",
        "nickname": nickname,
        "simulated": False,
    }


async def test_blueprints_are_valid(hass: HomeAssistant) -> None:
    """Home Assistant loads all three, each from where its source_url says."""
    assert await async_setup_component(hass, "automation", {})
    blueprints = await async_get_blueprints(hass).async_get_blueprints()
    assert set(blueprints) == {f"tiktok_live/{name}.yaml" for name in NAMES}
    for path, blueprint in blueprints.items():
        assert not isinstance(blueprint, Exception), (path, blueprint)
        assert blueprint.domain == "automation"
        assert blueprint.metadata["source_url"].endswith(
            f"/blob/main/blueprints/automation/{path}"
        )
        # The integration's own minimum, as in hacs.json.
        assert blueprint.metadata["homeassistant"]["min_version"] == MIN_VERSION


async def test_gift_flashes_a_light(hass: HomeAssistant) -> None:
    """Big enough gifts of the chosen kind on the chosen creator flash the light."""
    device = creator_device(hass, "1")
    other = creator_device(hass, "2")
    calls: list[ServiceCall] = async_mock_service(hass, "light", "turn_on")
    await use_blueprint(
        hass,
        "gift_flash_light",
        {
            "creator": device,
            "min_diamonds": 100,
            "gift_name": "rose",
            "light": {"entity_id": "light.lamp"},
        },
    )
    hass.bus.async_fire(EVENT_TIKTOK_LIVE, gift(device, "Rose", 99))  # too few
    hass.bus.async_fire(EVENT_TIKTOK_LIVE, gift(device, "Lion", 30000))  # other gift
    hass.bus.async_fire(EVENT_TIKTOK_LIVE, gift(other, "Rose", 500))  # other creator
    hass.bus.async_fire(  # a streak still running: not a finished gift
        EVENT_TIKTOK_LIVE,
        {**gift(device, "Rose", 500), "type": "gift_streak", "streaking": True},
    )
    hass.bus.async_fire(  # a follow is not a gift
        EVENT_TIKTOK_LIVE, {**follow(device, "Rose"), "total_diamonds": 500}
    )
    await hass.async_block_till_done()
    assert calls == []

    hass.bus.async_fire(EVENT_TIKTOK_LIVE, gift(device, "Rose", 100))  # exactly N
    await hass.async_block_till_done()
    assert [(c.domain, c.service, c.data) for c in calls] == [
        ("light", "turn_on", {"entity_id": ["light.lamp"], "flash": "short"})
    ]


async def test_any_gift_by_default(hass: HomeAssistant) -> None:
    """Without a gift name, any gift at or above the threshold counts."""
    device = creator_device(hass, "1")
    calls = async_mock_service(hass, "light", "turn_on")
    await use_blueprint(
        hass,
        "gift_flash_light",
        {"creator": device, "min_diamonds": 5, "light": {"entity_id": "light.lamp"}},
    )
    hass.bus.async_fire(EVENT_TIKTOK_LIVE, gift(device, "Rose", 4))
    hass.bus.async_fire(EVENT_TIKTOK_LIVE, gift(device, "Finger Heart", 5))
    hass.bus.async_fire(EVENT_TIKTOK_LIVE, gift(device, "Galaxy", 1000))
    await hass.async_block_till_done()
    assert [c.data for c in calls] == [
        {"entity_id": ["light.lamp"], "flash": "short"},
        {"entity_id": ["light.lamp"], "flash": "short"},
    ]


async def test_gift_with_own_actions(hass: HomeAssistant) -> None:
    """The actions input replaces the flash, with the gift in the trigger data."""
    device = creator_device(hass, "1")
    calls = async_mock_service(hass, "switch", "turn_on")
    await use_blueprint(
        hass,
        "gift_flash_light",
        {
            "creator": device,
            "min_diamonds": 1,
            "actions": [
                {
                    "action": "switch.turn_on",
                    "target": {"entity_id": "switch.confetti"},
                    "data": {"gift": "{{ trigger.event.data.gift_name }}"},
                }
            ],
        },
    )
    hass.bus.async_fire(EVENT_TIKTOK_LIVE, gift(device, "Rose", 1))
    await hass.async_block_till_done()
    assert [c.data for c in calls] == [
        {"entity_id": ["switch.confetti"], "gift": "Rose"}
    ]


async def test_new_follower_is_announced(hass: HomeAssistant) -> None:
    """A follow on the chosen creator speaks the message with the nickname."""
    device = creator_device(hass, "1")
    other = creator_device(hass, "2")
    calls = async_mock_service(hass, "tts", "speak")
    await use_blueprint(
        hass,
        "new_follower_announce",
        {
            "creator": device,
            "tts_engine": "tts.cloud",
            "media_player": "media_player.kitchen",
            "message": "Hello {{ nickname }}!",
        },
    )
    hass.bus.async_fire(EVENT_TIKTOK_LIVE, follow(device, "Sharer", "share"))
    hass.bus.async_fire(EVENT_TIKTOK_LIVE, follow(other, "Elsewhere"))
    await hass.async_block_till_done()
    assert calls == []

    hass.bus.async_fire(EVENT_TIKTOK_LIVE, follow(device, "Night Owl"))
    await hass.async_block_till_done()
    assert [(c.domain, c.service, c.data) for c in calls] == [
        (
            "tts",
            "speak",
            {
                "entity_id": ["tts.cloud"],
                "media_player_entity_id": "media_player.kitchen",
                "message": "Hello Night Owl!",
            },
        )
    ]


async def test_follower_default_message(hass: HomeAssistant) -> None:
    """The default message names the follower; the handle stands in for no nickname."""
    device = creator_device(hass, "1")
    calls = async_mock_service(hass, "tts", "speak")
    await use_blueprint(
        hass,
        "new_follower_announce",
        {
            "creator": device,
            "tts_engine": "tts.cloud",
            "media_player": "media_player.kitchen",
        },
    )
    hass.bus.async_fire(EVENT_TIKTOK_LIVE, follow(device, "Night Owl"))
    hass.bus.async_fire(EVENT_TIKTOK_LIVE, follow(device, ""))
    await hass.async_block_till_done()
    assert [c.data["message"] for c in calls] == [
        "Welcome, Night Owl! Thanks for the follow.",
        "Welcome, owl! Thanks for the follow.",
    ]


async def test_on_air_light_follows_live(hass: HomeAssistant) -> None:
    """Live on turns the entity on; live off turns it off; nothing else does."""
    hass.states.async_set("binary_sensor.creator_live", "off")
    hass.states.async_set("binary_sensor.other_live", "off")
    on_calls = async_mock_service(hass, "homeassistant", "turn_on")
    off_calls = async_mock_service(hass, "homeassistant", "turn_off")
    await use_blueprint(
        hass,
        "live_on_air_light",
        {
            "live_sensor": "binary_sensor.creator_live",
            "target_entity": {"entity_id": "switch.on_air"},
        },
    )
    hass.states.async_set("binary_sensor.other_live", "on")
    hass.states.async_set("binary_sensor.creator_live", "off", {"changed": "attr"})
    await hass.async_block_till_done()
    assert on_calls == off_calls == []

    hass.states.async_set("binary_sensor.creator_live", "on")
    await hass.async_block_till_done()
    assert [c.data for c in on_calls] == [{"entity_id": ["switch.on_air"]}]
    assert off_calls == []

    hass.states.async_set("binary_sensor.creator_live", "off")
    await hass.async_block_till_done()
    assert [c.data for c in on_calls] == [{"entity_id": ["switch.on_air"]}]
    assert [c.data for c in off_calls] == [{"entity_id": ["switch.on_air"]}]
