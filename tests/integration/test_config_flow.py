"""The config, reconfigure, reauth and options flows, every branch, against the fake."""

from __future__ import annotations

from typing import Any
from unittest.mock import patch

from homeassistant.config_entries import SOURCE_USER
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.tiktok_live.const import (
    CONF_BUS_EVENT_TYPES,
    CONF_GIFT_STREAK_UPDATES,
    CONF_LIKE_MILESTONE,
    CONF_OFFLINE_CHECK_INTERVAL,
    CONF_SESSION_ID,
    CONF_SESSION_TRUSTED_HOST,
    CONF_SIGN_API_KEY,
    CONF_SIGN_SERVER_URL,
    CONF_TT_TARGET_IDC,
    CONF_UNIQUE_ID,
    CONF_USER_ID,
    CONF_WEB_URL,
    CONF_WEBCAST_URL,
    DOMAIN,
)
from custom_components.tiktok_live.failures import (
    CONF_REAUTH_REASON,
    REAUTH_API_KEY,
    REAUTH_SESSION,
)
from tests.fake_tiktok import FakeCreator, FakeTikTok, SignReply

from .conftest import CREATOR, CREATOR_ID, entry_data, setup_entry


@pytest.fixture(autouse=True)
def no_setup() -> Any:
    """Flows are tested on their own: entry setup is the other tests' job."""
    with patch("custom_components.tiktok_live.async_setup_entry", return_value=True):
        yield


@pytest.fixture
def fake_endpoints(fake_tiktok: FakeTikTok) -> Any:
    """Point new entries (created by the flow) at the fake, as the demo does."""
    data = entry_data(fake_tiktok)
    with patch(
        "custom_components.tiktok_live.config_flow.hidden_endpoints",
        return_value={k: data[k] for k in ("web_url", "webcast_url")},
    ):
        yield


async def start_user_flow(hass: HomeAssistant) -> str:
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "user"
    assert result["errors"] == {}
    return str(result["flow_id"])


def user_input(fake: FakeTikTok, creator: str, **extra: Any) -> dict[str, Any]:
    return {
        "creator": creator,
        "advanced": {CONF_SIGN_SERVER_URL: fake.sign_server_url},
        **extra,
    }


@pytest.mark.parametrize(
    "typed",
    [
        "@streamer",
        "streamer",
        "https://www.tiktok.com/@streamer",
        "https://www.tiktok.com/@streamer/live",
    ],
)
async def test_user_flow_creates_the_entry(
    hass: HomeAssistant,
    fake_tiktok: FakeTikTok,
    creator: FakeCreator,
    fake_endpoints: None,
    typed: str,
) -> None:
    """Any way of naming the creator; offline is fine; the id is the unique id."""
    flow_id = await start_user_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        flow_id, user_input(fake_tiktok, typed)
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == "@streamer"
    assert result["result"].unique_id == str(CREATOR_ID)
    assert result["data"] == {
        CONF_UNIQUE_ID: CREATOR,
        CONF_USER_ID: CREATOR_ID,
        CONF_SIGN_SERVER_URL: fake_tiktok.sign_server_url,
        "web_url": fake_tiktok.web_url,
        "webcast_url": fake_tiktok.webcast_url,
    }


async def test_user_flow_with_api_key(
    hass: HomeAssistant,
    fake_tiktok: FakeTikTok,
    creator: FakeCreator,
    fake_endpoints: None,
) -> None:
    """A key is checked with the sign server before it is stored."""
    fake_tiktok.required_api_key = "good-key"
    flow_id = await start_user_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        flow_id, user_input(fake_tiktok, "@streamer", sign_api_key="bad-key")
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "invalid_api_key"}
    result = await hass.config_entries.flow.async_configure(
        flow_id, user_input(fake_tiktok, "@streamer", sign_api_key=" good-key ")
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"][CONF_SIGN_API_KEY] == "good-key"


@pytest.mark.parametrize(
    ("setup", "typed", "error"),
    [
        (lambda fake: None, "@nobody", {"base": "user_not_found"}),
        (lambda fake: None, "not a handle!", {"creator": "invalid_creator"}),
        (
            lambda fake: setattr(fake, "web_status", 500),
            "@streamer",
            {"base": "cannot_connect"},
        ),
        (
            lambda fake: setattr(fake, "web_status", 429),
            "@streamer",
            {"base": "rate_limited"},
        ),
        (
            lambda fake: (
                setattr(fake, "html_broken", True),
                setattr(fake, "api_without_message", True),
            ),
            "@streamer",
            {"base": "unknown"},
        ),
    ],
)
async def test_user_flow_errors_then_recover(
    hass: HomeAssistant,
    fake_tiktok: FakeTikTok,
    creator: FakeCreator,
    fake_endpoints: None,
    setup: Any,
    typed: str,
    error: dict[str, str],
) -> None:
    """Every error shows on the form, keeps the input, and the flow can still finish."""
    setup(fake_tiktok)
    flow_id = await start_user_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        flow_id, user_input(fake_tiktok, typed)
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == error
    fake_tiktok.web_status = None
    fake_tiktok.html_broken = fake_tiktok.api_without_message = False
    result = await hass.config_entries.flow.async_configure(
        flow_id, user_input(fake_tiktok, "@streamer")
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY


async def test_rate_limited_key_check(
    hass: HomeAssistant,
    fake_tiktok: FakeTikTok,
    creator: FakeCreator,
    fake_endpoints: None,
) -> None:
    """A sign server 429 while checking the key is "rate limited"; a crash is "unknown"."""
    fake_tiktok.sign_replies.append(SignReply(status=429, body=b""))
    flow_id = await start_user_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        flow_id, user_input(fake_tiktok, "@streamer", sign_api_key="k")
    )
    assert result["errors"] == {"base": "rate_limited"}
    fake_tiktok.sign_replies.append(SignReply(status=500, body=b"x"))
    result = await hass.config_entries.flow.async_configure(
        flow_id, user_input(fake_tiktok, "@streamer", sign_api_key="k")
    )
    assert result["errors"] == {"base": "cannot_connect"}
    with patch(
        "custom_components.tiktok_live.validation.create_client",
        side_effect=RuntimeError("boom"),
    ):
        result = await hass.config_entries.flow.async_configure(
            flow_id, user_input(fake_tiktok, "@streamer")
        )
    assert result["errors"] == {"base": "unknown"}


async def test_same_creator_twice_aborts(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    fake_tiktok: FakeTikTok,
    fake_endpoints: None,
) -> None:
    """The numeric id is the unique id: a second entry for it aborts."""
    mock_config_entry.add_to_hass(hass)
    flow_id = await start_user_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        flow_id, user_input(fake_tiktok, "https://www.tiktok.com/@streamer/live")
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"


async def test_reconfigure_after_rename(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    fake_tiktok: FakeTikTok,
    creator: FakeCreator,
) -> None:
    """The account renamed itself: the new handle, same id, is taken."""
    mock_config_entry.add_to_hass(hass)
    creator.unique_id = "streamer_renamed"
    fake_tiktok.creators = {"streamer_renamed": creator}
    result = await mock_config_entry.start_reconfigure_flow(hass)
    assert result["step_id"] == "reconfigure"
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {
            "creator": "@streamer_renamed",
            CONF_SIGN_SERVER_URL: fake_tiktok.sign_server_url,
        },
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    assert mock_config_entry.title == "@streamer_renamed"
    assert mock_config_entry.data[CONF_UNIQUE_ID] == "streamer_renamed"
    assert CONF_SIGN_API_KEY not in mock_config_entry.data


async def test_reconfigure_key_and_errors(
    hass: HomeAssistant,
    fake_tiktok: FakeTikTok,
    creator: FakeCreator,
) -> None:
    """An empty key keeps the stored one; a new one is checked; errors show."""
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="@streamer",
        unique_id=str(CREATOR_ID),
        data=entry_data(fake_tiktok, sign_api_key="old-key"),
    )
    entry.add_to_hass(hass)
    fake_tiktok.required_api_key = "new-key"
    result = await entry.start_reconfigure_flow(hass)
    flow_id = result["flow_id"]
    result = await hass.config_entries.flow.async_configure(
        flow_id,
        {"creator": "@nobody", CONF_SIGN_SERVER_URL: fake_tiktok.sign_server_url},
    )
    assert result["errors"] == {"base": "user_not_found"}
    result = await hass.config_entries.flow.async_configure(
        flow_id,
        {
            "creator": "@streamer",
            CONF_SIGN_API_KEY: "wrong",
            CONF_SIGN_SERVER_URL: fake_tiktok.sign_server_url,
        },
    )
    assert result["errors"] == {"base": "invalid_api_key"}
    result = await hass.config_entries.flow.async_configure(
        flow_id,
        {"creator": "@streamer", CONF_SIGN_SERVER_URL: fake_tiktok.sign_server_url},
    )
    assert result["type"] is FlowResultType.ABORT
    assert entry.data[CONF_SIGN_API_KEY] == "old-key"

    result = await entry.start_reconfigure_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {
            "creator": "@streamer",
            CONF_SIGN_API_KEY: "new-key",
            CONF_SIGN_SERVER_URL: fake_tiktok.sign_server_url,
        },
    )
    assert result["reason"] == "reconfigure_successful"
    assert entry.data[CONF_SIGN_API_KEY] == "new-key"


async def test_reconfigure_drops_empty_values(
    hass: HomeAssistant, fake_tiktok: FakeTikTok, creator: FakeCreator
) -> None:
    """No key stored and none typed: no key key; an empty URL means the default."""
    data = entry_data(fake_tiktok)
    del data[CONF_WEB_URL], data[CONF_WEBCAST_URL]
    entry = MockConfigEntry(
        domain=DOMAIN, title="@streamer", unique_id=str(CREATOR_ID), data=data
    )
    entry.add_to_hass(hass)
    result = await entry.start_reconfigure_flow(hass)
    with patch(
        "custom_components.tiktok_live.config_flow.async_validate_creator",
        return_value=(await _creator(hass, fake_tiktok), {}),
    ):
        result = await hass.config_entries.flow.async_configure(
            result["flow_id"], {"creator": "@streamer"}
        )
    assert result["reason"] == "reconfigure_successful"
    assert CONF_SIGN_API_KEY not in entry.data
    assert CONF_SIGN_SERVER_URL not in entry.data


async def test_reconfigure_keeps_a_hidden_sign_server(
    hass: HomeAssistant, fake_tiktok: FakeTikTok, creator: FakeCreator
) -> None:
    """An entry with hidden endpoints (the demo's) neither shows nor loses its sign server."""
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="@streamer",
        unique_id=str(CREATOR_ID),
        data=entry_data(fake_tiktok),
    )
    entry.add_to_hass(hass)
    result = await entry.start_reconfigure_flow(hass)
    field = next(k for k in result["data_schema"].schema if k == CONF_SIGN_SERVER_URL)
    assert (field.description or {}).get("suggested_value") is None
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"creator": "@streamer"}
    )
    assert result["reason"] == "reconfigure_successful"
    assert entry.data[CONF_SIGN_SERVER_URL] == fake_tiktok.sign_server_url


async def _creator(hass: HomeAssistant, fake: FakeTikTok) -> Any:
    from custom_components.tiktok_live.validation import async_validate_creator

    creator, errors = await async_validate_creator(hass, entry_data(fake))
    assert not errors
    return creator


async def test_reconfigure_to_another_account_aborts(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    fake_tiktok: FakeTikTok,
    creator: FakeCreator,
) -> None:
    """A handle of a different account is refused."""
    mock_config_entry.add_to_hass(hass)
    fake_tiktok.add_creator("someone_else", user_id=999)
    result = await mock_config_entry.start_reconfigure_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {"creator": "@someone_else", CONF_SIGN_SERVER_URL: fake_tiktok.sign_server_url},
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "wrong_account"
    assert mock_config_entry.data[CONF_UNIQUE_ID] == CREATOR


async def test_reauth_api_key(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    fake_tiktok: FakeTikTok,
    creator: FakeCreator,
) -> None:
    """The key was rejected: a new one is asked for and checked."""
    mock_config_entry.add_to_hass(hass)
    fake_tiktok.required_api_key = "fresh-key"
    result = await mock_config_entry.start_reauth_flow(
        hass, data={**mock_config_entry.data, CONF_REAUTH_REASON: REAUTH_API_KEY}
    )
    assert result["step_id"] == "reauth_api_key"
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_SIGN_API_KEY: "stale-key"}
    )
    assert result["errors"] == {"base": "invalid_api_key"}
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_SIGN_API_KEY: "fresh-key"}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reauth_successful"
    assert mock_config_entry.data[CONF_SIGN_API_KEY] == "fresh-key"


async def test_reauth_session(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    fake_tiktok: FakeTikTok,
    creator: FakeCreator,
) -> None:
    """Age restriction: a session, its data centre and the explicit opt-in."""
    mock_config_entry.add_to_hass(hass)
    creator.go_live(title="18+")
    creator.age_restricted = True
    fake_tiktok.valid_session_ids.add("adult-session")
    result = await mock_config_entry.start_reauth_flow(
        hass, data={**mock_config_entry.data, CONF_REAUTH_REASON: REAUTH_SESSION}
    )
    assert result["step_id"] == "reauth_session"
    assert result["description_placeholders"]["sign_server"] == "127.0.0.1"
    flow_id = result["flow_id"]
    result = await hass.config_entries.flow.async_configure(
        flow_id, {CONF_SESSION_ID: "adult-session", "trust_sign_server": False}
    )
    assert result["errors"] == {"trust_sign_server": "must_trust_sign_server"}
    result = await hass.config_entries.flow.async_configure(
        flow_id, {CONF_SESSION_ID: "child-session", "trust_sign_server": True}
    )
    assert result["errors"] == {"base": "invalid_session"}
    result = await hass.config_entries.flow.async_configure(
        flow_id,
        {
            CONF_SESSION_ID: " adult-session ",
            CONF_TT_TARGET_IDC: "useast2a",
            "trust_sign_server": True,
        },
    )
    assert result["reason"] == "reauth_successful"
    assert mock_config_entry.data[CONF_SESSION_ID] == "adult-session"
    assert mock_config_entry.data[CONF_TT_TARGET_IDC] == "useast2a"
    assert mock_config_entry.data[CONF_SESSION_TRUSTED_HOST] == "127.0.0.1"


async def test_reauth_session_while_offline(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    fake_tiktok: FakeTikTok,
    creator: FakeCreator,
) -> None:
    """Nothing to check the session against while offline: it is taken."""
    mock_config_entry.add_to_hass(hass)
    result = await mock_config_entry.start_reauth_flow(
        hass, data={**mock_config_entry.data, CONF_REAUTH_REASON: REAUTH_SESSION}
    )
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_SESSION_ID: "any", "trust_sign_server": True}
    )
    assert result["reason"] == "reauth_successful"


async def test_options_flow(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
) -> None:
    """Options are stored as typed numbers and lists."""
    await setup_entry(hass, mock_config_entry)
    result = await hass.config_entries.options.async_init(mock_config_entry.entry_id)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "init"
    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {
            CONF_GIFT_STREAK_UPDATES: True,
            CONF_LIKE_MILESTONE: 500.0,
            CONF_OFFLINE_CHECK_INTERVAL: 120.0,
            CONF_BUS_EVENT_TYPES: ["gift", "follow"],
        },
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert mock_config_entry.options == {
        CONF_GIFT_STREAK_UPDATES: True,
        CONF_LIKE_MILESTONE: 500,
        CONF_OFFLINE_CHECK_INTERVAL: 120,
        CONF_BUS_EVENT_TYPES: ["gift", "follow"],
    }


async def test_form_error_without_network(hass: HomeAssistant) -> None:
    """What is not a handle never reaches TikTok; the entry's endpoints stay default."""
    flow_id = await start_user_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        flow_id, {"creator": "https://example.com/nothing", "advanced": {}}
    )
    assert result["errors"] == {"creator": "invalid_creator"}
