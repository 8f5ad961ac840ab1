"""How many TikTok events per second one creator's integration turns into HA events.

Prints numbers; asserts only that every event arrived. Run: scripts/bench-integration
"""

from __future__ import annotations

import time

from homeassistant.core import Event, HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.tiktok_live.const import CONF_BUS_EVENT_TYPES, EventType
from tests.fake_tiktok import FakeCreator, FakeTikTok, messages
from tests.integration.conftest import advance, of_type, setup_entry

FANS = [messages.user(7000 + n, f"fan_{n}", f"Fan {n}") for n in range(50)]


async def test_events_per_second(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    fake_tiktok: FakeTikTok,
    creator: FakeCreator,
    bus_events: list[Event],
) -> None:
    """Gifts, comments and follows pushed in frames of 20, through the whole stack."""
    creator.go_live(title="bench")
    # Every type on the bus (comments and likes are off by default): the
    # heaviest path a message can take.
    mock_config_entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(
        mock_config_entry,
        options={CONF_BUS_EVENT_TYPES: [t.value for t in EventType]},
    )
    await setup_entry(hass, mock_config_entry)
    await fake_tiktok.wait_connected(creator)
    frames, per_frame = 250, 20
    batch_builders = [
        lambda n: messages.gift(FANS[n % 50], "Galaxy"),
        lambda n: messages.comment(FANS[n % 50], f"comment {n}"),
        lambda n: messages.follow(FANS[n % 50]),
        lambda n: messages.like(FANS[n % 50], 5),
    ]
    start = time.perf_counter()
    for frame in range(frames):
        await fake_tiktok.push(
            creator,
            *[batch_builders[i % 4](frame * per_frame + i) for i in range(per_frame)],
        )
    await fake_tiktok.sync(creator, timeout=120)
    await hass.async_block_till_done()
    elapsed = time.perf_counter() - start
    await advance(hass, 2)
    total = frames * per_frame
    gifts = len(of_type(bus_events, "gift"))
    assert gifts == total // 4
    assert len(of_type(bus_events, "comment")) == total // 4
    print(  # noqa: T201 - a benchmark's output
        f"\nintegration: {total} TikTok messages ({gifts} gifts, {total // 4} comments, "
        f"{total // 4} follows, {total // 4} likes) through client, coordinator, bus and event "
        f"entities in {elapsed:.2f} s: {total / elapsed:,.0f} messages/s, "
        f"{len(bus_events)} bus events ({len(of_type(bus_events, 'like'))} coalesced like events)"
    )
