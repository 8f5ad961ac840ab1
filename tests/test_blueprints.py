"""The shipped blueprints, loaded into Home Assistant and triggered by matching events."""

from __future__ import annotations

from pathlib import Path
import shutil
from typing import Any

from homeassistant.core import HomeAssistant, ServiceCall
from homeassistant.helpers import device_registry as dr
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_mock_service,
)

from custom_components.tiktok_live.const import DOMAIN, EVENT_TIKTOK_LIVE

BLUEPRINTS = Path(__file__).parent.parent / "blueprints" / "automation" / "tiktok_live"


@pytest.fixture
def blueprint_dir(hass: HomeAssistant, tmp_path: Path) -> None:
    """A config dir of our own with the blueprints where Home Assistant looks."""
    hass.config.config_dir = str(tmp_path)
    shutil.copytree(BLUEPRINTS, tmp_path / "blueprints" / "automation" / "tiktok_live")


def creator_device(hass: HomeAssistant, user_id: str) -> str:
    entry = MockConfigEntry(domain=DOMAIN, unique_id=user_id, title=f"@{user_id}")
    entry.add_to_hass(hass)
    device = dr.async_get(hass).async_get_or_create(
        config_entry_id=entry.entry_id,
        identifiers={(DOMAIN, user_id)},
        name=f"@{user_id}",
    )
    return device.id


async def use_blueprint(hass: HomeAssistant, path: str, inputs: dict[str, Any]) -> None:
    assert await async_setup_component(
        hass,
        "automation",
        {
            "automation": {
                "use_blueprint": {"path": f"tiktok_live/{path}", "input": inputs}
            }
        },
    )
    await hass.async_block_till_done()


def gift(device_id: str, name: str, total: int) -> dict[str, Any]:
    return {
        "type": "gift",
        "device_id": device_id,
        "gift_name": name,
        "diamonds": 1,
        "count": total,
        "total_diamonds": total,
        "nickname": "Fan",
        "unique_id": "fan",
        "simulated": False,
    }


@pytest.mark.usefixtures("blueprint_dir")
async def test_gift_flashes_a_light(hass: HomeAssistant) -> None:
    """Big enough gifts of the chosen kind on the chosen creator flash the light."""
    device = creator_device(hass, "1")
    other = creator_device(hass, "2")
    calls: list[ServiceCall] = async_mock_service(hass, "light", "turn_on")
    await use_blueprint(
        hass,
        "gift_flash_light.yaml",
        {
            "creator": device,
            "min_diamonds": 100,
            "gift_name": "rose",
            "light": {"entity_id": "light.lamp"},
        },
    )
    hass.bus.async_fire(EVENT_TIKTOK_LIVE, gift(device, "Rose", 99))  # too small
    hass.bus.async_fire(EVENT_TIKTOK_LIVE, gift(device, "Lion", 30000))  # other gift
    hass.bus.async_fire(EVENT_TIKTOK_LIVE, gift(other, "Rose", 500))  # other creator
    hass.bus.async_fire(
        EVENT_TIKTOK_LIVE, {**gift(device, "Rose", 500), "type": "gift_streak"}
    )
    await hass.async_block_till_done()
    assert calls == []
    hass.bus.async_fire(EVENT_TIKTOK_LIVE, gift(device, "Rose", 100))
    await hass.async_block_till_done()
    assert len(calls) == 1
    assert calls[0].data == {"entity_id": ["light.lamp"], "flash": "short"}


@pytest.mark.usefixtures("blueprint_dir")
async def test_any_gift_by_default(hass: HomeAssistant) -> None:
    """Without a gift name, any gift above the threshold counts."""
    device = creator_device(hass, "1")
    calls = async_mock_service(hass, "light", "turn_on")
    await use_blueprint(
        hass,
        "gift_flash_light.yaml",
        {"creator": device, "min_diamonds": 5, "light": {"entity_id": "light.lamp"}},
    )
    hass.bus.async_fire(EVENT_TIKTOK_LIVE, gift(device, "Finger Heart", 5))
    await hass.async_block_till_done()
    assert len(calls) == 1


@pytest.mark.usefixtures("blueprint_dir")
async def test_new_follower_is_announced(hass: HomeAssistant) -> None:
    """A follow on the chosen creator speaks the message with the nickname."""
    device = creator_device(hass, "1")
    calls = async_mock_service(hass, "tts", "speak")
    await use_blueprint(
        hass,
        "new_follower_announce.yaml",
        {
            "creator": device,
            "tts_engine": "tts.cloud",
            "media_player": "media_player.kitchen",
            "message": "Hello {{ nickname }}!",
        },
    )
    hass.bus.async_fire(
        EVENT_TIKTOK_LIVE, {"type": "share", "device_id": device, "nickname": "X"}
    )
    await hass.async_block_till_done()
    assert calls == []
    hass.bus.async_fire(
        EVENT_TIKTOK_LIVE,
        {
            "type": "follow",
            "device_id": device,
            "nickname": "Night Owl",
            "unique_id": "owl",
        },
    )
    await hass.async_block_till_done()
    assert len(calls) == 1
    assert calls[0].data["message"] == "Hello Night Owl!"
    assert calls[0].data["media_player_entity_id"] == "media_player.kitchen"
    assert calls[0].data["entity_id"] == ["tts.cloud"]


@pytest.mark.usefixtures("blueprint_dir")
async def test_on_air_light_follows_live(hass: HomeAssistant) -> None:
    """Live on turns the entity on; live off turns it off."""
    hass.states.async_set("binary_sensor.creator_live", "off")
    on_calls = async_mock_service(hass, "homeassistant", "turn_on")
    off_calls = async_mock_service(hass, "homeassistant", "turn_off")
    await use_blueprint(
        hass,
        "live_on_air_light.yaml",
        {
            "live_sensor": "binary_sensor.creator_live",
            "target_entity": {"entity_id": "switch.on_air"},
        },
    )
    hass.states.async_set("binary_sensor.creator_live", "on")
    await hass.async_block_till_done()
    assert [c.data for c in on_calls] == [{"entity_id": ["switch.on_air"]}]
    hass.states.async_set("binary_sensor.creator_live", "off")
    await hass.async_block_till_done()
    assert [c.data for c in off_calls] == [{"entity_id": ["switch.on_air"]}]
