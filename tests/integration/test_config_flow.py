"""The config, reconfigure, reauth and options flows, every branch, against the fake."""

from __future__ import annotations

from collections.abc import Mapping
import logging
import string
from typing import Any
from unittest.mock import patch

from homeassistant.config_entries import SOURCE_RECONFIGURE, SOURCE_USER
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType, section
from homeassistant.helpers.translation import async_get_translations
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.tiktok_live.const import (
    CONF_BUS_EVENT_TYPES,
    CONF_CONNECTION_METHOD,
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
    REAUTH_SESSION_REJECTED,
)
from tests.fake_tiktok import FakeCreator, FakeTikTok, SignReply

from .conftest import CREATOR, CREATOR_ID, entry_data, setup_entry

# ------------------------------------------------ what the frontend shows
#
# Home Assistant's frontend formats a flow's texts with the step's
# description_placeholders, and a placeholder it is not given shows as
# "Translation error: The intl string context variable ... was not provided".
# 2025.4.4's frontend (20250411.0) formats titles of forms, descriptions,
# data_description, menu options, errors and aborts, but not field labels,
# section names and descriptions or menu titles; a repair flow formats every
# text with the issue's translation_placeholders and the step's placeholders.
FORMATTED = {"title", "description", "data_description", "menu_options"}


def format_like_frontend(
    where: str, text: str | None, given: Mapping[str, str] | None
) -> str:
    """A translation text as the frontend shows it; fails where it shows an error."""
    assert text, f"{where}: no text (the frontend shows the raw key or field name)"
    names = {name for _, name, _, _ in string.Formatter().parse(text) if name}
    if given is None:
        assert not names, f"{where}: {sorted(names)} shown unformatted: {text!r}"
        return text
    missing = names - set(given)
    assert not missing, f"{where}: {sorted(missing)} not provided: {text!r}"
    return text.format(**given)


async def shown_texts(
    hass: HomeAssistant,
    result: Mapping[str, Any],
    *,
    kind: str = "config",
    issue: tuple[str, Mapping[str, str]] | None = None,
) -> list[str]:
    """Every text the frontend shows for a form, menu or abort, formatted.

    ``kind``: "config", "options" or "issues" (then ``issue`` is the issue's
    translation key and translation_placeholders).
    """
    category = "issues" if issue else kind
    translations = await async_get_translations(hass, "en", category, [DOMAIN])
    prefix = f"component.{DOMAIN}.{category}"
    given: dict[str, str] = {**(issue[1] if issue else {})}
    given |= result.get("description_placeholders") or {}
    if issue:
        prefix = f"{prefix}.{issue[0]}.fix_flow"

    def text(key: str, *, formatted: bool, optional: bool = False) -> list[str]:
        value = translations.get(f"{prefix}.{key}")
        if value is None and optional:
            return []
        return [format_like_frontend(key, value, given if formatted else None)]

    every = issue is not None  # a repair flow formats everything
    if result["type"] is FlowResultType.ABORT:
        return text(f"abort.{result['reason']}", formatted=True)
    step = f"step.{result['step_id']}"
    shown = text(f"{step}.description", formatted=True, optional=True)
    if result["type"] is FlowResultType.MENU:
        shown += text(f"{step}.title", formatted=every)
        for option in result["menu_options"]:
            shown += text(f"{step}.menu_options.{option}", formatted=True)
        return shown
    shown += text(f"{step}.title", formatted=True)
    for name, inner in schema_fields(result["data_schema"]):
        if inner is None:
            fields = [(f"{step}.", name)]
        else:
            part = f"{step}.sections.{name}"
            shown += text(f"{part}.name", formatted=every)
            shown += text(f"{part}.description", formatted=every, optional=True)
            fields = [(f"{part}.", field) for field, _ in schema_fields(inner)]
        for path, field in fields:
            shown += text(f"{path}data.{field}", formatted=every)
            shown += text(
                f"{path}data_description.{field}", formatted=True, optional=True
            )
    for error in (result.get("errors") or {}).values():
        shown += text(f"error.{error}", formatted=True)
    return shown


def schema_fields(schema: Any) -> list[tuple[str, Any]]:
    """(name, inner schema of a section or None) of a form's schema.

    The schema as a flow returns it, or serialized as the HTTP API sends it.
    """
    if isinstance(schema, list):
        return [(item["name"], item.get("schema")) for item in schema]
    return [
        (str(key), value.schema if isinstance(value, section) else None)
        for key, value in schema.schema.items()
    ]


def suggested(result: Mapping[str, Any]) -> dict[str, Any]:
    """What a form shows in its fields (suggested values), sections nested."""
    schema = result["data_schema"]
    shown: dict[str, Any] = {}
    if isinstance(schema, list):
        for item in schema:
            if item.get("type") == "expandable":
                shown[item["name"]] = suggested({"data_schema": item["schema"]})
            elif (item.get("description") or {}).get("suggested_value") is not None:
                shown[item["name"]] = item["description"]["suggested_value"]
        return shown
    for key, value in schema.schema.items():
        if isinstance(value, section):
            shown[str(key)] = suggested({"data_schema": value.schema})
        elif (key.description or {}).get("suggested_value") is not None:
            shown[str(key)] = key.description["suggested_value"]
    return shown


def no_traceback(caplog: pytest.LogCaptureFixture) -> None:
    """Bad input is a form error: nothing logged as an error, no traceback."""
    bad = [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]
    assert not bad, [r.getMessage() for r in bad]


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


async def test_reauth_session_for_tiktok_only(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    fake_tiktok: FakeTikTok,
    creator: FakeCreator,
) -> None:
    """Without the opt-in the session is kept for TikTok: no sign server gets it.

    A trust given before is withdrawn when the user turns the toggle off.
    """
    mock_config_entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(
        mock_config_entry,
        data={
            **mock_config_entry.data,
            CONF_SESSION_ID: "old",
            CONF_SESSION_TRUSTED_HOST: "127.0.0.1",
        },
    )
    creator.go_live(title="18+")
    creator.age_restricted = True
    fake_tiktok.valid_session_ids.add("adult-session")
    result = await mock_config_entry.start_reauth_flow(
        hass, data={CONF_REAUTH_REASON: REAUTH_SESSION}
    )
    # The choice made before shows as it was.
    assert suggested(result)["trust_sign_server"] is True
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {CONF_SESSION_ID: "adult-session", "trust_sign_server": False},
    )
    assert result["reason"] == "reauth_successful"
    assert mock_config_entry.data[CONF_SESSION_ID] == "adult-session"
    assert CONF_SESSION_TRUSTED_HOST not in mock_config_entry.data
    # The check went to TikTok only.
    assert not fake_tiktok.sign_requests()


async def test_reauth_session_sign_server_only_needs_the_opt_in(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    fake_tiktok: FakeTikTok,
    creator: FakeCreator,
) -> None:
    """With the sign server as the only way, the session must go there."""
    mock_config_entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(
        mock_config_entry,
        options={**mock_config_entry.options, CONF_CONNECTION_METHOD: "sign_server"},
    )
    fake_tiktok.valid_session_ids.add("adult-session")
    result = await mock_config_entry.start_reauth_flow(
        hass, data={CONF_REAUTH_REASON: REAUTH_SESSION}
    )
    flow_id = result["flow_id"]
    typed = {CONF_SESSION_ID: "adult-session", CONF_TT_TARGET_IDC: "useast2a"}
    result = await hass.config_entries.flow.async_configure(
        flow_id, {**typed, "trust_sign_server": False}
    )
    assert result["errors"] == {"trust_sign_server": "must_trust_sign_server"}
    assert suggested(result) == {**typed, "trust_sign_server": False}
    result = await hass.config_entries.flow.async_configure(
        flow_id, {**typed, "trust_sign_server": True}
    )
    assert result["reason"] == "reauth_successful"
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
            CONF_LIKE_MILESTONE: 500.0,
            CONF_OFFLINE_CHECK_INTERVAL: 120.0,
            CONF_BUS_EVENT_TYPES: ["gift", "follow"],
        },
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert mock_config_entry.options == {
        CONF_LIKE_MILESTONE: 500,
        CONF_OFFLINE_CHECK_INTERVAL: 120,
        CONF_BUS_EVENT_TYPES: ["gift", "follow"],
        CONF_CONNECTION_METHOD: "automatic",
    }


async def test_form_error_without_network(hass: HomeAssistant) -> None:
    """What is not a handle never reaches TikTok; the entry's endpoints stay default."""
    flow_id = await start_user_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        flow_id, {"creator": "https://example.com/nothing", "advanced": {}}
    )
    assert result["errors"] == {"creator": "not_tiktok_link"}


# ------------------------------------------- texts as the frontend shows them


async def test_every_form_shows_its_texts(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    fake_tiktok: FakeTikTok,
    creator: FakeCreator,
    fake_endpoints: None,
) -> None:
    """Each form, menu and error of the config flow, formatted as 2025.4 formats it.

    The age-restriction form labelled its consent toggle "Send this session to
    {sign_server}": 2025.4.4's frontend shows a label without placeholders,
    so the toggle read "Translation Error: The intl string context variable
    "sign_server" was not provided".
    """
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}
    )
    results = [result]
    flow_id = result["flow_id"]
    for typed in ("@nobody", "https://youtube.com/@x", "https://vm.tiktok.com/x"):
        results.append(
            await hass.config_entries.flow.async_configure(
                flow_id,
                {
                    "creator": typed,
                    CONF_SIGN_API_KEY: "a\nb",
                    "advanced": {CONF_SIGN_SERVER_URL: "ftp://x"},
                },
            )
        )
    mock_config_entry.add_to_hass(hass)
    result = await mock_config_entry.start_reconfigure_flow(hass)
    results.append(result)
    results.append(
        await hass.config_entries.flow.async_configure(
            result["flow_id"],
            {"creator": "x/y/z", CONF_SIGN_SERVER_URL: "http://h:70000"},
        )
    )
    for reason in (REAUTH_API_KEY, REAUTH_SESSION, REAUTH_SESSION_REJECTED):
        result = await mock_config_entry.start_reauth_flow(
            hass, data={CONF_REAUTH_REASON: reason}
        )
        results.append(result)
        bad = (
            {CONF_SIGN_API_KEY: " "}
            if reason == REAUTH_API_KEY
            else {CONF_SESSION_ID: "a;b", CONF_TT_TARGET_IDC: "x y"}
        )
        results.append(
            await hass.config_entries.flow.async_configure(result["flow_id"], bad)
        )
        hass.config_entries.flow.async_abort(result["flow_id"])
    seen = set()
    for result in results:
        assert result["type"] is FlowResultType.FORM
        texts = await shown_texts(hass, result)
        assert not any("{" in text for text in texts), texts
        seen.add(result["step_id"])
        seen.update(f"error.{error}" for error in result["errors"].values())
    assert {
        "user",
        "reconfigure",
        "reauth_api_key",
        "reauth_session",
        "reauth_session_rejected",
    } <= seen


async def test_reauth_session_consent_label(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry, creator: FakeCreator
) -> None:
    """The consent toggle names no host in its label; its help names the host."""
    mock_config_entry.add_to_hass(hass)
    result = await mock_config_entry.start_reauth_flow(
        hass, data={CONF_REAUTH_REASON: REAUTH_SESSION}
    )
    texts = await shown_texts(hass, result)
    assert "Also send this session to the sign server" in texts
    assert (
        "Off: the session is sent to TikTok only. On: 127.0.0.1 receives it too."
        in texts
    )


FLOW_NAMES = {
    REAUTH_SESSION: ("reauth_session", "@streamer: Adult TikTok session needed"),
    REAUTH_SESSION_REJECTED: (
        "reauth_session_rejected",
        "@streamer: TikTok refused the session",
    ),
    REAUTH_API_KEY: ("reauth_api_key", "@streamer: Sign server API key rejected"),
}
# The flow dialog of 2025.4 cuts its title line off (the browser smoke test
# measures it): at 1280 px about 49 characters fit, on a phone far fewer.
TITLE_FITS = 32


@pytest.mark.parametrize("reason", list(FLOW_NAMES))
async def test_reauth_says_what_it_needs(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    creator: FakeCreator,
    reason: str,
) -> None:
    """Each reason of a reauth names the flow and its form after what it needs.

    Age restriction showed as "Authentication expired for @…" with a title
    that the dialog cut off. Home Assistant lists a reauth flow (integrations
    page, "Needs attention") by config.flow_title with the flow's
    title_placeholders, {"name": entry title} unless the flow says more.
    """
    mock_config_entry.add_to_hass(hass)
    # As failures.py starts it: with the reason in the data.
    mock_config_entry.async_start_reauth(
        hass, data={**mock_config_entry.data, CONF_REAUTH_REASON: reason}
    )
    await hass.async_block_till_done()
    [flow] = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    step_id, name = FLOW_NAMES[reason]
    assert flow["step_id"] == step_id
    translations = await async_get_translations(hass, "en", "config", [DOMAIN])
    flow_title = translations[f"component.{DOMAIN}.config.flow_title"]
    placeholders = flow["context"]["title_placeholders"]
    assert format_like_frontend("flow_title", flow_title, placeholders) == name
    result = await hass.config_entries.flow.async_configure(flow["flow_id"])
    title = translations[f"component.{DOMAIN}.config.step.{step_id}.title"]
    assert "{" not in title
    assert len(title) <= TITLE_FITS
    texts = " ".join(await shown_texts(hass, result))
    if reason == REAUTH_SESSION:
        assert "age-restricted" in texts
        assert "signed-in adult account" in texts
    elif reason == REAUTH_SESSION_REJECTED:
        assert "illegal secret key" in texts
        assert "expired" in texts


# ----------------------------------------------------- what a form accepts


@pytest.mark.parametrize(
    ("typed", "error"),
    [
        ("https://www.youtube.com/@streamer", "not_tiktok_link"),
        ("https://instagram.com/@streamer", "not_tiktok_link"),
        ("instagram.com/@streamer", "not_tiktok_link"),
        ("https://tiktok.com.example.com/@streamer", "not_tiktok_link"),
        ("https://www.tiktok.com@example.com/@streamer", "not_tiktok_link"),
        ("https://example.com/tiktok.com/@streamer", "not_tiktok_link"),
        ("https://vm.tiktok.com/ZMabc123/", "short_link"),
        ("vt.tiktok.com/ZSabc123", "short_link"),
        ("https://www.tiktok.com/t/ZTabc123/", "short_link"),
        ("ftp://www.tiktok.com/@streamer", "invalid_creator"),
        ("https://www.tiktok.com/foryou", "invalid_creator"),
        ("https://[::1/@streamer", "invalid_creator"),
        ("@stream er", "invalid_creator"),
        ("@streamer\n@other", "invalid_creator"),
    ],
)
async def test_creator_only_tiktok(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    fake_tiktok: FakeTikTok,
    creator: FakeCreator,
    fake_endpoints: None,
    caplog: pytest.LogCaptureFixture,
    typed: str,
    error: str,
) -> None:
    """Other sites' links and short links get their own error, before any request.

    "https://www.youtube.com/@x" used to become the TikTok handle "x".
    """
    flow_id = await start_user_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        flow_id, user_input(fake_tiktok, typed)
    )
    assert result["errors"] == {"creator": error}
    assert suggested(result)["creator"] == typed
    mock_config_entry.add_to_hass(hass)
    result = await mock_config_entry.start_reconfigure_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"creator": typed}
    )
    assert result["errors"] == {"creator": error}
    assert suggested(result)["creator"] == typed
    assert fake_tiktok.requests == []
    no_traceback(caplog)


@pytest.mark.parametrize(
    "typed",
    [
        "https://m.tiktok.com/@streamer",
        "www.tiktok.com/@streamer/live",
        "HTTPS://WWW.TIKTOK.COM/@streamer?lang=en",
        "https://www.tiktok.com/@streamer/video/7000000000000000000",
        "  @streamer  ",
    ],
)
async def test_creator_tiktok_links(
    hass: HomeAssistant,
    fake_tiktok: FakeTikTok,
    creator: FakeCreator,
    fake_endpoints: None,
    typed: str,
) -> None:
    """TikTok links of any subdomain, and handles with spaces around, are taken."""
    flow_id = await start_user_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        flow_id, user_input(fake_tiktok, typed)
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == "@streamer"


BAD_URLS = [
    ("not a url", "invalid_sign_server_url"),
    ("api.eulerstream.com", "invalid_sign_server_url"),
    ("file:///etc/passwd", "invalid_sign_server_url"),
    ("javascript:alert(1)", "invalid_sign_server_url"),
    ("ftp://sign.example.com", "invalid_sign_server_url"),
    ("http:sign.example.com", "invalid_sign_server_url"),
    ("https://user:secret@sign.example.com", "invalid_sign_server_url"),
    ("https://sign.example.com/?key=1", "invalid_sign_server_url"),
    ("https://sign.example.com/#x", "invalid_sign_server_url"),
    ("https://sign example.com", "invalid_sign_server_url"),
    ("https://-sign.example.com", "invalid_sign_server_url"),
    ("https://[::1", "invalid_sign_server_url"),
    ("https://[nope]:80", "invalid_sign_server_url"),
    ("https://sign.example.com/a b", "invalid_sign_server_url"),
    ("https://sign.example.com:99999", "invalid_sign_server_port"),
    ("https://sign.example.com:65536/sign", "invalid_sign_server_port"),
    ("https://sign.example.com:0", "invalid_sign_server_port"),
    ("https://sign.example.com:eighty", "invalid_sign_server_port"),
]


@pytest.mark.parametrize(("url", "error"), BAD_URLS)
async def test_sign_server_url_checked(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    fake_tiktok: FakeTikTok,
    creator: FakeCreator,
    fake_endpoints: None,
    caplog: pytest.LogCaptureFixture,
    url: str,
    error: str,
) -> None:
    """Only http(s)://host[:port][/path]; a bad port has an error of its own.

    The user form shows the error above its Advanced section (2025.4 shows no
    error for a field inside a section) and opens it; the typed URL stays.
    """
    flow_id = await start_user_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        flow_id, {"creator": "@streamer", "advanced": {CONF_SIGN_SERVER_URL: url}}
    )
    assert result["errors"] == {"advanced": error}
    assert suggested(result) == {
        "creator": "@streamer",
        "advanced": {CONF_SIGN_SERVER_URL: url},
    }
    [section_key] = [k for k in result["data_schema"].schema if k == "advanced"]
    assert result["data_schema"].schema[section_key].options["collapsed"] is False
    mock_config_entry.add_to_hass(hass)
    result = await mock_config_entry.start_reconfigure_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"creator": "@streamer", CONF_SIGN_SERVER_URL: url}
    )
    assert result["errors"] == {CONF_SIGN_SERVER_URL: error}
    assert suggested(result)[CONF_SIGN_SERVER_URL] == url
    assert fake_tiktok.requests == []
    no_traceback(caplog)


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:1/sign",
        "https://sign.example.com",
        "https://SIGN.example.com:443/v1/",
        "http://[::1]:8080/sign",
        "http://demo-sign-server.localhost:8765/sign",
        "https://bücher.example/sign",
    ],
)
def test_sign_server_url_formats_taken(url: str) -> None:
    """What a sign server URL can look like."""
    from custom_components.tiktok_live.validation import sign_server_url_error

    assert sign_server_url_error(url) is None


@pytest.mark.parametrize(
    "key", ["new\nkey", "new\r\nkey", "new\tkey", "new\u200bkey", "new\x00key"]
)
async def test_api_key_with_control_characters(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    fake_tiktok: FakeTikTok,
    creator: FakeCreator,
    fake_endpoints: None,
    caplog: pytest.LogCaptureFixture,
    key: str,
) -> None:
    """A line break in a key is a clear error in every key field, not "unknown".

    It was "unknown" with an ERROR traceback: aiohttp refuses a header value
    with a line break, and the check's catch-all logged it.
    """
    flow_id = await start_user_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        flow_id, user_input(fake_tiktok, "@streamer", sign_api_key=key)
    )
    assert result["errors"] == {CONF_SIGN_API_KEY: "invalid_api_key_format"}
    # The rejected key is typed anew; the rest stays.
    assert suggested(result) == {
        "creator": "@streamer",
        "advanced": {CONF_SIGN_SERVER_URL: fake_tiktok.sign_server_url},
    }
    mock_config_entry.add_to_hass(hass)
    result = await mock_config_entry.start_reconfigure_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"creator": "@streamer", CONF_SIGN_API_KEY: key}
    )
    assert result["errors"] == {CONF_SIGN_API_KEY: "invalid_api_key_format"}
    hass.config_entries.flow.async_abort(result["flow_id"])
    result = await mock_config_entry.start_reauth_flow(
        hass, data={CONF_REAUTH_REASON: REAUTH_API_KEY}
    )
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_SIGN_API_KEY: key}
    )
    assert result["errors"] == {CONF_SIGN_API_KEY: "invalid_api_key_format"}
    assert suggested(result) == {}
    assert fake_tiktok.requests == []
    no_traceback(caplog)


async def test_reauth_api_key_trimmed_and_kept(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    fake_tiktok: FakeTikTok,
    creator: FakeCreator,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The reauth key is trimmed; a key the server could not check stays typed."""
    mock_config_entry.add_to_hass(hass)
    fake_tiktok.required_api_key = "fresh-key"
    result = await mock_config_entry.start_reauth_flow(
        hass, data={CONF_REAUTH_REASON: REAUTH_API_KEY}
    )
    flow_id = result["flow_id"]
    result = await hass.config_entries.flow.async_configure(
        flow_id, {CONF_SIGN_API_KEY: "   "}
    )
    assert result["errors"] == {CONF_SIGN_API_KEY: "invalid_api_key_format"}
    fake_tiktok.sign_replies.append(SignReply(status=500, body=b"x"))
    result = await hass.config_entries.flow.async_configure(
        flow_id, {CONF_SIGN_API_KEY: " fresh-key\n"}
    )
    assert result["errors"] == {"base": "cannot_connect"}
    assert suggested(result) == {CONF_SIGN_API_KEY: " fresh-key\n"}
    result = await hass.config_entries.flow.async_configure(
        flow_id, {CONF_SIGN_API_KEY: " fresh-key\n"}
    )
    assert result["reason"] == "reauth_successful"
    assert mock_config_entry.data[CONF_SIGN_API_KEY] == "fresh-key"
    no_traceback(caplog)


async def test_keys_trimmed_in_user_and_reconfigure(
    hass: HomeAssistant,
    fake_tiktok: FakeTikTok,
    creator: FakeCreator,
    fake_endpoints: None,
) -> None:
    """Spaces and a final line break around a pasted key or URL are dropped."""
    fake_tiktok.required_api_key = "good-key"
    flow_id = await start_user_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        flow_id,
        {
            "creator": " @streamer ",
            CONF_SIGN_API_KEY: "\tgood-key\r\n",
            "advanced": {CONF_SIGN_SERVER_URL: f" {fake_tiktok.sign_server_url}/ "},
        },
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    entry = result["result"]
    assert entry.data[CONF_SIGN_API_KEY] == "good-key"
    assert entry.data[CONF_SIGN_SERVER_URL] == fake_tiktok.sign_server_url
    fake_tiktok.required_api_key = "other-key"
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_RECONFIGURE, "entry_id": entry.entry_id}
    )
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"creator": "@streamer", CONF_SIGN_API_KEY: " other-key\n"}
    )
    assert result["reason"] == "reconfigure_successful"
    assert entry.data[CONF_SIGN_API_KEY] == "other-key"


@pytest.mark.parametrize(
    ("session", "idc", "errors"),
    [
        ("a;b", "useast1a", {CONF_SESSION_ID: "invalid_session_format"}),
        ("a b", "useast1a", {CONF_SESSION_ID: "invalid_session_format"}),
        ("a\nb", "useast1a", {CONF_SESSION_ID: "invalid_session_format"}),
        ('a"b', "useast1a", {CONF_SESSION_ID: "invalid_session_format"}),
        ("a,b", "useast1a", {CONF_SESSION_ID: "invalid_session_format"}),
        ("a\\b", "useast1a", {CONF_SESSION_ID: "invalid_session_format"}),
        ("séssion", "useast1a", {CONF_SESSION_ID: "invalid_session_format"}),
        ("   ", "useast1a", {CONF_SESSION_ID: "invalid_session_format"}),
        ("adult-session", "us east", {CONF_TT_TARGET_IDC: "invalid_tt_target_idc"}),
        ("adult-session", "x;y=z", {CONF_TT_TARGET_IDC: "invalid_tt_target_idc"}),
    ],
)
async def test_session_must_be_a_cookie_value(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    fake_tiktok: FakeTikTok,
    creator: FakeCreator,
    caplog: pytest.LogCaptureFixture,
    session: str,
    idc: str,
    errors: dict[str, str],
) -> None:
    """The session and data centre go out as cookies: only cookie values pass."""
    mock_config_entry.add_to_hass(hass)
    result = await mock_config_entry.start_reauth_flow(
        hass, data={CONF_REAUTH_REASON: REAUTH_SESSION}
    )
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {CONF_SESSION_ID: session, CONF_TT_TARGET_IDC: idc, "trust_sign_server": True},
    )
    assert result["errors"] == errors
    kept = suggested(result)
    assert kept["trust_sign_server"] is True
    assert kept[CONF_TT_TARGET_IDC] == idc
    assert (CONF_SESSION_ID in kept) is (CONF_SESSION_ID not in errors)
    assert fake_tiktok.requests == []
    no_traceback(caplog)


async def test_failed_session_submit_keeps_what_was_typed(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    fake_tiktok: FakeTikTok,
    creator: FakeCreator,
) -> None:
    """A failed submit keeps the session, data centre and toggle; a rejected session goes.

    It cleared the session and the toggle after every failed submit.
    """
    mock_config_entry.add_to_hass(hass)
    creator.go_live(title="18+")
    creator.age_restricted = True
    result = await mock_config_entry.start_reauth_flow(
        hass, data={CONF_REAUTH_REASON: REAUTH_SESSION_REJECTED}
    )
    assert result["step_id"] == "reauth_session_rejected"
    assert suggested(result) == {
        CONF_TT_TARGET_IDC: "useast1a",
        "trust_sign_server": False,
    }
    flow_id = result["flow_id"]
    typed = {CONF_SESSION_ID: "adult-session", CONF_TT_TARGET_IDC: "useast2a"}
    # TikTok still withholds the room: the session is rejected, the rest stays.
    result = await hass.config_entries.flow.async_configure(
        flow_id, {**typed, "trust_sign_server": True}
    )
    assert result["errors"] == {"base": "invalid_session"}
    assert result["step_id"] == "reauth_session_rejected"
    assert suggested(result) == {
        CONF_TT_TARGET_IDC: "useast2a",
        "trust_sign_server": True,
    }
    fake_tiktok.valid_session_ids.add("adult-session")
    result = await hass.config_entries.flow.async_configure(
        flow_id, {**typed, "trust_sign_server": True}
    )
    assert result["reason"] == "reauth_successful"


async def test_failed_user_submit_keeps_what_was_typed(
    hass: HomeAssistant,
    fake_tiktok: FakeTikTok,
    creator: FakeCreator,
    fake_endpoints: None,
) -> None:
    """The handle, key and URL stay after an error; a rejected key goes."""
    fake_tiktok.required_api_key = "good-key"
    flow_id = await start_user_flow(hass)
    typed = user_input(fake_tiktok, "@nobody", sign_api_key="good-key")
    result = await hass.config_entries.flow.async_configure(flow_id, typed)
    assert result["errors"] == {"base": "user_not_found"}
    assert suggested(result) == typed
    typed = user_input(fake_tiktok, "@streamer", sign_api_key="bad-key")
    result = await hass.config_entries.flow.async_configure(flow_id, typed)
    assert result["errors"] == {"base": "invalid_api_key"}
    assert suggested(result) == {
        "creator": "@streamer",
        "advanced": typed["advanced"],
    }


async def test_failed_reconfigure_keeps_what_was_typed(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    fake_tiktok: FakeTikTok,
    creator: FakeCreator,
) -> None:
    """The typed handle stays after an error (it showed the stored one again)."""
    mock_config_entry.add_to_hass(hass)
    result = await mock_config_entry.start_reconfigure_flow(hass)
    assert suggested(result) == {"creator": "@streamer"}
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"creator": "@nobody", CONF_SIGN_API_KEY: "k"}
    )
    assert result["errors"] == {"base": "user_not_found"}
    assert suggested(result) == {"creator": "@nobody", CONF_SIGN_API_KEY: "k"}
