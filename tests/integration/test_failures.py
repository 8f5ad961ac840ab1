"""Every TikTok LIVE failure answered in Home Assistant: states, waits, repairs, reauth.

The fake TikTok injects each fault over loopback, transient and persistent.
Transient answers must change nothing a user sees; persistent ones show only
once they lasted the grace period, and the user is asked to act only on
evidence that survived a retry. Every issue and reauth goes away by itself
once its cause clears.
"""

from __future__ import annotations

from datetime import timedelta
import logging
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import EVENT_HOMEASSISTANT_STOP
from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
)
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.tiktok_live.const import (
    CONF_CONNECTION_METHOD,
    CONF_SESSION_ID,
    CONF_SIGN_API_KEY,
    DOMAIN,
)
from custom_components.tiktok_live.coordinator import TikTokLiveCoordinator
from custom_components.tiktok_live.failures import FailurePolicy, issue_id
from custom_components.tiktok_live.shared import async_acquire_gate
from custom_components.tiktok_live.webcast import AlreadyConnectedError
from tests.fake_tiktok import (
    ApiFault,
    FakeCreator,
    FakeTikTok,
    PageFault,
    RoomInfoFault,
    SignReply,
    WsReply,
    faults,
)

from .conftest import (
    CREATOR,
    advance,
    later,
    make_entry,
    setup_entry,
    state,
    wait_for_entry_state,
)

# These tests are about the sign server and TikTok's answers to a signed
# connection: the sign server's way only (test_methods.py covers the choice).
SIGN_SERVER_ONLY = {CONF_CONNECTION_METHOD: "sign_server"}

CONNECTION = "sensor.streamer_connection"
LIVE = "binary_sensor.streamer_live"
VIEWERS = "sensor.streamer_viewers"
GRACE = 5 * 60


@pytest.fixture
def mock_config_entry(fake_tiktok: FakeTikTok, creator: FakeCreator) -> MockConfigEntry:
    """The creator's entry, connecting through the sign server only."""
    return signed_entry(fake_tiktok)


def signed_entry(fake: FakeTikTok, **extra: Any) -> MockConfigEntry:
    """An entry of the creator that connects through the sign server only."""
    return make_entry(fake, options=dict(SIGN_SERVER_ONLY), **extra)


def issue(
    hass: HomeAssistant, entry: MockConfigEntry, key: str
) -> ir.IssueEntry | None:
    return ir.async_get(hass).async_get_issue(DOMAIN, issue_id(key, entry.entry_id))


def our_issues(hass: HomeAssistant) -> list[ir.IssueEntry]:
    return [i for i in ir.async_get(hass).issues.values() if i.domain == DOMAIN]


def reauth_flows(hass: HomeAssistant) -> list[dict[str, Any]]:
    return [
        dict(flow)
        for flow in hass.config_entries.flow.async_progress_by_handler(DOMAIN)
        if flow["context"]["source"] == "reauth"
    ]


def coordinator_of(entry: MockConfigEntry) -> TikTokLiveCoordinator:
    coordinator: TikTokLiveCoordinator = entry.runtime_data
    return coordinator


async def retry(hass: HomeAssistant, entry: MockConfigEntry, seconds: float) -> None:
    """Let the supervisor reach its wait (or stream), move the clock past it."""
    coordinator = coordinator_of(entry)
    await coordinator.async_wait_settled()
    await advance(hass, seconds)
    await coordinator.async_wait_settled()
    await advance(hass, 2)  # coalesced state writes


def count_changes(hass: HomeAssistant, entity_id: str) -> list[str]:
    """Every state the entity takes from now on."""
    seen: list[str] = []

    def _changed(event: Any) -> None:
        if event.data["entity_id"] == entity_id and event.data["new_state"]:
            seen.append(event.data["new_state"].state)

    hass.bus.async_listen("state_changed", _changed)
    return seen


async def fix_issue(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    entry: MockConfigEntry,
    key: str,
    steps: list[dict[str, Any]],
) -> dict[str, Any]:
    """Run a repair's fix flow through the HTTP API, as the frontend does."""
    assert await async_setup_component(hass, "repairs", {})
    client = await hass_client()
    response = await client.post(
        "/api/repairs/issues/fix",
        json={"handler": DOMAIN, "issue_id": issue_id(key, entry.entry_id)},
    )
    assert response.status == 200, await response.text()
    result: dict[str, Any] = await response.json()
    for step in steps:
        response = await client.post(
            f"/api/repairs/issues/fix/{result['flow_id']}", json=step
        )
        assert response.status == 200, await response.text()
        result = await response.json()
    return result


# --------------------------------------------------------------- offline


async def test_offline_is_not_a_failure(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    fake_tiktok: FakeTikTok,
    creator: FakeCreator,
) -> None:
    """UserOfflineError: Live off, waiting, light checks go on, no issue."""
    await setup_entry(hass, mock_config_entry)
    await retry(hass, mock_config_entry, 75)
    assert state(hass, LIVE) == "off"
    assert state(hass, CONNECTION) == "waiting_for_live"
    assert not our_issues(hass)
    paths = [r.path for r in fake_tiktok.requests]
    # The light answer each time; the LIVE page, the sign server: never.
    assert paths == ["/api-live/user/room/"] * len(paths)
    assert len(paths) >= 2


# -------------------------------------------------------- user not found


async def test_user_not_found_blip_changes_nothing(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    fake_tiktok: FakeTikTok,
    creator: FakeCreator,
) -> None:
    """One "not found" (api-live; the page a captcha): no issue, nothing shown, a retry later."""
    await setup_entry(hass, mock_config_entry)
    fake_tiktok.faults.room_api.once(ApiFault.USER_NOT_FOUND)
    fake_tiktok.faults.live_page.once(PageFault.NO_SIGI_STATE)
    changes = count_changes(hass, LIVE)
    await retry(hass, mock_config_entry, 75)
    assert issue(hass, mock_config_entry, "user_not_found") is None
    assert state(hass, CONNECTION) == "waiting_for_live"
    assert state(hass, LIVE) == "off"
    await retry(hass, mock_config_entry, 330)  # the next check finds the creator
    assert not our_issues(hass)
    assert changes == []


async def test_not_found_blip_as_the_stream_starts_costs_seconds(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    fake_tiktok: FakeTikTok,
    creator: FakeCreator,
) -> None:
    """The first "not found" is asked again after 15 s, not a minute: a blip as
    the creator goes live delays the stream by seconds; the next ones wait a minute."""
    await setup_entry(hass, mock_config_entry)
    creator.go_live(title="Stream", viewers=3)
    fake_tiktok.faults.room_api.once(ApiFault.USER_NOT_FOUND)
    fake_tiktok.faults.live_page.once(PageFault.NO_SIGI_STATE)
    await retry(hass, mock_config_entry, 75)  # the next offline check: "not found"
    assert state(hass, CONNECTION) == "waiting_for_live"
    assert not fake_tiktok.open_sockets(creator)
    await retry(hass, mock_config_entry, 19)  # 15 s, jittered only later
    await fake_tiktok.wait_connected(creator)
    assert state(hass, LIVE) == "on"

    # A creator who stays "not found" is asked once a minute after the first retry.
    await creator.end_stream()
    fake_tiktok.faults.room_api.always(ApiFault.USER_NOT_FOUND)
    fake_tiktok.faults.live_page.always(PageFault.NO_SIGI_STATE)
    coordinator = coordinator_of(mock_config_entry)
    await coordinator.async_wait_idle()
    checks = len(fake_tiktok.requests_to("/api-live/user/room/"))
    await retry(hass, mock_config_entry, 75)  # offline: the next check, "not found"
    await retry(hass, mock_config_entry, 19)  # the quick retry: "not found" again
    assert len(fake_tiktok.requests_to("/api-live/user/room/")) == checks + 2
    await retry(hass, mock_config_entry, 19)  # now a minute: not yet
    assert len(fake_tiktok.requests_to("/api-live/user/room/")) == checks + 2
    assert issue(hass, mock_config_entry, "user_not_found") is None


async def test_user_not_found_by_two_sources_at_runtime(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    mock_config_entry: MockConfigEntry,
    fake_tiktok: FakeTikTok,
    creator: FakeCreator,
) -> None:
    """api-live and the LIVE page agree: a fixable issue, rare checks, the new handle fixes it."""
    await setup_entry(hass, mock_config_entry)
    fake_tiktok.creators = {}  # the handle is gone
    await retry(hass, mock_config_entry, 75)
    found = issue(hass, mock_config_entry, "user_not_found")
    assert found is not None
    assert found.is_fixable
    assert found.severity is ir.IssueSeverity.ERROR
    assert found.translation_placeholders == {
        "entry_title": "@streamer",
        "creator": "@streamer",
    }
    assert state(hass, CONNECTION) == "error"
    assert state(hass, LIVE) == "unavailable"
    asked = len(fake_tiktok.requests)
    await advance(hass, 20 * 60)  # checks go on, but rarely
    assert len(fake_tiktok.requests) == asked

    creator.unique_id = "streamer_new"
    fake_tiktok.creators = {"streamer_new": creator}
    result = await fix_issue(
        hass, hass_client, mock_config_entry, "user_not_found", [{"creator": "@nobody"}]
    )
    assert result["errors"] == {"base": "user_not_found"}
    fake_tiktok.add_creator("someone_else", user_id=1)
    result = await fix_issue(
        hass,
        hass_client,
        mock_config_entry,
        "user_not_found",
        [{"creator": "@someone_else"}],
    )
    assert result["errors"] == {"creator": "wrong_account"}
    result = await fix_issue(
        hass,
        hass_client,
        mock_config_entry,
        "user_not_found",
        [{"creator": "@streamer_new"}],
    )
    assert result["type"] == "create_entry"
    await hass.async_block_till_done()
    assert mock_config_entry.title == "@streamer_new"
    assert mock_config_entry.state is ConfigEntryState.LOADED
    assert not our_issues(hass)


async def test_user_not_found_repeated_over_30_minutes(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    mock_config_entry: MockConfigEntry,
    fake_tiktok: FakeTikTok,
    creator: FakeCreator,
) -> None:
    """One source only (the page a captcha): the issue once it repeats over 30 minutes."""
    await setup_entry(hass, mock_config_entry)
    fake_tiktok.faults.room_api.always(ApiFault.USER_NOT_FOUND)
    fake_tiktok.faults.live_page.always(PageFault.NO_SIGI_STATE)
    await later(hass, freezer, mock_config_entry, 75)
    for _ in range(5):  # every 5 minutes: 25 minutes of the same answer
        assert issue(hass, mock_config_entry, "user_not_found") is None
        await later(hass, freezer, mock_config_entry, 6 * 60)
    await later(hass, freezer, mock_config_entry, 6 * 60)
    assert issue(hass, mock_config_entry, "user_not_found") is not None
    assert state(hass, CONNECTION) == "error"

    # The creator comes back by itself: the next rare check picks it up.
    fake_tiktok.faults.clear()
    await later(hass, freezer, mock_config_entry, 36 * 60)
    assert not our_issues(hass)
    assert state(hass, CONNECTION) == "waiting_for_live"
    assert state(hass, LIVE) == "off"


async def test_user_not_found_at_setup_is_retried(
    hass: HomeAssistant, fake_tiktok: FakeTikTok, creator: FakeCreator
) -> None:
    """One source at setup: ConfigEntryNotReady (Home Assistant retries), no issue."""
    fake_tiktok.faults.room_api.once(ApiFault.USER_NOT_FOUND)
    fake_tiktok.faults.live_page.once(PageFault.NO_SIGI_STATE)
    entry = signed_entry(fake_tiktok)
    await setup_entry(hass, entry)
    assert entry.state is ConfigEntryState.SETUP_RETRY
    assert "captcha" in str(entry.reason)
    assert not our_issues(hass)
    await advance(hass, 10)  # Home Assistant's own setup retry
    await wait_for_entry_state(entry, ConfigEntryState.LOADED)
    assert not our_issues(hass)


async def test_user_not_found_at_setup_confirmed_keeps_checking(
    hass: HomeAssistant, fake_tiktok: FakeTikTok
) -> None:
    """Two sources at setup: loaded with the issue (never a setup error); the creator coming back clears it."""
    entry = signed_entry(fake_tiktok)
    await setup_entry(hass, entry)
    assert entry.state is ConfigEntryState.LOADED
    assert issue(hass, entry, "user_not_found") is not None
    assert state(hass, CONNECTION) == "error"
    asked = len(fake_tiktok.requests)
    await advance(hass, 600)
    assert len(fake_tiktok.requests) == asked
    fake_tiktok.add_creator(CREATOR, user_id=6_900_000_000_000_000_001)
    await retry(hass, entry, 40 * 60)
    assert not our_issues(hass)
    assert state(hass, CONNECTION) == "waiting_for_live"


# -------------------------------------------------------- room info, age


async def test_withheld_room_info_never_blocks(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    fake_tiktok: FakeTikTok,
    creator: FakeCreator,
) -> None:
    """{"data":{"prompts":""},"status_code":4003110} on every room info: connected, no reauth."""
    fake_tiktok.faults.room_info.always(RoomInfoFault.PROMPTS)
    creator.go_live(title="Captcha day")
    await setup_entry(hass, mock_config_entry)
    await fake_tiktok.wait_connected(creator)
    await advance(hass, 2)
    assert state(hass, CONNECTION) == "connected"
    assert state(hass, LIVE) == "on"
    # The title came from the light answer instead.
    assert state(hass, "sensor.streamer_stream_title") == "Captcha day"
    assert not reauth_flows(hass)
    assert not our_issues(hass)


async def test_age_restriction_needs_evidence_that_survives_a_retry(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    mock_config_entry: MockConfigEntry,
    fake_tiktok: FakeTikTok,
    creator: FakeCreator,
) -> None:
    """Refused with TikTok's age prompt: a reauth only once it still is so 5 minutes later."""
    creator.go_live(title="18+")
    creator.age_restricted = True
    await setup_entry(hass, mock_config_entry)
    started = dt_util.utcnow()
    await later(hass, freezer, mock_config_entry, 0)
    assert not reauth_flows(hass)
    assert state(hass, CONNECTION) == "connecting"
    assert state(hass, LIVE) == "on"
    attempts = len(fake_tiktok.requests_to("/ws"))
    await later(hass, freezer, mock_config_entry, 90)
    assert len(fake_tiktok.requests_to("/ws")) == attempts  # no hammering
    for _ in range(5):
        await later(hass, freezer, mock_config_entry, 150)
        if reauth_flows(hass):
            break
        # Until confirmed, users see an attempt going on, nothing to do.
        assert state(hass, CONNECTION) == "connecting"
    assert dt_util.utcnow() - started >= timedelta(minutes=5)
    # One attempt every two minutes or so, not more.
    assert len(fake_tiktok.requests_to("/ws")) - attempts <= 3
    [flow] = reauth_flows(hass)
    assert flow["step_id"] == "reauth_session"
    assert state(hass, CONNECTION) == "auth_required"

    fake_tiktok.valid_session_ids.add("adult-session")
    result = await hass.config_entries.flow.async_configure(
        flow["flow_id"], {CONF_SESSION_ID: "adult-session", "trust_sign_server": True}
    )
    assert result["reason"] == "reauth_successful"
    await hass.async_block_till_done()
    await fake_tiktok.wait_connected(creator)
    assert "sessionid=adult-session" in str(
        fake_tiktok.sign_requests()[-1].header("x-cookie-header")
    )


async def test_reauth_is_dismissed_when_the_cause_clears(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    mock_config_entry: MockConfigEntry,
    fake_tiktok: FakeTikTok,
    creator: FakeCreator,
) -> None:
    """The restriction lifts by itself: the reauth flow and Home Assistant's notice go."""
    creator.go_live()
    creator.age_restricted = True
    await setup_entry(hass, mock_config_entry)
    await later(hass, freezer, mock_config_entry, 0)
    await later(hass, freezer, mock_config_entry, 6 * 60)
    assert reauth_flows(hass)
    notice = f"config_entry_reauth_{DOMAIN}_{mock_config_entry.entry_id}"
    assert ir.async_get(hass).async_get_issue("homeassistant", notice) is not None

    creator.age_restricted = False
    await later(hass, freezer, mock_config_entry, 31 * 60)
    await fake_tiktok.wait_connected(creator)
    await hass.async_block_till_done()
    assert not reauth_flows(hass)
    assert ir.async_get(hass).async_get_issue("homeassistant", notice) is None
    await later(hass, freezer, mock_config_entry, 2)
    assert state(hass, CONNECTION) == "connected"


async def test_session_rejected_leads_to_the_session_reauth(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    fake_tiktok: FakeTikTok,
    creator: FakeCreator,
) -> None:
    """ "illegal secret key" on a session-signed socket, twice 5 minutes apart: reauth for the session."""
    entry = signed_entry(
        fake_tiktok, session_id="stale", session_trusted_host="127.0.0.1"
    )
    fake_tiktok.faults.ws_handshake.always(faults.blocked(200, "illegal secret key"))
    creator.go_live()
    await setup_entry(hass, entry)
    await later(hass, freezer, entry, 0)
    assert not reauth_flows(hass)
    await later(hass, freezer, entry, 6 * 60)
    [flow] = reauth_flows(hass)
    assert flow["step_id"] == "reauth_session_rejected"


# ------------------------------------------------------------ rate limits


async def test_rate_limited_as_euler_answers(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    fake_tiktok: FakeTikTok,
    creator: FakeCreator,
) -> None:
    """RateLimit-Remaining 0 with Retry-After: wait Retry-After, never the count."""
    fake_tiktok.faults.sign_fetch.once(faults.rate_limited(retry_after=120))
    creator.go_live()
    await setup_entry(hass, mock_config_entry)
    await retry(hass, mock_config_entry, 0)
    attempts = len(fake_tiktok.sign_requests())
    assert state(hass, CONNECTION) == "connecting"  # not shown before the grace
    assert issue(hass, mock_config_entry, "rate_limited") is None
    await advance(hass, 119)
    assert len(fake_tiktok.sign_requests()) == attempts
    await advance(hass, 150)  # 120 s, jittered only ever later
    await fake_tiktok.wait_connected(creator)
    assert len(fake_tiktok.sign_requests()) == attempts + 1
    assert not our_issues(hass)


@pytest.mark.parametrize("retry_after", [0, 1])
async def test_rate_limit_floor(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    fake_tiktok: FakeTikTok,
    creator: FakeCreator,
    retry_after: int,
) -> None:
    """ "Try again in 0 seconds" is not an invitation: at least about 30 s."""
    fake_tiktok.faults.sign_fetch.once(faults.rate_limited(retry_after=retry_after))
    creator.go_live()
    await setup_entry(hass, mock_config_entry)
    await retry(hass, mock_config_entry, 0)
    attempts = len(fake_tiktok.sign_requests())
    await advance(hass, 29)
    assert len(fake_tiktok.sign_requests()) == attempts
    await advance(hass, 40)
    await fake_tiktok.wait_connected(creator)


async def test_repeated_rate_limits_back_off_further_and_show_after_grace(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    fake_tiktok: FakeTikTok,
    creator: FakeCreator,
) -> None:
    """Each 429 in a row doubles the wait; the issue (with a time, never "0 seconds") once it lasts."""
    fake_tiktok.faults.sign_fetch.always(faults.rate_limited(retry_after=60))
    creator.go_live()
    await setup_entry(hass, mock_config_entry)
    coordinator = coordinator_of(mock_config_entry)
    waits = []
    for _ in range(3):
        await coordinator.async_wait_idle()
        next_attempt = coordinator.supervisor.next_attempt
        assert next_attempt is not None
        waits.append(next_attempt)
        await retry(hass, mock_config_entry, 60 * 2 ** len(waits) * 1.25)
    assert len(fake_tiktok.sign_requests()) == 4
    found = issue(hass, mock_config_entry, "rate_limited")
    assert found is not None
    assert found.translation_key == "rate_limited"
    assert ":" in found.translation_placeholders["retry_at"]
    assert state(hass, CONNECTION) == "rate_limited"

    fake_tiktok.faults.clear()
    await retry(hass, mock_config_entry, 60 * 16 * 1.25)
    await fake_tiktok.wait_connected(creator)
    await advance(hass, 2)
    assert state(hass, CONNECTION) == "connected"
    assert not our_issues(hass)


async def test_a_rate_limit_that_ended_is_never_shown(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    mock_config_entry: MockConfigEntry,
    fake_tiktok: FakeTikTok,
    creator: FakeCreator,
) -> None:
    """A 429, then for minutes an answer still to confirm: the rate limit is not what shows."""
    fake_tiktok.faults.sign_fetch.once(faults.rate_limited(retry_after=60))
    creator.go_live()
    creator.age_restricted = True
    await setup_entry(hass, mock_config_entry)
    for _ in range(4):  # past the grace, before the age prompt is confirmed
        await later(hass, freezer, mock_config_entry, 77)
    assert issue(hass, mock_config_entry, "rate_limited") is None
    assert state(hass, CONNECTION) == "error"
    assert not reauth_flows(hass)


async def test_rate_limited_with_a_key(
    hass: HomeAssistant, fake_tiktok: FakeTikTok, creator: FakeCreator
) -> None:
    """With a key, the issue does not suggest getting one."""
    entry = signed_entry(fake_tiktok, sign_api_key="paid-key")
    fake_tiktok.faults.sign_fetch.always(faults.rate_limited(retry_after=400))
    creator.go_live()
    await setup_entry(hass, entry)
    await retry(hass, entry, GRACE)
    found = issue(hass, entry, "rate_limited")
    assert found is not None
    assert found.translation_key == "rate_limited_with_key"


async def test_a_rate_limit_holds_every_entry_of_the_sign_server(
    hass: HomeAssistant, fake_tiktok: FakeTikTok
) -> None:
    """Three creators on one sign server: one 429 holds the others back until the wait ends."""
    entries = []
    for n in range(3):
        creator = fake_tiktok.add_creator(f"creator_{n}", user_id=100 + n)
        creator.go_live()
        entry = MockConfigEntry(
            domain=DOMAIN,
            title=f"@creator_{n}",
            unique_id=str(100 + n),
            data={**signed_entry(fake_tiktok).data, "unique_id": f"creator_{n}"},
            options=dict(SIGN_SERVER_ONLY),
            minor_version=2,
        )
        entries.append(entry)
    fake_tiktok.faults.sign_fetch.once(faults.rate_limited(retry_after=300))
    await setup_entry(hass, entries[0])
    await coordinator_of(entries[0]).async_wait_idle()
    assert len(fake_tiktok.sign_requests()) == 1
    for entry in entries[1:]:
        await setup_entry(hass, entry)
        await coordinator_of(entry).async_wait_idle()
    await advance(hass, 200)
    assert len(fake_tiktok.sign_requests()) == 1  # the others waited too
    await advance(hass, 400)
    for n in range(3):
        await fake_tiktok.wait_connected(fake_tiktok.creators[f"creator_{n}"])
    assert len(fake_tiktok.sign_requests()) == 4


# ------------------------------------------------------- blocks, devices


async def test_device_blocked_retries_within_seconds(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    fake_tiktok: FakeTikTok,
    creator: FakeCreator,
) -> None:
    """DEVICE_BLOCKED: a fresh ttwid and User-Agent, another try in seconds; nothing shown."""
    fake_tiktok.faults.ws_handshake.once(faults.device_blocked())
    creator.go_live()
    changes = count_changes(hass, CONNECTION)
    await setup_entry(hass, mock_config_entry)
    await retry(hass, mock_config_entry, 3)
    await fake_tiktok.wait_connected(creator)
    first, second = fake_tiktok.requests_to("/ws")
    assert first.header("User-Agent") != second.header("User-Agent")
    assert "blocked" not in changes
    assert not our_issues(hass)


@pytest.mark.parametrize(
    "fault",
    [
        {"sign_reply": SignReply(cursor=False)},
        {"sign_reply": SignReply(push_server=False)},
        {"ws_reply": WsReply(status=200, handshake_msg="illegal secret key")},
    ],
    ids=["initial_cursor_missing", "websocket_url_missing", "webcast_blocked"],
)
async def test_blocked(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    fake_tiktok: FakeTikTok,
    creator: FakeCreator,
    fault: dict[str, Any],
) -> None:
    """Blocked: long back-off, shown after the grace, an issue after 3 refusals, gone after a success."""
    for attribute, value in fault.items():
        setattr(fake_tiktok, attribute, value)
    creator.go_live()
    await setup_entry(hass, mock_config_entry)
    await retry(hass, mock_config_entry, 0)
    assert state(hass, CONNECTION) == "connecting"
    assert state(hass, LIVE) == "on"
    attempts = len(fake_tiktok.sign_requests())
    await advance(hass, 200)  # blocked back-off starts at 5 minutes
    assert len(fake_tiktok.sign_requests()) == attempts
    await retry(hass, mock_config_entry, 400)
    assert state(hass, CONNECTION) == "blocked"
    assert state(hass, LIVE) == "on"  # the checks still say live
    assert state(hass, VIEWERS) == "unavailable"
    assert issue(hass, mock_config_entry, "blocked") is None
    await retry(hass, mock_config_entry, 800)
    found = issue(hass, mock_config_entry, "blocked")
    assert found is not None
    assert found.translation_placeholders["failures"] == "3"
    assert not found.is_fixable

    fake_tiktok.sign_reply = None
    fake_tiktok.ws_reply = None
    await advance(hass, 1500)
    await fake_tiktok.wait_connected(creator)
    await advance(hass, 2)
    assert state(hass, CONNECTION) == "connected"
    assert issue(hass, mock_config_entry, "blocked") is None


# ---------------------------------------------------------- sign server


@pytest.mark.parametrize(
    "reply",
    [
        SignReply(status=503, body=b""),
        SignReply(status=500, body=b'{"message":"down"}'),
        SignReply(cookie=False),
        SignReply(
            status=200, body=b"\x0a\xff\xff", headers={"X-Set-TT-Cookie": "ttwid=1"}
        ),
        faults.fallback_push_host(),
    ],
    ids=[
        "empty_payload",
        "sign_not_200",
        "empty_cookies",
        "unexpected_signature",
        "fallback_push_host",
    ],
)
async def test_sign_server_failures_back_off(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    fake_tiktok: FakeTikTok,
    creator: FakeCreator,
    reply: SignReply,
) -> None:
    """Transient: back-off (2, 4, 8 ... s); shown and an issue only once it lasted."""
    fake_tiktok.sign_reply = reply
    creator.go_live()
    await setup_entry(hass, mock_config_entry)
    for seconds in (3, 6, 11, 21):  # attempts 2 to 5, within the grace
        await retry(hass, mock_config_entry, seconds)
        assert state(hass, CONNECTION) == "connecting"
        assert state(hass, VIEWERS) != "unavailable"
    assert len(fake_tiktok.sign_requests()) == 5
    assert issue(hass, mock_config_entry, "sign_server_unavailable") is None
    await retry(hass, mock_config_entry, GRACE)
    found = issue(hass, mock_config_entry, "sign_server_unavailable")
    assert found is not None
    assert found.severity is ir.IssueSeverity.WARNING
    assert state(hass, CONNECTION) == "error"

    fake_tiktok.sign_reply = None
    await advance(hass, 400)
    await fake_tiktok.wait_connected(creator)
    await advance(hass, 2)
    assert state(hass, CONNECTION) == "connected"
    assert not our_issues(hass)


async def test_sign_server_legacy_layout(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    fake_tiktok: FakeTikTok,
    creator: FakeCreator,
) -> None:
    """A sign server without the current paths: the legacy one, learnt once."""
    fake_tiktok.sign_layout = "legacy"
    creator.go_live()
    await setup_entry(hass, mock_config_entry)
    await fake_tiktok.wait_connected(creator)
    await fake_tiktok.inject(creator, faults.drop())
    await retry(hass, mock_config_entry, 3)
    await fake_tiktok.wait_connected(creator, count=2)
    paths = [r.path for r in fake_tiktok.sign_requests()]
    room_id = creator.last_room.room_id  # type: ignore[union-attr]
    assert paths == [
        f"/sign/webcast/rooms/{room_id}/connect",
        "/sign/webcast/fetch",
        "/sign/webcast/fetch",
    ]


async def test_premium_endpoint_takes_a_key(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    freezer: FrozenDateTimeFactory,
    mock_config_entry: MockConfigEntry,
    fake_tiktok: FakeTikTok,
    creator: FakeCreator,
) -> None:
    """PremiumEndpointError twice a few minutes apart: a fixable issue that stores a key."""
    fake_tiktok.required_api_key = "premium-key"
    creator.go_live()
    await setup_entry(hass, mock_config_entry)
    await later(hass, freezer, mock_config_entry, 0)
    assert issue(hass, mock_config_entry, "premium_required") is None
    await later(hass, freezer, mock_config_entry, 3 * 60)
    found = issue(hass, mock_config_entry, "premium_required")
    assert found is not None
    assert found.is_fixable
    result = await fix_issue(
        hass,
        hass_client,
        mock_config_entry,
        "premium_required",
        [{CONF_SIGN_API_KEY: "nope"}],
    )
    assert result["errors"] == {"base": "invalid_api_key"}
    result = await fix_issue(
        hass,
        hass_client,
        mock_config_entry,
        "premium_required",
        [{CONF_SIGN_API_KEY: "premium-key"}],
    )
    assert result["type"] == "create_entry"
    await hass.async_block_till_done()
    await fake_tiktok.wait_connected(creator)
    assert mock_config_entry.data[CONF_SIGN_API_KEY] == "premium-key"
    assert not our_issues(hass)


@pytest.mark.parametrize("choice", ["trust_sign_server", "remove_session"])
async def test_session_not_trusted(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    fake_tiktok: FakeTikTok,
    creator: FakeCreator,
    choice: str,
) -> None:
    """AuthenticatedWebSocketConnectionError: opt in for the server, or drop the session."""
    entry = signed_entry(fake_tiktok, session_id="my-session")
    creator.go_live()
    await setup_entry(hass, entry)
    await retry(hass, entry, 0)
    found = issue(hass, entry, "session_not_trusted")
    assert found is not None
    assert found.is_fixable
    assert not fake_tiktok.sign_requests()
    steps: list[dict[str, Any]] = [{"next_step_id": choice}]
    if choice == "trust_sign_server":
        steps.append({})
    result = await fix_issue(hass, hass_client, entry, "session_not_trusted", steps)
    assert result["type"] == "create_entry"
    await hass.async_block_till_done()
    await fake_tiktok.wait_connected(creator)
    [sign] = fake_tiktok.sign_requests()
    if choice == "trust_sign_server":
        assert "sessionid=my-session" in str(sign.header("x-cookie-header"))
    else:
        assert sign.header("x-cookie-header") is None
        assert CONF_SESSION_ID not in entry.data
    assert not our_issues(hass)


async def test_invalid_api_key_starts_reauth_once_confirmed(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    fake_tiktok: FakeTikTok,
    creator: FakeCreator,
) -> None:
    """401 with a key, again minutes later: reauth for the key; a valid one connects."""
    fake_tiktok.required_api_key = "new-key"
    entry = signed_entry(fake_tiktok, sign_api_key="old-key")
    creator.go_live()
    await setup_entry(hass, entry)
    await later(hass, freezer, entry, 0)
    assert not reauth_flows(hass)
    await later(hass, freezer, entry, 3 * 60)
    assert state(hass, CONNECTION) == "auth_required"
    [flow] = reauth_flows(hass)
    assert flow["step_id"] == "reauth_api_key"
    result = await hass.config_entries.flow.async_configure(
        flow["flow_id"], {CONF_SIGN_API_KEY: "new-key"}
    )
    assert result["reason"] == "reauth_successful"
    await hass.async_block_till_done()
    await fake_tiktok.wait_connected(creator)


async def test_already_connected_guard(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The bug guard: a refused second connection backs off and says so."""
    mock_config_entry.add_to_hass(hass)
    gate, _watch, release = async_acquire_gate(
        hass, mock_config_entry.entry_id, "x", None
    )
    policy = FailurePolicy(hass, mock_config_entry, gate, changed=lambda: None)
    outcome = policy.failed(AlreadyConnectedError("second"))
    assert outcome.state == "reconnecting"
    assert 1 <= outcome.delay <= 3
    assert "second connection" in caplog.text
    policy.shutdown()
    release()


async def test_logs_once_when_unreachable_and_once_when_back(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    fake_tiktok: FakeTikTok,
    creator: FakeCreator,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """One line when it breaks, one when it is back, none per retry."""
    fake_tiktok.sign_reply = SignReply(status=503, body=b"")
    creator.go_live()
    await setup_entry(hass, mock_config_entry)
    for seconds in (3, 6, 11):
        await retry(hass, mock_config_entry, seconds)
    fake_tiktok.sign_reply = None
    await advance(hass, 25)
    await fake_tiktok.wait_connected(creator)
    ours = [
        r
        for r in caplog.records
        if r.name.startswith("custom_components.tiktok_live")
        and r.levelno >= logging.INFO
    ]
    assert [r.levelname for r in ours] == ["WARNING", "INFO"]
    assert "unreachable" in ours[0].getMessage()
    assert "reachable again" in ours[1].getMessage()


async def test_unload_after_stop_is_quiet(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    fake_tiktok: FakeTikTok,
    creator: FakeCreator,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Home Assistant stops, then the entry unloads: no "unknown job listener" error."""
    creator.go_live()
    await setup_entry(hass, mock_config_entry)
    await fake_tiktok.wait_connected(creator)
    hass.bus.async_fire(EVENT_HOMEASSISTANT_STOP)
    await hass.async_block_till_done()
    assert coordinator_of(mock_config_entry).shutting_down
    assert await hass.config_entries.async_unload(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    assert "Unable to remove unknown job listener" not in caplog.text
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


SECRET_SESSION = "SESSION-5ecret-d0-not-leak"
SECRET_KEY = "KEY-5ecret-d0-not-leak"


async def test_secrets_never_leak(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    fake_tiktok: FakeTikTok,
    creator: FakeCreator,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Every fault with a session and a key set: neither string is anywhere."""
    caplog.set_level(logging.DEBUG)
    entry = signed_entry(
        fake_tiktok,
        session_id=SECRET_SESSION,
        sign_api_key=SECRET_KEY,
        session_trusted_host="127.0.0.1",
    )
    creator.go_live()
    creator.age_restricted = True
    await setup_entry(hass, entry)
    await retry(hass, entry, 0)  # age restricted: evidence gathered
    creator.age_restricted = False
    coordinator = coordinator_of(entry)
    fake_tiktok.required_api_key = "another-key"
    coordinator.async_wake()
    await retry(hass, entry, 0)  # key rejected
    fake_tiktok.required_api_key = None
    faults_: list[SignReply | WsReply] = [
        SignReply(status=429, body=b'{"message":"slow"}'),
        SignReply(status=503, body=b""),
        SignReply(status=500, body=b"{}"),
        SignReply(status=402, body=b'{"message":"premium"}'),
        SignReply(cookie=False),
        SignReply(cursor=False),
        SignReply(push_server=False),
        SignReply(status=200, body=b"\x0a\xff", headers={"X-Set-TT-Cookie": "ttwid=1"}),
        WsReply(status=200, handshake_msg="illegal secret key"),
        faults.fallback_push_host(),
        faults.device_blocked(),
    ]
    recorded: set[str] = set()
    for fault in faults_:
        if isinstance(fault, SignReply):
            fake_tiktok.sign_replies.append(fault)
        else:
            fake_tiktok.ws_replies.append(fault)
        for socket in fake_tiktok.open_sockets(creator):
            socket.drop()
            await fake_tiktok.wait_closed(socket)
        await coordinator.async_wait_idle()
        coordinator.async_wake()
        await retry(hass, entry, 0)
        recorded.update(err.error for err in coordinator.failures.errors)
        # A 429 holds the sign server: let the hold end.
        await retry(hass, entry, 130)
    diagnostics = await get_diagnostics_for_config_entry(hass, hass_client, entry)

    texts = [record.getMessage() for record in caplog.records]
    texts += [str(record.exc_info[1]) for record in caplog.records if record.exc_info]
    texts += [repr(coordinator.client), str(diagnostics)]
    texts += [err.message for err in coordinator.failures.errors]
    for found in our_issues(hass):
        texts.append(str(found.translation_placeholders))
        texts.append(str(found.data))
    texts += [
        str(flow) for flow in hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    ]
    assert "SignatureRateLimitError" in recorded
    assert "WebcastSessionRejectedError" in recorded
    assert "WebcastPushHostError" in recorded
    assert "WebcastDeviceBlockedError" in recorded
    joined = "\n".join(texts)
    assert SECRET_SESSION not in joined
    assert SECRET_KEY not in joined
    assert diagnostics["entry"]["data"][CONF_SIGN_API_KEY] == "**REDACTED**"
    assert diagnostics["entry"]["data"][CONF_SESSION_ID] == "**REDACTED**"


async def test_a_bug_is_logged_once(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    creator: FakeCreator,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """An unexpected error at every check: one traceback, not one per retry."""
    await setup_entry(hass, mock_config_entry)
    client = coordinator_of(mock_config_entry).client

    async def _broken(_unique_id: str) -> None:
        raise RuntimeError("a bug")

    monkeypatch.setattr(client, "check_live", _broken)
    for _ in range(3):
        await retry(hass, mock_config_entry, 75)
    tracebacks = [r for r in caplog.records if r.exc_info]
    assert len(tracebacks) == 1
    assert "Unexpected error checking @streamer" in tracebacks[0].getMessage()
