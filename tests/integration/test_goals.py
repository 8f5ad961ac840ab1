"""Stream goals and the top gifters: what a streamer's automations build on.

Goals are set on number entities, reached once per stream (goal_reached on
the bus and on the Goal event entity), start over with a new stream and
survive a restart during the stream; the Top gifter sensor lists the
stream's top 10, kept out of the recorder, and every event says where its
sender stands among them.
"""

from __future__ import annotations

from datetime import timedelta

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.number import (
    ATTR_VALUE,
    DOMAIN as NUMBER_DOMAIN,
    SERVICE_SET_VALUE,
)
from homeassistant.components.recorder import Recorder, get_instance, history
from homeassistant.const import ATTR_ENTITY_ID, STATE_UNKNOWN
from homeassistant.core import Event, HomeAssistant
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.recorder.common import (
    async_wait_recording_done,
)

from custom_components.tiktok_live.const import CONF_BUS_EVENT_TYPES, EventType
from tests.fake_tiktok import FakeCreator, FakeTikTok, messages

from .conftest import (
    advance,
    enable_event_entities,
    later,
    make_entry,
    of_type,
    setup_entry,
    state,
    unload,
)

LIKE_GOAL = "number.streamer_like_goal"
DIAMOND_GOAL = "number.streamer_diamond_goal"
FOLLOWER_GOAL = "number.streamer_follower_goal"
LIKE_PROGRESS = "sensor.streamer_like_goal_progress"
DIAMOND_PROGRESS = "sensor.streamer_diamond_goal_progress"
GOAL_EVENT = "event.streamer_goal"
TOP_GIFTER = "sensor.streamer_top_gifter"


async def set_goal(hass: HomeAssistant, entity_id: str, value: float) -> None:
    await hass.services.async_call(
        NUMBER_DOMAIN,
        SERVICE_SET_VALUE,
        {ATTR_ENTITY_ID: entity_id, ATTR_VALUE: value},
        blocking=True,
    )
    await advance(hass, 2)


async def live(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    fake: FakeTikTok,
    creator: FakeCreator,
    *,
    count: int = 1,
) -> None:
    if count == 1:
        creator.go_live(title="Goals night")
        await setup_entry(hass, entry)
    await fake.wait_connected(creator, count=count)
    await advance(hass, 2)


async def test_goals_are_reached_once_per_stream(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    mock_config_entry: MockConfigEntry,
    fake_tiktok: FakeTikTok,
    creator: FakeCreator,
    bus_events: list[Event],
) -> None:
    """Off by default; progress in percent; goal_reached once; a new stream starts over."""
    enable_event_entities(hass, mock_config_entry, "goal")
    await live(hass, mock_config_entry, fake_tiktok, creator)
    assert state(hass, LIKE_GOAL) == "0"
    assert state(hass, LIKE_PROGRESS) == STATE_UNKNOWN  # off
    await set_goal(hass, LIKE_GOAL, 100)
    await set_goal(hass, DIAMOND_GOAL, 1000)
    assert state(hass, LIKE_PROGRESS) == "0.0"

    fan = messages.user(7001, "rose_fan", "Rose Fan")
    await fake_tiktok.push(creator, messages.like(fan, count=60))
    await fake_tiktok.sync(creator)
    await advance(hass, 2)
    assert state(hass, LIKE_PROGRESS) == "60.0"
    assert not of_type(bus_events, "goal_reached")

    for _ in range(3):
        await fake_tiktok.push(creator, messages.like(fan, count=30))
    await fake_tiktok.sync(creator)
    await advance(hass, 2)
    assert state(hass, LIKE_PROGRESS) == "100.0"
    [reached] = of_type(bus_events, "goal_reached")
    assert reached["goal"] == "likes"
    assert reached["target"] == 100
    assert reached["value"] == 120  # the count when it was reached
    assert reached["simulated"] is False
    goal_event = hass.states.get(GOAL_EVENT)
    assert goal_event is not None
    assert goal_event.attributes["event_type"] == "likes"
    assert goal_event.attributes["target"] == 100
    progress = hass.states.get(LIKE_PROGRESS)
    assert progress is not None
    assert progress.attributes == {
        **progress.attributes,
        "target": 100,
        "reached": True,
    }
    assert state(hass, DIAMOND_PROGRESS) == "0.0"

    # More likes: reached already, nothing fires again.
    await fake_tiktok.push(creator, messages.like(fan, count=500))
    await fake_tiktok.sync(creator)
    await advance(hass, 2)
    assert len(of_type(bus_events, "goal_reached")) == 1

    # A new stream: the same goals, to reach again.
    await creator.end_stream()
    await fake_tiktok.wait_for(lambda: not fake_tiktok.open_sockets(creator))
    await advance(hass, 2)
    creator.go_live(title="Second stream")
    for _ in range(10):  # the next offline checks find the new stream
        await later(hass, freezer, mock_config_entry, 30)
        if fake_tiktok.open_sockets(creator):
            break
    await live(hass, mock_config_entry, fake_tiktok, creator, count=2)
    assert state(hass, LIKE_PROGRESS) == "0.0"
    await fake_tiktok.push(creator, messages.like(fan, count=100))
    await fake_tiktok.sync(creator)
    await advance(hass, 2)
    assert [e["goal"] for e in of_type(bus_events, "goal_reached")] == [
        "likes",
        "likes",
    ]


async def test_a_goal_set_below_the_count_is_reached_at_once(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    fake_tiktok: FakeTikTok,
    creator: FakeCreator,
    bus_events: list[Event],
) -> None:
    """Setting a goal the stream already passed; a new target is a new goal."""
    await live(hass, mock_config_entry, fake_tiktok, creator)
    fan = messages.user(7001, "rose_fan", "Rose Fan")
    for _ in range(3):
        await fake_tiktok.push(
            creator, messages.follow(messages.user(8000 + _, f"f{_}", "F"))
        )
    await fake_tiktok.push(creator, messages.gift(fan, "Doughnut"))
    await fake_tiktok.sync(creator)
    await advance(hass, 2)
    await set_goal(hass, FOLLOWER_GOAL, 3)
    await set_goal(hass, DIAMOND_GOAL, 30)
    assert sorted(e["goal"] for e in of_type(bus_events, "goal_reached")) == [
        "diamonds",
        "followers",
    ]
    await set_goal(hass, FOLLOWER_GOAL, 3)  # unchanged: not a new goal
    await set_goal(hass, FOLLOWER_GOAL, 5)
    await fake_tiktok.push(
        creator,
        *(messages.follow(messages.user(8100 + n, f"g{n}", "G")) for n in range(2)),
    )
    await fake_tiktok.sync(creator)
    await advance(hass, 2)
    followers = [
        e for e in of_type(bus_events, "goal_reached") if e["goal"] == "followers"
    ]
    assert [(e["target"], e["value"]) for e in followers] == [(3, 3), (5, 5)]


async def test_goals_survive_a_restart_during_the_stream(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    fake_tiktok: FakeTikTok,
    creator: FakeCreator,
    bus_events: list[Event],
) -> None:
    """Targets and what this stream reached come back; nothing fires twice."""
    await live(hass, mock_config_entry, fake_tiktok, creator)
    await set_goal(hass, LIKE_GOAL, 50)
    await set_goal(hass, DIAMOND_GOAL, 500)
    fan = messages.user(7001, "rose_fan", "Rose Fan")
    await fake_tiktok.push(creator, messages.like(fan, count=80))
    await fake_tiktok.sync(creator)
    await advance(hass, 2)
    assert len(of_type(bus_events, "goal_reached")) == 1

    await unload(hass, mock_config_entry)
    await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    await live(hass, mock_config_entry, fake_tiktok, creator, count=2)
    assert state(hass, LIKE_GOAL) == "50"
    assert state(hass, DIAMOND_GOAL) == "500"
    await fake_tiktok.push(creator, messages.like(fan, count=10))
    await fake_tiktok.sync(creator)
    await advance(hass, 2)
    assert len(of_type(bus_events, "goal_reached")) == 1
    progress = hass.states.get(sensor := "sensor.streamer_like_goal_progress")
    assert progress is not None, sensor
    assert progress.attributes["reached"] is True


async def test_goal_reached_is_on_the_bus_after_an_upgrade(
    hass: HomeAssistant, fake_tiktok: FakeTikTok, creator: FakeCreator
) -> None:
    """An entry that chose its event types before goals existed gets goal_reached too."""
    entry = make_entry(fake_tiktok, options={CONF_BUS_EVENT_TYPES: ["gift", "follow"]})
    assert entry.minor_version == 2
    await setup_entry(hass, entry)
    assert entry.minor_version == 3
    assert entry.options[CONF_BUS_EVENT_TYPES] == ["gift", "follow", "goal_reached"]


# ------------------------------------------------------------ top gifters


async def test_top_gifters_and_ranks(
    recorder_mock: Recorder,
    hass: HomeAssistant,
    fake_tiktok: FakeTikTok,
    creator: FakeCreator,
    bus_events: list[Event],
) -> None:
    """12 gifters: the top 10 as an attribute, not recorded; events carry the rank."""
    entry = make_entry(
        fake_tiktok, options={CONF_BUS_EVENT_TYPES: [t.value for t in EventType]}
    )
    start = dt_util.utcnow()
    await live(hass, entry, fake_tiktok, creator)
    gifters = [messages.user(9000 + n, f"gifter{n}", f"Gifter {n}") for n in range(12)]
    for n, gifter in enumerate(gifters):
        # Gifter n sends n + 1 Roses: gifter 11 is the top.
        await fake_tiktok.push(
            creator, messages.gift(gifter, "Rose", repeat_count=n + 1, streakable=False)
        )
    await fake_tiktok.push(creator, messages.comment(gifters[11], "thanks all"))
    await fake_tiktok.push(creator, messages.comment(gifters[0], "me too"))
    await fake_tiktok.sync(creator)
    await advance(hass, 2)

    top = hass.states.get(TOP_GIFTER)
    assert top is not None
    assert top.state == "Gifter 11"
    board = top.attributes["top_gifters"]
    assert [g["unique_id"] for g in board] == [f"gifter{n}" for n in range(11, 1, -1)]
    assert board[0] == {
        "nickname": "Gifter 11",
        "unique_id": "gifter11",
        "diamonds": 12,
        "gifts": 12,
    }
    gifts = of_type(bus_events, "gift")
    # Each gift's rank counts that gift: gifter n was first when it came.
    assert [g["top_gifter_rank"] for g in gifts] == [1] * 12
    comments = of_type(bus_events, "comment")
    assert comments[0]["top_gifter_rank"] == 1
    assert "top_gifter_rank" not in comments[1]  # 12th: not among the top 10

    await async_wait_recording_done(hass)
    recorded = await get_instance(hass).async_add_executor_job(
        history.get_significant_states,
        hass,
        start - timedelta(seconds=1),
        None,
        [TOP_GIFTER],
    )
    [*_, last] = recorded[TOP_GIFTER]
    assert last.state == "Gifter 11"
    assert last.attributes["diamonds"] == 12
    assert "top_gifters" not in last.attributes


@pytest.mark.parametrize("before", [0, 8])
async def test_rank_of_a_tie_goes_to_who_got_there_first(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    fake_tiktok: FakeTikTok,
    creator: FakeCreator,
    before: int,
) -> None:
    """Equal totals: the first to get there stays ahead, also after a restart."""
    await live(hass, mock_config_entry, fake_tiktok, creator)
    filler = [messages.user(9500 + n, f"f{n}", f"F{n}") for n in range(before)]
    for gifter in filler:
        await fake_tiktok.push(creator, messages.gift(gifter, "Doughnut"))
    first = messages.user(9601, "first", "First")
    second = messages.user(9602, "second", "Second")
    await fake_tiktok.push(creator, messages.gift(first, "Rose"))
    await fake_tiktok.push(creator, messages.gift(second, "Rose"))
    await fake_tiktok.sync(creator)
    await advance(hass, 2)
    board = hass.states.get(TOP_GIFTER).attributes["top_gifters"]  # type: ignore[union-attr]
    names = [g["unique_id"] for g in board]
    assert names.index("first") < names.index("second")
    await unload(hass, mock_config_entry)
    await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    await live(hass, mock_config_entry, fake_tiktok, creator, count=2)
    board = hass.states.get(TOP_GIFTER).attributes["top_gifters"]  # type: ignore[union-attr]
    assert [g["unique_id"] for g in board] == names
