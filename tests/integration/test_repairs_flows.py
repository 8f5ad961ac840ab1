"""The repair flows as the frontend drives and shows them: texts, input checks, typed values.

Each issue is raised the way the integration raises it (the fake TikTok
fails), each fix flow runs through the HTTP API as the frontend runs it, and
every form and menu is formatted as Home Assistant 2025.4's frontend formats
a fix flow: with the issue's translation_placeholders and the step's
description_placeholders (a missing one shows "Translation error").
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.tiktok_live.const import (
    CONF_CONNECTION_METHOD,
    CONF_SIGN_API_KEY,
    DOMAIN,
)
from custom_components.tiktok_live.coordinator import TikTokLiveCoordinator
from custom_components.tiktok_live.failures import (
    DATA_EVIDENCE,
    Cause,
    Evidence,
    issue_id,
)
from tests.fake_tiktok import FakeCreator, FakeTikTok, SignReply

from .conftest import advance, make_entry, setup_entry
from .test_config_flow import no_traceback, shown_texts, suggested

# These issues come from the sign server's answers: connect through it only.
SIGN_SERVER_ONLY = {CONF_CONNECTION_METHOD: "sign_server"}


class FixFlow:
    """A fix flow driven over HTTP, one submit at a time."""

    def __init__(
        self, hass: HomeAssistant, client: Any, entry: MockConfigEntry, key: str
    ) -> None:
        self.hass = hass
        self.client = client
        self.key = key
        self.issue = ir.async_get(hass).async_get_issue(
            DOMAIN, issue_id(key, entry.entry_id)
        )
        assert self.issue is not None, key
        self.result: dict[str, Any] = {}

    async def start(self) -> dict[str, Any]:
        response = await self.client.post(
            "/api/repairs/issues/fix",
            json={"handler": DOMAIN, "issue_id": self.issue.issue_id},
        )
        assert response.status == 200, await response.text()
        self.result = await response.json()
        return self.result

    async def submit(self, data: dict[str, Any]) -> dict[str, Any]:
        response = await self.client.post(
            f"/api/repairs/issues/fix/{self.result['flow_id']}", json=data
        )
        assert response.status == 200, await response.text()
        self.result = await response.json()
        return self.result

    async def texts(self) -> list[str]:
        """What the dialog shows, formatted as the frontend does (or failing)."""
        assert self.issue is not None
        result = {**self.result, "type": _type(self.result["type"])}
        texts = await shown_texts(
            self.hass,
            result,
            issue=(
                str(self.issue.translation_key),
                dict(self.issue.translation_placeholders or {}),
            ),
        )
        assert not any("{" in text for text in texts), texts
        return texts


def _type(value: str) -> Any:
    from homeassistant.data_entry_flow import FlowResultType

    return FlowResultType(value)


async def open_fix_flow(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    entry: MockConfigEntry,
    key: str,
) -> FixFlow:
    assert await async_setup_component(hass, "repairs", {})
    flow = FixFlow(hass, await hass_client(), entry, key)
    await flow.start()
    return flow


async def settle(hass: HomeAssistant, entry: MockConfigEntry, seconds: float) -> None:
    coordinator: TikTokLiveCoordinator = entry.runtime_data
    await coordinator.async_wait_settled()
    await advance(hass, seconds)
    await coordinator.async_wait_settled()
    await advance(hass, 2)


@pytest.fixture
async def user_gone(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    fake_tiktok: FakeTikTok,
    creator: FakeCreator,
) -> MockConfigEntry:
    """The handle is gone (both of TikTok's answers agree): the fixable issue is up."""
    await setup_entry(hass, mock_config_entry)
    fake_tiktok.creators = {}
    await settle(hass, mock_config_entry, 75)
    return mock_config_entry


@pytest.mark.parametrize(
    ("typed", "error"),
    [
        ("https://www.youtube.com/@streamer_new", "not_tiktok_link"),
        ("https://vm.tiktok.com/ZMabc123/", "short_link"),
        ("@stream er", "invalid_creator"),
        ("@nobody", "user_not_found"),
    ],
)
async def test_new_handle(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    user_gone: MockConfigEntry,
    fake_tiktok: FakeTikTok,
    creator: FakeCreator,
    caplog: pytest.LogCaptureFixture,
    typed: str,
    error: str,
) -> None:
    """user_not_found: TikTok links only, errors shown with their texts, typed handle kept."""
    flow = await open_fix_flow(hass, hass_client, user_gone, "user_not_found")
    assert flow.result["step_id"] == "new_handle"
    await flow.texts()
    result = await flow.submit({"creator": typed})
    assert set(result["errors"].values()) == {error}
    assert suggested(result) == {"creator": typed}
    await flow.texts()
    creator.unique_id = "streamer_new"
    fake_tiktok.creators = {"streamer_new": creator}
    result = await flow.submit({"creator": " https://m.tiktok.com/@streamer_new "})
    assert result["type"] == "create_entry"
    await hass.async_block_till_done()
    assert user_gone.title == "@streamer_new"
    no_traceback(caplog)


@pytest.fixture
async def premium_required(
    hass: HomeAssistant, fake_tiktok: FakeTikTok, creator: FakeCreator
) -> MockConfigEntry:
    """The sign server wants a premium key: the issue is up.

    The first such answer was an hour ago (the evidence test_failures.py
    builds with a frozen clock): this one confirms it.
    """
    fake_tiktok.required_api_key = "premium-key"
    creator.go_live()
    entry = make_entry(fake_tiktok, options=dict(SIGN_SERVER_ONLY))
    evidence = hass.data.setdefault(DATA_EVIDENCE, {}).setdefault(entry.entry_id, {})
    evidence[Cause.PREMIUM_REQUIRED] = Evidence(dt_util.utcnow() - timedelta(hours=1))
    await setup_entry(hass, entry)
    await settle(hass, entry, 0)
    return entry


@pytest.mark.parametrize(
    "key", ["premium\nkey", "premium\r\nkey", "premium\u200bkey", "   "]
)
async def test_premium_key_format(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    premium_required: MockConfigEntry,
    fake_tiktok: FakeTikTok,
    caplog: pytest.LogCaptureFixture,
    key: str,
) -> None:
    """A key with a line break is a clear error, no traceback; the key is typed anew."""
    flow = await open_fix_flow(hass, hass_client, premium_required, "premium_required")
    assert flow.result["step_id"] == "api_key"
    await flow.texts()
    asked = len(fake_tiktok.sign_requests("/webcast/rate_limits"))
    result = await flow.submit({CONF_SIGN_API_KEY: key})
    assert result["errors"] == {CONF_SIGN_API_KEY: "invalid_api_key_format"}
    assert suggested(result) == {}
    await flow.texts()
    assert len(fake_tiktok.sign_requests("/webcast/rate_limits")) == asked
    no_traceback(caplog)


async def test_premium_key_trimmed_and_kept(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    premium_required: MockConfigEntry,
    fake_tiktok: FakeTikTok,
    creator: FakeCreator,
) -> None:
    """A key the sign server could not check stays typed; the stored key is trimmed."""
    flow = await open_fix_flow(hass, hass_client, premium_required, "premium_required")
    fake_tiktok.sign_replies.append(SignReply(status=500, body=b"x"))
    result = await flow.submit({CONF_SIGN_API_KEY: " premium-key\n"})
    assert result["errors"] == {"base": "cannot_connect"}
    assert suggested(result) == {CONF_SIGN_API_KEY: " premium-key\n"}
    await flow.texts()
    result = await flow.submit({CONF_SIGN_API_KEY: "wrong"})
    assert result["errors"] == {"base": "invalid_api_key"}
    assert suggested(result) == {}
    result = await flow.submit({CONF_SIGN_API_KEY: " premium-key\n"})
    assert result["type"] == "create_entry"
    assert premium_required.data[CONF_SIGN_API_KEY] == "premium-key"
    await fake_tiktok.wait_connected(creator)


@pytest.mark.parametrize("choice", ["trust_sign_server", "remove_session"])
async def test_session_not_trusted_both_ways(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    fake_tiktok: FakeTikTok,
    creator: FakeCreator,
    choice: str,
) -> None:
    """The menu, each way out, and the confirmation form show their texts."""
    entry = make_entry(
        fake_tiktok, options=dict(SIGN_SERVER_ONLY), session_id="my-session"
    )
    creator.go_live()
    await setup_entry(hass, entry)
    await settle(hass, entry, 0)
    flow = await open_fix_flow(hass, hass_client, entry, "session_not_trusted")
    assert flow.result["type"] == "menu"
    texts = await flow.texts()
    assert "Allow 127.0.0.1 to receive the session" in texts
    result = await flow.submit({"next_step_id": choice})
    if choice == "trust_sign_server":
        assert result["step_id"] == "trust_sign_server"
        await flow.texts()
        result = await flow.submit({})
    assert result["type"] == "create_entry"
