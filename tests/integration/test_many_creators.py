"""Many creators cost little: offline checks share one budget, or one bulk request with a key.

Fifty entries following fifty offline creators must not mean fifty checks a
minute. Every offline creator shares one budget of checks a minute; with an
API key whose plan has the sign server's bulk live check, one request a
minute watches them all and each creator's own check becomes a rare fallback.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
)

from custom_components.tiktok_live.const import DOMAIN
from custom_components.tiktok_live.coordinator import TikTokLiveCoordinator
from custom_components.tiktok_live.shared import (
    DATA_SHARED,
    OFFLINE_CHECKS_PER_MINUTE,
    Shared,
)
from custom_components.tiktok_live.webcast import RequestPacer
from tests.fake_tiktok import FakeTikTok

from .conftest import make_entry

API_LIVE = "/api-live/user/room/"
BULK = "/sign/webcast/bulk_live_check"


def add_entries(
    hass: HomeAssistant, fake: FakeTikTok, count: int, **data: object
) -> list[MockConfigEntry]:
    """``count`` offline creators, one entry each."""
    entries = []
    for n in range(count):
        fake.add_creator(f"creator_{n}", user_id=100 + n)
        base = make_entry(fake, **data)
        entry = MockConfigEntry(
            domain=DOMAIN,
            title=f"@creator_{n}",
            unique_id=str(100 + n),
            data={**base.data, "unique_id": f"creator_{n}", "user_id": 100 + n},
            options=dict(base.options),
            minor_version=2,
        )
        entry.add_to_hass(hass)
        entries.append(entry)
    return entries


async def set_up(hass: HomeAssistant, entries: list[MockConfigEntry]) -> None:
    # The request pacer waits on the loop's clock, which is frozen here: it
    # gets room for the setup burst (its own tests cover its pace).
    hass.data[DATA_SHARED] = Shared(pacer=RequestPacer(rate=1000.0, burst=1000.0))
    assert await hass.config_entries.async_setup(entries[0].entry_id)
    await hass.async_block_till_done()
    await settled(entries)


async def settled(entries: list[MockConfigEntry]) -> None:
    coordinators: list[TikTokLiveCoordinator] = [e.runtime_data for e in entries]
    await asyncio.gather(*(c.async_wait_settled() for c in coordinators))


async def run_for(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    entries: list[MockConfigEntry],
    seconds: int,
    step: int = 5,
) -> None:
    """Move the frozen clock on in steps, letting every entry settle after each."""
    for _ in range(seconds // step):
        freezer.tick(timedelta(seconds=step))
        async_fire_time_changed(hass)
        await hass.async_block_till_done()
        await settled(entries)


def count(fake: FakeTikTok, path: str) -> int:
    return len(fake.requests_to(path))


async def test_offline_checks_share_one_budget(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, fake_tiktok: FakeTikTok
) -> None:
    """30 offline creators: at most the budget of light checks a minute, and each one checked."""
    entries = add_entries(hass, fake_tiktok, 30)
    await set_up(hass, entries)
    await run_for(hass, freezer, entries, 5 * 60)  # the spread settles
    before = count(fake_tiktok, API_LIVE)
    checked_before = {r.query["uniqueId"] for r in fake_tiktok.requests_to(API_LIVE)}
    await run_for(hass, freezer, entries, 10 * 60)
    per_minute = (count(fake_tiktok, API_LIVE) - before) / 10
    assert per_minute <= OFFLINE_CHECKS_PER_MINUTE * 1.25
    recent = fake_tiktok.requests_to(API_LIVE)[before:]
    assert {r.query["uniqueId"] for r in recent} == checked_before  # nobody left out
    assert not fake_tiktok.requests_to("/@creator_0/live")
    assert not fake_tiktok.sign_requests()


async def test_few_creators_keep_their_interval(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, fake_tiktok: FakeTikTok
) -> None:
    """Within the budget the option's interval holds: 3 creators, each checked every minute."""
    entries = add_entries(hass, fake_tiktok, 3)
    await set_up(hass, entries)
    before = count(fake_tiktok, API_LIVE)
    await run_for(hass, freezer, entries, 10 * 60)
    checks = count(fake_tiktok, API_LIVE) - before
    assert 3 * 8 <= checks <= 3 * 12


async def test_a_key_with_the_bulk_check_watches_everyone_in_one_request(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, fake_tiktok: FakeTikTok
) -> None:
    """With a key: one bulk request a minute for all, and a creator going live is joined at once."""
    entries = add_entries(hass, fake_tiktok, 10, sign_api_key="paid-key")
    await set_up(hass, entries)
    checks = count(fake_tiktok, API_LIVE)
    await run_for(hass, freezer, entries, 5 * 60)
    bulk = fake_tiktok.requests_to(BULK)
    assert 4 <= len(bulk) <= 6
    assert bulk[-1].header("X-Api-Key") == "paid-key"
    # Each creator's own check is a rare fallback now.
    assert count(fake_tiktok, API_LIVE) == checks

    creator = fake_tiktok.creators["creator_4"]
    creator.go_live()
    # The next bulk check (at most a minute away) sees it and wakes its entry.
    for _ in range(90 // 5):
        await run_for(hass, freezer, entries, 5)
        if fake_tiktok.open_sockets(creator):
            break
    await fake_tiktok.wait_connected(creator)
    # Joined directly: the bulk check needs the sign server, the stream does not.
    assert not [r for r in fake_tiktok.sign_requests() if r.path != BULK]


async def test_a_plan_without_the_bulk_check_falls_back_to_the_budget(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, fake_tiktok: FakeTikTok
) -> None:
    """The sign server refuses the bulk check (403): asked once, then each creator checks itself."""
    fake_tiktok.premium_endpoints.add(BULK)
    entries = add_entries(hass, fake_tiktok, 5, sign_api_key="basic-key")
    await set_up(hass, entries)
    await run_for(hass, freezer, entries, 5 * 60)
    assert count(fake_tiktok, BULK) == 1
    before = count(fake_tiktok, API_LIVE)
    await run_for(hass, freezer, entries, 5 * 60)
    assert count(fake_tiktok, API_LIVE) - before >= 5 * 4
