"""The shipped blueprints, loaded into Home Assistant and triggered by matching events."""

from __future__ import annotations

import asyncio
from datetime import timedelta
import json
from pathlib import Path
import re
import shutil
from typing import Any
from urllib.parse import parse_qs

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.automation.helpers import async_get_blueprints
from homeassistant.const import STATE_ON
from homeassistant.core import HomeAssistant, ServiceCall
from homeassistant.helpers import device_registry as dr
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
    async_mock_service,
)

from custom_components.tiktok_live.const import DOMAIN, EVENT_TIKTOK_LIVE

ROOT = Path(__file__).parent.parent
BLUEPRINTS = ROOT / "blueprints" / "automation" / "tiktok_live"
NAMES = (
    "gift_flash_light",
    "new_follower_announce",
    "live_on_air_light",
    "chat_command",
    "gift_thank_you_tts",
    "goal_celebration",
)
SOURCE_BASE = (
    "https://github.com/tiktok-live-ha/tiktok_live/blob/main"
    "/blueprints/automation/tiktok_live"
)
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
    """Home Assistant loads them all, each from where its source_url says."""
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


def test_import_links_name_shipped_blueprints() -> None:
    """Every blueprint has an import link in the docs, and every link opens one of ours."""
    sources = {name: f"{SOURCE_BASE}/{name}.yaml" for name in NAMES}
    for name, url in sources.items():
        assert f"source_url: {url}\n" in (BLUEPRINTS / f"{name}.yaml").read_text()
    linked = set()
    for doc in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        for query in re.findall(
            r"redirect=blueprint_import&([^)\s\"'>]+)", doc.read_text()
        ):
            (url,) = parse_qs(query, strict_parsing=True)["blueprint_url"]
            assert url in sources.values(), (doc.name, url)
            linked.add(url)
    assert linked == set(sources.values())


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


def comment(device_id: str, text: str, **sender: Any) -> dict[str, Any]:
    """Bus event data of a chat comment; ``sender`` adds or replaces user fields."""
    return {
        "type": "comment",
        "device_id": device_id,
        "entry_id": "entry",
        "creator": "@creator",
        "text": text,
        "language": "en",
        "user_id": "7000000000000000003",
        "unique_id": "viewer",
        "nickname": "Viewer",
        "simulated": False,
        **sender,
    }


def goal_reached(device_id: str, goal: str, target: int) -> dict[str, Any]:
    """Bus event data of a goal the stream just reached."""
    return {
        "type": "goal_reached",
        "device_id": device_id,
        "entry_id": "entry",
        "creator": "@creator",
        "goal": goal,
        "target": target,
        "value": target + 3,
        "simulated": False,
    }


async def fire(hass: HomeAssistant, data: dict[str, Any]) -> None:
    """Fire one TikTok event and let the automation finish with it."""
    hass.bus.async_fire(EVENT_TIKTOK_LIVE, data)
    await hass.async_block_till_done()


async def settle() -> None:
    """Let the automation go as far as it can without time passing.

    Not async_block_till_done: that waits for the end of a run, and a run
    that waits for a delay, or for a speaker, ends only when the test moves
    time or the speaker on.
    """
    for _ in range(20):
        await asyncio.sleep(0)


async def fire_nowait(hass: HomeAssistant, data: dict[str, Any]) -> None:
    """Fire one TikTok event; the automation may go on waiting."""
    hass.bus.async_fire(EVENT_TIKTOK_LIVE, data)
    await settle()


async def later(hass: HomeAssistant, freezer: FrozenDateTimeFactory, s: float) -> None:
    """Let ``s`` seconds pass."""
    freezer.tick(timedelta(seconds=s))
    async_fire_time_changed(hass)
    await settle()


async def speaker(hass: HomeAssistant, state: str) -> None:
    """The speaker's state changes."""
    hass.states.async_set("media_player.studio", state)
    await settle()


def runs(hass: HomeAssistant) -> int:
    """How many runs of the automation are going on or queued."""
    return hass.states.get("automation.under_test").attributes["current"]


async def test_chat_command_toggles_the_light(hass: HomeAssistant) -> None:
    """The command as the comment's first word, in any case, toggles the light."""
    device = creator_device(hass, "1")
    other = creator_device(hass, "2")
    calls = async_mock_service(hass, "light", "toggle")
    await use_blueprint(
        hass,
        "chat_command",
        {"creator": device, "light": {"entity_id": "light.lamp"}},
    )
    await fire(hass, comment(device, "I like !lights"))  # not the first word
    await fire(hass, comment(device, "!lightsaber"))  # another word
    await fire(hass, comment(device, "lights"))
    await fire(hass, comment(device, ""))
    await fire(hass, comment(other, "!lights"))  # other creator
    await fire(hass, {**follow(device, "Owl"), "text": "!lights"})  # not a comment
    assert calls == []

    await fire(hass, comment(device, "  !LIGHTS please"))
    assert [(c.domain, c.service, c.data) for c in calls] == [
        ("light", "toggle", {"entity_id": ["light.lamp"]})
    ]


async def test_chat_command_for_moderators_only(hass: HomeAssistant) -> None:
    """Only a viewer TikTok marks as moderator, or the creator, may use it."""
    device = creator_device(hass, "1")
    calls = async_mock_service(hass, "light", "toggle")
    await use_blueprint(
        hass,
        "chat_command",
        {
            "creator": device,
            "allowed": "moderators",
            "cooldown": 0,
            "light": {"entity_id": "light.lamp"},
        },
    )
    await fire(hass, comment(device, "!lights"))  # TikTok did not say
    await fire(hass, comment(device, "!lights", is_moderator=False))
    await fire(hass, comment(device, "!lights", is_subscriber=True, top_gifter_rank=1))
    await fire(hass, comment(device, "!lights", unique_id=""))  # no handle
    assert calls == []

    await fire(hass, comment(device, "!lights", is_moderator=True))
    await fire(hass, comment(device, "!lights", unique_id="Creator"))  # themselves
    assert [c.data for c in calls] == [
        {"entity_id": ["light.lamp"]},
        {"entity_id": ["light.lamp"]},
    ]


async def test_chat_command_for_moderators_and_subscribers(
    hass: HomeAssistant,
) -> None:
    """Subscribers may too; followers and viewers TikTok says nothing about may not."""
    device = creator_device(hass, "1")
    calls = async_mock_service(hass, "light", "toggle")
    await use_blueprint(
        hass,
        "chat_command",
        {
            "creator": device,
            "allowed": "subscribers",
            "cooldown": 0,
            "light": {"entity_id": "light.lamp"},
        },
    )
    await fire(hass, comment(device, "!lights"))
    await fire(hass, comment(device, "!lights", is_follower=True))
    await fire(hass, comment(device, "!lights", is_subscriber=False))
    assert calls == []

    await fire(hass, comment(device, "!lights", is_subscriber=True))
    await fire(hass, comment(device, "!lights", is_moderator=True))
    assert len(calls) == 2


async def test_chat_command_cooldown(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    """A command within the cooldown is ignored and does not extend it."""
    device = creator_device(hass, "1")
    calls = async_mock_service(hass, "light", "toggle")
    await use_blueprint(
        hass,
        "chat_command",
        {"creator": device, "cooldown": 30, "light": {"entity_id": "light.lamp"}},
    )
    await fire(hass, comment(device, "!lights"))
    assert len(calls) == 1

    await later(hass, freezer, 29)
    await fire(hass, comment(device, "!lights", unique_id="another"))
    assert len(calls) == 1  # ignored, not queued: nothing comes of it later
    await later(hass, freezer, 1)
    assert len(calls) == 1

    await fire(hass, comment(device, "!lights"))  # 30 s after the first
    assert len(calls) == 2
    await later(hass, freezer, 10)
    await fire(hass, comment(device, "!lights"))
    assert len(calls) == 2


async def test_chat_command_variables_and_own_actions(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    """Own actions get viewer and command_args; a command while they run is ignored."""
    device = creator_device(hass, "1")
    calls = async_mock_service(hass, "light", "turn_on")
    await use_blueprint(
        hass,
        "chat_command",
        {
            "creator": device,
            "command": "!Color",
            "cooldown": 0,
            "actions": [
                {
                    "action": "light.turn_on",
                    "target": {"entity_id": "light.lamp"},
                    "data": {"color_name": "{{ command_args }}", "by": "{{ viewer }}"},
                },
                {"delay": 10},
            ],
        },
    )
    await fire_nowait(hass, comment(device, "!color   deep sky blue "))
    await fire_nowait(hass, comment(device, "!color red", nickname=""))  # running
    assert [c.data for c in calls] == [
        {"entity_id": ["light.lamp"], "color_name": "deep sky blue", "by": "Viewer"}
    ]

    await later(hass, freezer, 10)
    assert runs(hass) == 0
    await fire_nowait(hass, comment(device, "!color red", nickname=""))
    await fire_nowait(hass, comment(device, "!color"))  # finds that one running
    assert [c.data["color_name"] for c in calls] == ["deep sky blue", "red"]
    assert calls[1].data["by"] == "viewer"  # the handle when there is no nickname
    await later(hass, freezer, 10)
    assert runs(hass) == 0
    assert len(calls) == 2


def lion(device_id: str, count: int, **changes: Any) -> dict[str, Any]:
    """Bus event data of ``count`` Lions (29,999 diamonds each)."""
    return {
        **gift(device_id, "Lion", 29999 * count),
        "gift_id": 6369,
        "diamonds": 29999,
        "count": count,
        "gift_image_url": "https://p16-webcast.tiktokcdn.com/lion.png",
        **changes,
    }


async def test_gift_thank_you_is_spoken(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    """A finished gift worth enough is thanked with the default message."""
    device = creator_device(hass, "1")
    other = creator_device(hass, "2")
    calls = async_mock_service(hass, "tts", "speak")
    await use_blueprint(
        hass,
        "gift_thank_you_tts",
        {
            "creator": device,
            "min_diamonds": 10,
            "tts_engine": "tts.cloud",
            "media_player": "media_player.studio",
        },
    )
    await fire(hass, gift(device, "Rose", 9))  # too few
    await fire(hass, {**lion(device, 3), "streaking": True})  # a streak step
    await fire(hass, {**lion(device, 3), "type": "gift_streak", "streaking": True})
    await fire(hass, lion(other, 1))  # other creator
    await fire(hass, {**follow(device, "Owl"), "total_diamonds": 500})
    assert calls == []

    await fire_nowait(hass, gift(device, "Rose", 10))  # exactly N
    assert [(c.domain, c.service, c.data) for c in calls] == [
        (
            "tts",
            "speak",
            {
                "entity_id": ["tts.cloud"],
                "media_player_entity_id": "media_player.studio",
                "message": "Thank you Fan for 10 Rose!",
            },
        )
    ]
    # A speaker that never says "playing" holds the queue for 5 seconds.
    await later(hass, freezer, 4)
    assert runs(hass) == 1
    await later(hass, freezer, 1)
    assert runs(hass) == 0


async def test_thank_yous_wait_for_the_speaker(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    """Queued thank-yous, in the chosen language, each after the speaker finished."""
    device = creator_device(hass, "1")
    calls = async_mock_service(hass, "tts", "speak")
    hass.states.async_set("media_player.studio", "idle")
    await use_blueprint(
        hass,
        "gift_thank_you_tts",
        {
            "creator": device,
            "tts_engine": "tts.cloud",
            "media_player": "media_player.studio",
            "language": "en-GB",
            "message": "{{ nickname }}: {{ count }} x {{ gift_name }} = {{ diamonds }}",
        },
    )
    await fire_nowait(hass, lion(device, 2))
    await fire_nowait(hass, lion(device, 1, nickname="", unique_id="lionfan"))
    assert [c.data for c in calls] == [
        {
            "entity_id": ["tts.cloud"],
            "media_player_entity_id": "media_player.studio",
            "message": "Fan: 2 x Lion = 59998",
            "language": "en-GB",
        }
    ]
    await speaker(hass, "playing")
    assert len(calls) == 1  # still speaking
    await speaker(hass, "idle")
    assert [c.data["message"] for c in calls] == [
        "Fan: 2 x Lion = 59998",
        "lionfan: 1 x Lion = 29999",
    ]
    await speaker(hass, "playing")
    await speaker(hass, "idle")
    assert runs(hass) == 0

    # Music after the message: the next one a minute after the speaker started.
    await fire_nowait(hass, lion(device, 3))
    await fire_nowait(hass, lion(device, 4))
    await speaker(hass, "playing")
    await later(hass, freezer, 59)
    assert len(calls) == 3
    await later(hass, freezer, 1)
    assert len(calls) == 4
    await speaker(hass, "idle")
    await later(hass, freezer, 5)
    assert runs(hass) == 0
    assert len(calls) == 4


async def test_goal_celebration_for_the_chosen_goals(hass: HomeAssistant) -> None:
    """Only the chosen goals of the chosen creator turn the scene and script on."""
    device = creator_device(hass, "1")
    other = creator_device(hass, "2")
    calls = async_mock_service(hass, "homeassistant", "turn_on")
    await use_blueprint(
        hass,
        "goal_celebration",
        {
            "creator": device,
            "goals": ["likes", "followers"],
            "celebration": ["scene.party", "script.confetti"],
        },
    )
    await fire(hass, goal_reached(device, "diamonds", 1000))  # not chosen
    await fire(hass, goal_reached(other, "likes", 1000))  # other creator
    await fire(hass, {**goal_reached(device, "likes", 1000), "type": "like"})
    assert calls == []

    await fire(hass, goal_reached(device, "likes", 10000))
    await fire(hass, goal_reached(device, "followers", 50))
    assert [(c.domain, c.service, c.data) for c in calls] == [
        ("homeassistant", "turn_on", {"entity_id": ["scene.party", "script.confetti"]}),
        ("homeassistant", "turn_on", {"entity_id": ["scene.party", "script.confetti"]}),
    ]


async def test_goal_celebration_with_own_actions(hass: HomeAssistant) -> None:
    """Every goal by default; the actions get the goal, its target and the value."""
    device = creator_device(hass, "1")
    calls = async_mock_service(hass, "script", "turn_on")
    await use_blueprint(
        hass,
        "goal_celebration",
        {
            "creator": device,
            "actions": [
                {
                    "action": "script.turn_on",
                    "target": {"entity_id": "script.party"},
                    "data": {
                        "variables": {
                            "goal": "{{ goal }}",
                            "reached": "{{ goal_value }} of {{ goal_target }}",
                        }
                    },
                }
            ],
        },
    )
    for goal in ("likes", "diamonds", "followers"):
        await fire(hass, goal_reached(device, goal, 100))
    assert [c.data for c in calls] == [
        {
            "entity_id": ["script.party"],
            "variables": {"goal": goal, "reached": "103 of 100"},
        }
        for goal in ("likes", "diamonds", "followers")
    ]
