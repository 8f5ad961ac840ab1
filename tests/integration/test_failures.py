"""Every TikTok LIVE error answered in Home Assistant: states, repairs, reauth, back-off.

The fake TikTok injects each fault over loopback; each test asserts the
Connection state, the issue registry or the reauth flow, then clears the fault
and asserts recovery and that the issue is gone.
"""

from __future__ import annotations

import logging
from typing import Any

from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.tiktok_live.const import (
    CONF_SESSION_ID,
    CONF_SIGN_API_KEY,
    DOMAIN,
)
from custom_components.tiktok_live.coordinator import TikTokLiveCoordinator
from custom_components.tiktok_live.failures import FailureTracker, issue_id
from custom_components.tiktok_live.webcast import AlreadyConnectedError
from tests.fake_tiktok import FakeCreator, FakeTikTok, SignReply, WsReply

from .conftest import (
    CREATOR,
    advance,
    make_entry,
    setup_entry,
    state,
)

CONNECTION = "sensor.streamer_connection"
LIVE = "binary_sensor.streamer_live"


def issue(
    hass: HomeAssistant, entry: MockConfigEntry, key: str
) -> ir.IssueEntry | None:
    return ir.async_get(hass).async_get_issue(DOMAIN, issue_id(key, entry.entry_id))


def our_issues(hass: HomeAssistant) -> list[ir.IssueEntry]:
    return [i for i in ir.async_get(hass).issues.values() if i.domain == DOMAIN]


async def retry(hass: HomeAssistant, entry: MockConfigEntry, seconds: float) -> None:
    """Let the supervisor reach its wait, then move the clock past it."""
    coordinator: TikTokLiveCoordinator = entry.runtime_data
    await coordinator.async_wait_idle()
    await advance(hass, seconds)
    await coordinator.async_wait_idle()
    await advance(hass, 2)  # coalesced state writes


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


async def test_offline_is_not_a_failure(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    fake_tiktok: FakeTikTok,
    creator: FakeCreator,
) -> None:
    """UserOfflineError: Live off, waiting, polling goes on, no issue."""
    await setup_entry(hass, mock_config_entry)
    await retry(hass, mock_config_entry, 75)
    assert state(hass, LIVE) == "off"
    assert state(hass, CONNECTION) == "waiting_for_live"
    assert not our_issues(hass)
    pages = [r for r in fake_tiktok.requests if r.path == f"/@{CREATOR}/live"]
    assert len(pages) >= 2


async def test_user_not_found_at_runtime(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    mock_config_entry: MockConfigEntry,
    fake_tiktok: FakeTikTok,
    creator: FakeCreator,
) -> None:
    """Renamed away: a fixable issue that takes the new handle; TikTok is not hammered."""
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
    asked = len(fake_tiktok.requests)
    await advance(hass, 3600)
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


async def test_user_not_found_at_setup(
    hass: HomeAssistant, fake_tiktok: FakeTikTok
) -> None:
    """At setup: a setup error (no retry loop) and the same fixable issue."""
    entry = make_entry(fake_tiktok)
    await setup_entry(hass, entry)
    assert entry.state is ConfigEntryState.SETUP_ERROR
    assert issue(hass, entry, "user_not_found") is not None
    asked = len(fake_tiktok.requests)
    await advance(hass, 600)
    assert len(fake_tiktok.requests) == asked


async def test_age_restricted_asks_for_a_session(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    fake_tiktok: FakeTikTok,
    creator: FakeCreator,
) -> None:
    """AgeRestrictedError: reauth for a session; with a valid one the stream connects."""
    creator.go_live(title="18+")
    creator.age_restricted = True
    await setup_entry(hass, mock_config_entry)
    await retry(hass, mock_config_entry, 0)
    assert state(hass, CONNECTION) == "auth_required"
    assert state(hass, LIVE) == "unavailable"
    [flow] = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert flow["context"]["source"] == "reauth"
    assert flow["step_id"] == "reauth_session"

    fake_tiktok.valid_session_ids.add("adult-session")
    result = await hass.config_entries.flow.async_configure(
        flow["flow_id"], {CONF_SESSION_ID: "adult-session", "trust_sign_server": True}
    )
    assert result["reason"] == "reauth_successful"
    await hass.async_block_till_done()
    await fake_tiktok.wait_connected(creator)
    await advance(hass, 2)
    assert state(hass, CONNECTION) == "connected"
    assert fake_tiktok.sign_requests()[-1].query["session_id"] == "adult-session"


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
    """Blocked: long back-off, an issue after 3 failures, gone after a success."""
    for attribute, value in fault.items():
        setattr(fake_tiktok, attribute, value)
    creator.go_live()
    await setup_entry(hass, mock_config_entry)
    await retry(hass, mock_config_entry, 0)
    assert state(hass, CONNECTION) == "blocked"
    assert issue(hass, mock_config_entry, "blocked") is None
    attempts = len(fake_tiktok.sign_requests())
    await advance(hass, 200)  # blocked back-off starts at 5 minutes
    assert len(fake_tiktok.sign_requests()) == attempts
    await retry(hass, mock_config_entry, 400)
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


@pytest.mark.parametrize(
    "reply",
    [
        SignReply(status=503, body=b""),
        SignReply(status=500, body=b'{"message":"down"}'),
        SignReply(cookie=False),
        SignReply(
            status=200, body=b"\x0a\xff\xff", headers={"X-Set-TT-Cookie": "ttwid=1"}
        ),
    ],
    ids=["empty_payload", "sign_not_200", "empty_cookies", "unexpected_signature"],
)
async def test_sign_server_failures_back_off(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    fake_tiktok: FakeTikTok,
    creator: FakeCreator,
    reply: SignReply,
) -> None:
    """Transient: back-off (2, 4, 8 ... s); an issue only once it persists."""
    fake_tiktok.sign_reply = reply
    creator.go_live()
    await setup_entry(hass, mock_config_entry)
    for seconds in (3, 6, 11):  # attempts 2 to 4
        await retry(hass, mock_config_entry, seconds)
        assert issue(hass, mock_config_entry, "sign_server_unavailable") is None
    await retry(hass, mock_config_entry, 21)  # the fifth failure in a row
    assert len(fake_tiktok.sign_requests()) == 5
    found = issue(hass, mock_config_entry, "sign_server_unavailable")
    assert found is not None
    assert found.severity is ir.IssueSeverity.WARNING
    assert state(hass, CONNECTION) == "error"

    fake_tiktok.sign_reply = None
    await advance(hass, 80)
    await fake_tiktok.wait_connected(creator)
    await advance(hass, 2)
    assert state(hass, CONNECTION) == "connected"
    assert not our_issues(hass)


async def test_rate_limited_waits_as_told(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    fake_tiktok: FakeTikTok,
    creator: FakeCreator,
) -> None:
    """429: never retry before retry_after; an issue naming the retry time."""
    fake_tiktok.sign_reply = SignReply(
        status=429, body=b"{}", headers={"RateLimit-Remaining": "120"}
    )
    creator.go_live()
    await setup_entry(hass, mock_config_entry)
    await retry(hass, mock_config_entry, 0)
    assert state(hass, CONNECTION) == "rate_limited"
    found = issue(hass, mock_config_entry, "rate_limited")
    assert found is not None
    assert found.translation_key == "rate_limited"
    assert found.translation_placeholders["retry_at"]
    attempts = len(fake_tiktok.sign_requests())
    await advance(hass, 119)
    assert len(fake_tiktok.sign_requests()) == attempts

    fake_tiktok.sign_reply = None
    # Times are from now: 120 s plus at most 20 % jitter, only ever later.
    await advance(hass, 145)
    await fake_tiktok.wait_connected(creator)
    await advance(hass, 2)
    assert len(fake_tiktok.sign_requests()) == attempts + 1
    assert state(hass, CONNECTION) == "connected"
    assert not our_issues(hass)


async def test_rate_limited_with_a_key(
    hass: HomeAssistant, fake_tiktok: FakeTikTok, creator: FakeCreator
) -> None:
    """With a key, the issue does not suggest getting one."""
    entry = make_entry(fake_tiktok, sign_api_key="paid-key")
    fake_tiktok.sign_reply = SignReply(status=429, body=b"")
    creator.go_live()
    await setup_entry(hass, entry)
    await retry(hass, entry, 0)
    found = issue(hass, entry, "rate_limited")
    assert found is not None
    assert found.translation_key == "rate_limited_with_key"


async def test_premium_endpoint_takes_a_key(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    mock_config_entry: MockConfigEntry,
    fake_tiktok: FakeTikTok,
    creator: FakeCreator,
) -> None:
    """PremiumEndpointError: a fixable issue whose flow stores a premium key."""
    fake_tiktok.required_api_key = "premium-key"
    creator.go_live()
    await setup_entry(hass, mock_config_entry)
    await retry(hass, mock_config_entry, 0)
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
    entry = make_entry(fake_tiktok, session_id="my-session")
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
        assert sign.query["session_id"] == "my-session"
    else:
        assert "session_id" not in sign.query
        assert CONF_SESSION_ID not in entry.data
    assert not our_issues(hass)


async def test_invalid_api_key_starts_reauth(
    hass: HomeAssistant, fake_tiktok: FakeTikTok, creator: FakeCreator
) -> None:
    """401 with a key: reauth for the key; a valid one connects."""
    fake_tiktok.required_api_key = "new-key"
    entry = make_entry(fake_tiktok, sign_api_key="old-key")
    creator.go_live()
    await setup_entry(hass, entry)
    await retry(hass, entry, 0)
    assert state(hass, CONNECTION) == "auth_required"
    [flow] = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
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
    tracker = FailureTracker(hass, mock_config_entry)
    outcome = tracker.failed(AlreadyConnectedError("second"), CREATOR)
    assert outcome.state == "reconnecting"
    assert 1 <= outcome.delay <= 3
    assert "second connection" in caplog.text


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
    entry = make_entry(
        fake_tiktok,
        session_id=SECRET_SESSION,
        sign_api_key=SECRET_KEY,
        session_trusted_host="127.0.0.1",
    )
    creator.go_live()
    creator.age_restricted = True
    await setup_entry(hass, entry)
    await retry(hass, entry, 0)  # age restricted: reauth
    creator.age_restricted = False
    coordinator: TikTokLiveCoordinator = entry.runtime_data
    fake_tiktok.required_api_key = "another-key"
    coordinator.async_wake()
    await retry(hass, entry, 0)  # key rejected: reauth
    fake_tiktok.required_api_key = None
    faults: list[SignReply | WsReply] = [
        SignReply(status=429, body=b'{"message":"slow"}'),
        SignReply(status=503, body=b""),
        SignReply(status=500, body=b"{}"),
        SignReply(status=402, body=b'{"message":"premium"}'),
        SignReply(cookie=False),
        SignReply(cursor=False),
        SignReply(push_server=False),
        SignReply(status=200, body=b"\x0a\xff", headers={"X-Set-TT-Cookie": "ttwid=1"}),
        WsReply(status=200, handshake_msg="illegal secret key"),
    ]
    for fault in faults:
        if isinstance(fault, SignReply):
            fake_tiktok.sign_replies.append(fault)
        else:
            fake_tiktok.ws_replies.append(fault)
        coordinator.async_wake()
        await retry(hass, entry, 0)
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
    recorded = [err.error for err in coordinator.failures.errors]
    assert recorded[-len(faults) :] == [
        "SignatureRateLimitError",
        "SignAPIError",
        "SignAPIError",
        "PremiumEndpointError",
        "SignAPIError",
        "InitialCursorMissingError",
        "WebsocketURLMissingError",
        "UnexpectedSignatureError",
        "WebcastBlockedError",
    ]
    joined = "\n".join(texts)
    assert SECRET_SESSION not in joined
    assert SECRET_KEY not in joined
    assert diagnostics["entry"]["data"][CONF_SIGN_API_KEY] == "**REDACTED**"
    assert diagnostics["entry"]["data"][CONF_SESSION_ID] == "**REDACTED**"
