"""Connection methods: Automatic (direct first, the sign server when refused), or one way only.

Automatic remembers the way that worked (also across a restart) and moves to
the other way after a refusal, never after a mere drop.
"""

from __future__ import annotations

from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.tiktok_live.const import CONF_CONNECTION_METHOD
from custom_components.tiktok_live.coordinator import TikTokLiveCoordinator
from tests.fake_tiktok import FakeCreator, FakeTikTok, SignReply, faults, messages

from .conftest import advance, later, make_entry, setup_entry, state, unload

CONNECTION = "sensor.streamer_connection"
DIRECT_PATH = "/webcast/im/ws_proxy/ws_reuse_supplement/"


def coordinator_of(entry: MockConfigEntry) -> TikTokLiveCoordinator:
    coordinator: TikTokLiveCoordinator = entry.runtime_data
    return coordinator


def method_shown(hass: HomeAssistant) -> Any:
    sensor = hass.states.get(CONNECTION)
    assert sensor is not None
    return sensor.attributes["connection_method"]


async def connected(
    hass: HomeAssistant, fake: FakeTikTok, creator: FakeCreator, count: int = 1
) -> None:
    await fake.wait_connected(creator, count=count)
    await advance(hass, 2)


async def test_automatic_connects_directly(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    fake_tiktok: FakeTikTok,
    creator: FakeCreator,
) -> None:
    """By default: TikTok directly, nothing sent to the sign server."""
    creator.go_live()
    await setup_entry(hass, mock_config_entry)
    await connected(hass, fake_tiktok, creator)
    assert state(hass, CONNECTION) == "connected"
    assert method_shown(hass) == "direct"
    assert not fake_tiktok.sign_requests()
    assert fake_tiktok.requests_to(DIRECT_PATH)


async def test_automatic_falls_back_to_the_sign_server_and_remembers(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    fake_tiktok: FakeTikTok,
    creator: FakeCreator,
) -> None:
    """Direct refused: the sign server within seconds; it stays the first choice, after a restart too."""
    fake_tiktok.faults.direct_handshake.always(faults.blocked(200, "not here"))
    creator.go_live()
    await setup_entry(hass, mock_config_entry)
    coordinator = coordinator_of(mock_config_entry)
    await coordinator.async_wait_idle()
    await advance(hass, 3)
    await connected(hass, fake_tiktok, creator)
    assert method_shown(hass) == "sign_server"
    assert len(fake_tiktok.requests_to(DIRECT_PATH)) == 1
    assert len(fake_tiktok.sign_requests()) == 1

    # A drop is no refusal: the reconnect uses the way that worked.
    fake_tiktok.open_sockets(creator)[0].drop()
    await coordinator.async_wait_idle()
    await advance(hass, 3)
    await connected(hass, fake_tiktok, creator, count=2)
    assert len(fake_tiktok.requests_to(DIRECT_PATH)) == 1
    assert len(fake_tiktok.sign_requests()) == 2

    # Restarted: still the sign server first.
    await unload(hass, mock_config_entry)
    assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    await connected(hass, fake_tiktok, creator, count=3)
    assert len(fake_tiktok.requests_to(DIRECT_PATH)) == 1
    assert method_shown(hass) == "sign_server"


async def test_automatic_tries_direct_again_an_hour_after_its_refusal(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    mock_config_entry: MockConfigEntry,
    fake_tiktok: FakeTikTok,
    creator: FakeCreator,
) -> None:
    """Direct costs no sign server quota: once its refusal is an hour old, it is first again."""
    fake_tiktok.answer_heartbeats = True
    fake_tiktok.faults.direct_handshake.once(faults.blocked(200, "not now"))
    creator.go_live()
    await setup_entry(hass, mock_config_entry)
    await later(hass, freezer, mock_config_entry, 3)
    await connected(hass, fake_tiktok, creator)
    assert method_shown(hass) == "sign_server"

    # Half an hour later a drop: still the sign server.
    await later(hass, freezer, mock_config_entry, 30 * 60)
    fake_tiktok.open_sockets(creator)[0].drop()
    await coordinator_of(mock_config_entry).async_wait_idle()
    await later(hass, freezer, mock_config_entry, 5)
    await connected(hass, fake_tiktok, creator, count=2)
    assert method_shown(hass) == "sign_server"
    assert len(fake_tiktok.requests_to(DIRECT_PATH)) == 1

    # An hour after the refusal: direct again, and it works now.
    await later(hass, freezer, mock_config_entry, 31 * 60)
    fake_tiktok.open_sockets(creator)[0].drop()
    await coordinator_of(mock_config_entry).async_wait_idle()
    await later(hass, freezer, mock_config_entry, 5)
    await connected(hass, fake_tiktok, creator, count=3)
    assert method_shown(hass) == "direct"
    # No third signature: the socket TikTok opened was the direct one.
    assert len(fake_tiktok.sign_requests()) == 2
    assert len(fake_tiktok.requests_to(DIRECT_PATH)) >= 2


async def test_automatic_goes_back_to_direct_when_the_sign_server_refuses(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    fake_tiktok: FakeTikTok,
    creator: FakeCreator,
) -> None:
    """The sign server failing is a refusal too: direct again, which works now."""
    fake_tiktok.faults.direct_handshake.once(faults.blocked(200, "not now"))
    fake_tiktok.faults.sign_fetch.once(SignReply(status=503, body=b""))
    creator.go_live()
    await setup_entry(hass, mock_config_entry)
    coordinator = coordinator_of(mock_config_entry)
    for _ in range(2):
        await coordinator.async_wait_idle()
        await advance(hass, 3)
    await connected(hass, fake_tiktok, creator)
    assert method_shown(hass) == "direct"
    assert len(fake_tiktok.requests_to(DIRECT_PATH)) == 2


async def test_both_ways_refused_back_off(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    fake_tiktok: FakeTikTok,
    creator: FakeCreator,
) -> None:
    """Both refuse: no ping-pong every few seconds, the failure's own back-off."""
    fake_tiktok.faults.direct_handshake.always(faults.blocked(200, "no"))
    fake_tiktok.faults.ws_handshake.always(faults.blocked(200, "no"))
    creator.go_live()
    await setup_entry(hass, mock_config_entry)
    coordinator = coordinator_of(mock_config_entry)
    await coordinator.async_wait_idle()
    await advance(hass, 3)
    await coordinator.async_wait_idle()
    attempts = len(fake_tiktok.requests_to("/ws")) + len(
        fake_tiktok.requests_to(DIRECT_PATH)
    )
    assert attempts == 2
    await advance(hass, 120)  # blocked: minutes, not seconds
    assert (
        len(fake_tiktok.requests_to("/ws")) + len(fake_tiktok.requests_to(DIRECT_PATH))
        == attempts
    )


async def test_one_way_only(
    hass: HomeAssistant, fake_tiktok: FakeTikTok, creator: FakeCreator
) -> None:
    """Direct only never asks the sign server, even when refused; sign server only the other way."""
    fake_tiktok.faults.direct_handshake.always(faults.blocked(200, "no"))
    creator.go_live()
    direct = make_entry(fake_tiktok, options={CONF_CONNECTION_METHOD: "direct"})
    await setup_entry(hass, direct)
    await coordinator_of(direct).async_wait_idle()
    await advance(hass, 400)
    await coordinator_of(direct).async_wait_idle()
    assert not fake_tiktok.sign_requests()
    assert len(fake_tiktok.requests_to(DIRECT_PATH)) == 2

    hass.config_entries.async_update_entry(
        direct, options={CONF_CONNECTION_METHOD: "sign_server"}
    )
    await hass.async_block_till_done()
    coordinator_of(direct).async_wake()
    await connected(hass, fake_tiktok, creator)
    assert method_shown(hass) == "sign_server"
    assert len(fake_tiktok.requests_to(DIRECT_PATH)) == 2


async def test_a_session_kept_for_tiktok_goes_direct(
    hass: HomeAssistant, fake_tiktok: FakeTikTok, creator: FakeCreator
) -> None:
    """A session not trusted to the sign server: Automatic connects directly, with it."""
    fake_tiktok.valid_session_ids.add("adult")
    creator.age_restricted = True
    creator.go_live()
    entry = make_entry(fake_tiktok, session_id="adult")
    await setup_entry(hass, entry)
    await connected(hass, fake_tiktok, creator)
    assert method_shown(hass) == "direct"
    assert not fake_tiktok.sign_requests()
    [ws] = fake_tiktok.requests_to(DIRECT_PATH)
    assert ws.cookies["sessionid"] == "adult"


async def test_diagnostics_show_the_ways(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    mock_config_entry: MockConfigEntry,
    fake_tiktok: FakeTikTok,
    creator: FakeCreator,
) -> None:
    """The setting, the way in use and the recent refusals per way.

    DEVICE_BLOCKED refuses a browser, not the way: the new browser goes
    direct again, and it is let in.
    """
    fake_tiktok.faults.direct_handshake.once(faults.device_blocked())
    creator.go_live()
    await setup_entry(hass, mock_config_entry)
    coordinator = coordinator_of(mock_config_entry)
    await coordinator.async_wait_idle()
    await advance(hass, 3)
    await connected(hass, fake_tiktok, creator)
    await fake_tiktok.push(creator, messages.comment(messages.user(1, "a", "A"), "x"))
    diagnostics = await get_diagnostics_for_config_entry(
        hass, hass_client, mock_config_entry
    )
    methods = diagnostics["connection_method"]
    assert methods["setting"] == "automatic"
    assert methods["in_use"] == "direct"
    assert not fake_tiktok.sign_requests()
    assert [r["error"] for r in methods["recent_refusals"]["direct"]] == [
        "WebcastDeviceBlockedError"
    ]
    assert methods["recent_refusals"]["sign_server"] == []


async def test_a_rate_limited_fallback_is_tried_when_its_wait_ends(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    fake_tiktok: FakeTikTok,
    creator: FakeCreator,
) -> None:
    """Direct refused, the sign server says "wait 30 s": back within that wait.

    Both ways failing made it wait the back-off of the direct refusal (5
    minutes and more), though the sign server had only asked for 30 s.
    """
    fake_tiktok.faults.direct_handshake.always(faults.blocked(200, "not here"))
    creator.go_live()
    await setup_entry(hass, mock_config_entry)
    coordinator = coordinator_of(mock_config_entry)
    await coordinator.async_wait_idle()
    await advance(hass, 3)
    await connected(hass, fake_tiktok, creator)
    assert method_shown(hass) == "sign_server"

    fake_tiktok.faults.sign_fetch.always(
        faults.rate_limited(remaining=0, reset=30, retry_after=30)
    )
    [socket] = fake_tiktok.open_sockets(creator)
    socket.drop()
    await fake_tiktok.wait_closed(socket)
    for _ in range(3):  # the sign server's 429, then direct, refused again
        await coordinator.async_wait_idle()
        await advance(hass, 3)
    assert not fake_tiktok.open_sockets(creator)
    fake_tiktok.faults.sign_fetch.clear()
    fake_tiktok.faults.direct_handshake.clear()
    await coordinator.async_wait_idle()
    await advance(hass, 40)  # past the sign server's wait (jittered)
    await connected(hass, fake_tiktok, creator, count=2)
    assert state(hass, CONNECTION) == "connected"


async def test_direct_instead_of_waiting_for_a_rate_limited_sign_server(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    fake_tiktok: FakeTikTok,
    creator: FakeCreator,
) -> None:
    """TikTok refused two browsers, the sign server says "wait a minute": direct
    again as a third browser within seconds, not after the sign server's wait."""
    fake_tiktok.faults.direct_handshake.once(
        faults.device_blocked(), faults.device_blocked()
    )
    fake_tiktok.faults.sign_fetch.always(
        faults.rate_limited(remaining=0, reset=60, retry_after=60)
    )
    creator.go_live()
    await setup_entry(hass, mock_config_entry)
    coordinator = coordinator_of(mock_config_entry)
    for _ in range(3):  # refused, refused as another browser, the 429
        await coordinator.async_wait_idle()
        await advance(hass, 3)
    await connected(hass, fake_tiktok, creator)
    assert method_shown(hass) == "direct"
    assert len(fake_tiktok.requests_to(DIRECT_PATH)) == 3
    assert len(fake_tiktok.sign_requests()) == 1
    user_agents = {
        r.headers["User-Agent"] for r in fake_tiktok.requests_to(DIRECT_PATH)
    }
    assert len(user_agents) == 3


async def test_direct_refused_outright_waits_for_the_sign_server(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    fake_tiktok: FakeTikTok,
    creator: FakeCreator,
) -> None:
    """TikTok refused the socket itself (not a browser): the sign server's wait is kept."""
    fake_tiktok.faults.direct_handshake.always(faults.blocked(200, "not here"))
    fake_tiktok.faults.sign_fetch.once(
        faults.rate_limited(remaining=0, reset=60, retry_after=60)
    )
    creator.go_live()
    await setup_entry(hass, mock_config_entry)
    coordinator = coordinator_of(mock_config_entry)
    for _ in range(3):
        await coordinator.async_wait_idle()
        await advance(hass, 3)
    assert len(fake_tiktok.requests_to(DIRECT_PATH)) == 1
    assert len(fake_tiktok.sign_requests()) == 1
    assert not fake_tiktok.open_sockets(creator)
    await coordinator.async_wait_idle()
    await advance(hass, 75)  # the sign server's wait (jittered only later)
    await connected(hass, fake_tiktok, creator)
    assert method_shown(hass) == "sign_server"
    assert len(fake_tiktok.requests_to(DIRECT_PATH)) == 1
