"""A proxy set in the flows carries everything, and its failures have their own words.

The fake proxy (HTTP CONNECT and SOCKS5, with credentials) sits on loopback
between the integration and the fake TikTok: the tests prove that the flows
check through it, that the stream connects through it, that a proxy which
refuses, rejects the credentials or is gone gets its own repair issue and
form error, and that its password appears in no log, form, issue or
diagnostics.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
import logging
from typing import Any
from unittest.mock import patch

from homeassistant.config_entries import SOURCE_USER
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import issue_registry as ir
import pytest
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.tiktok_live.config_flow import PROXY_PASSWORD_MASK
from custom_components.tiktok_live.const import (
    CONF_BUS_EVENT_TYPES,
    CONF_CONNECTION_METHOD,
    CONF_LIKE_MILESTONE,
    CONF_OFFLINE_CHECK_INTERVAL,
    CONF_PROXY_URL,
    CONF_SIGN_SERVER_URL,
    DOMAIN,
)
from custom_components.tiktok_live.failures import issue_id
from custom_components.tiktok_live.validation import proxy_url_error
from tests.fake_tiktok import FakeCreator, FakeTikTok
from tests.fake_tiktok.proxy import FakeProxy

from .conftest import advance, entry_data, make_entry, setup_entry, state
from .test_config_flow import shown_texts, suggested

PASSWORD = "pr0xy-5ecret"
CONNECTION = "sensor.streamer_connection"
GRACE = 5 * 60


@pytest.fixture(params=["http", "socks5"])
async def proxy(
    request: pytest.FixtureRequest, socket_enabled: None
) -> AsyncIterator[FakeProxy]:
    """A proxy that wants a user name and password, of either kind."""
    async with FakeProxy(request.param, username="ha", password=PASSWORD) as fake:
        yield fake


def through(fake: FakeTikTok, proxy: FakeProxy) -> set[str]:
    """The fake's own addresses the proxy connected to."""
    ports = {
        int(url.rsplit(":", 1)[1].split("/", 1)[0])
        for url in (fake.web_url, fake.sign_server_url, fake.direct_push_url)
    }
    return {
        target for target in proxy.targets if int(target.rsplit(":", 1)[1]) in ports
    }


def no_password(caplog: pytest.LogCaptureFixture, *more: Any) -> None:
    texts = [record.getMessage() for record in caplog.records]
    texts += [str(record.exc_info[1]) for record in caplog.records if record.exc_info]
    texts += [str(item) for item in more]
    assert not [text for text in texts if PASSWORD in text]


# ------------------------------------------------------------ streaming


async def test_the_stream_goes_through_the_proxy(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    fake_tiktok: FakeTikTok,
    creator: FakeCreator,
    proxy: FakeProxy,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Checks, the WebSocket and the diagnostics: the proxy, never its password."""
    caplog.set_level(logging.DEBUG)
    entry = make_entry(fake_tiktok, options={CONF_PROXY_URL: proxy.url})
    creator.go_live()
    await setup_entry(hass, entry)
    await fake_tiktok.wait_connected(creator)
    await advance(hass, 2)
    assert state(hass, CONNECTION) == "connected"
    assert through(fake_tiktok, proxy)
    # Every request the fake saw, the WebSocket's included, came from the proxy.
    assert {r.peer_port for r in fake_tiktok.requests} <= proxy.upstream_ports
    diagnostics = await get_diagnostics_for_config_entry(hass, hass_client, entry)
    assert diagnostics["entry"]["options"][CONF_PROXY_URL] == (
        f"{proxy.kind}://127.0.0.1:{proxy.port}"
    )
    no_password(caplog, diagnostics)


@pytest.mark.parametrize(
    ("fault", "translation_key"),
    [
        ("refuse", "proxy_refused"),
        ("credentials", "proxy_auth"),
        ("gone", "proxy_unreachable"),
    ],
)
async def test_a_failing_proxy_has_its_own_repair(
    hass: HomeAssistant,
    fake_tiktok: FakeTikTok,
    creator: FakeCreator,
    proxy: FakeProxy,
    caplog: pytest.LogCaptureFixture,
    fault: str,
    translation_key: str,
) -> None:
    """Refusing, wrong credentials, gone: the proxy's issue once it lasted, then gone."""
    caplog.set_level(logging.DEBUG)
    entry = make_entry(fake_tiktok, options={CONF_PROXY_URL: proxy.url})
    creator.go_live()
    await setup_entry(hass, entry)
    await fake_tiktok.wait_connected(creator)
    match fault:
        case "refuse":
            proxy.refuse = True
        case "credentials":
            proxy.password = "changed"
        case "gone":
            await proxy.stop()
    for socket in fake_tiktok.open_sockets(creator):
        socket.drop()
        await fake_tiktok.wait_closed(socket)
    coordinator = entry.runtime_data
    await coordinator.async_wait_idle()
    for seconds in (3, 6, 11, 21):
        await advance(hass, seconds)
        await coordinator.async_wait_settled()
    registry = ir.async_get(hass)
    key = issue_id("proxy_unreachable", entry.entry_id)
    assert registry.async_get_issue(DOMAIN, key) is None  # not at once
    await advance(hass, GRACE)
    await coordinator.async_wait_settled()
    await advance(hass, 2)
    found = registry.async_get_issue(DOMAIN, key)
    assert found is not None
    assert found.translation_key == translation_key
    assert found.translation_placeholders is not None
    assert found.translation_placeholders["creator"] == "@streamer"
    assert found.translation_placeholders["proxy"] == (
        f"{proxy.kind}://127.0.0.1:{proxy.port}"
    )
    assert state(hass, CONNECTION) == "error"
    no_password(caplog, found.translation_placeholders)

    if fault == "gone":
        return  # a stopped fake proxy cannot come back on its port
    proxy.refuse = False
    proxy.password = PASSWORD
    await advance(hass, 1200)
    await fake_tiktok.wait_connected(creator, count=2)
    await advance(hass, 2)
    assert state(hass, CONNECTION) == "connected"
    assert registry.async_get_issue(DOMAIN, key) is None


# ---------------------------------------------------------------- flows


@pytest.fixture
def flows_only() -> Any:
    """Flows on their own: setting the entry up is the tests above."""
    with patch("custom_components.tiktok_live.async_setup_entry", return_value=True):
        yield


@pytest.fixture
def fake_endpoints(fake_tiktok: FakeTikTok) -> Any:
    data = entry_data(fake_tiktok)
    with patch(
        "custom_components.tiktok_live.config_flow.hidden_endpoints",
        return_value={k: data[k] for k in ("web_url", "webcast_url")},
    ):
        yield


@pytest.mark.parametrize(
    ("url", "error"),
    [
        ("", None),
        ("http://proxy.lan:3128", None),
        ("https://u:p@proxy.lan", None),
        ("socks5://u:p%40ss@10.0.0.2:1080", None),
        ("socks5h://[fd00::2]:1080", None),
        ("socks5://proxy.lan", "invalid_proxy_port"),
        ("http://proxy.lan:0", "invalid_proxy_port"),
        ("http://proxy.lan:70000", "invalid_proxy_port"),
        ("http://proxy.lan:port", "invalid_proxy_port"),
        ("ftp://proxy.lan:21", "invalid_proxy_url"),
        ("socks4://proxy.lan:1080", "invalid_proxy_url"),
        ("proxy.lan:3128", "invalid_proxy_url"),
        ("http://proxy lan:3128", "invalid_proxy_url"),
        ("http://proxy.lan:3128/path", "invalid_proxy_url"),
        ("http://proxy.lan:3128?x=1", "invalid_proxy_url"),
        ("http://", "invalid_proxy_url"),
        ("http://pro\nxy:1", "invalid_proxy_url"),
    ],
)
def test_proxy_url_formats(url: str, error: str | None) -> None:
    """http, https, socks5 and socks5h, a host, a port SOCKS cannot do without."""
    assert proxy_url_error(url) == error


async def test_user_flow_checks_through_the_proxy(
    hass: HomeAssistant,
    fake_tiktok: FakeTikTok,
    creator: FakeCreator,
    proxy: FakeProxy,
    flows_only: None,
    fake_endpoints: None,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A bad format, a refusing proxy, then the right one: stored as an option."""
    caplog.set_level(logging.DEBUG)
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}
    )
    flow_id = result["flow_id"]

    def typed(proxy_url: str) -> dict[str, Any]:
        return {
            "creator": "@streamer",
            "advanced": {
                CONF_SIGN_SERVER_URL: fake_tiktok.sign_server_url,
                CONF_PROXY_URL: proxy_url,
            },
        }

    result = await hass.config_entries.flow.async_configure(
        flow_id, typed("socks5://127.0.0.1")
    )
    assert result["errors"] == {"advanced": "invalid_proxy_port"}
    assert fake_tiktok.requests == []
    proxy.refuse = True
    result = await hass.config_entries.flow.async_configure(flow_id, typed(proxy.url))
    assert result["errors"] == {"base": "proxy_refused"}
    # What was typed stays, password included: it was not what failed.
    assert suggested(result)["advanced"][CONF_PROXY_URL] == proxy.url
    assert all("{" not in text for text in await shown_texts(hass, result))
    proxy.refuse = False
    result = await hass.config_entries.flow.async_configure(
        flow_id, typed(proxy.url.replace(PASSWORD, "wrong"))
    )
    assert result["errors"] == {"base": "proxy_auth"}
    result = await hass.config_entries.flow.async_configure(
        flow_id, typed(f" {proxy.url}/ ")
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["result"].options == {CONF_PROXY_URL: proxy.url}
    assert CONF_PROXY_URL not in result["data"]
    assert through(fake_tiktok, proxy)
    no_password(caplog)


async def test_user_flow_proxy_unreachable(
    hass: HomeAssistant,
    fake_tiktok: FakeTikTok,
    creator: FakeCreator,
    flows_only: None,
    fake_endpoints: None,
    socket_enabled: None,
) -> None:
    """Nothing listens at the proxy's address: said as such, not "cannot connect"."""
    async with FakeProxy("http") as gone:
        url = gone.url
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}
    )
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {
            "creator": "@streamer",
            "advanced": {
                CONF_SIGN_SERVER_URL: fake_tiktok.sign_server_url,
                CONF_PROXY_URL: url,
            },
        },
    )
    assert result["errors"] == {"base": "proxy_unreachable"}


async def test_reconfigure_shows_the_proxy_without_its_password(
    hass: HomeAssistant,
    fake_tiktok: FakeTikTok,
    creator: FakeCreator,
    proxy: FakeProxy,
    flows_only: None,
) -> None:
    """The password shows masked; sent back masked it stays; emptied, no proxy."""
    entry = make_entry(fake_tiktok, options={CONF_PROXY_URL: proxy.url})
    entry.add_to_hass(hass)
    result = await entry.start_reconfigure_flow(hass)
    shown = suggested(result)[CONF_PROXY_URL]
    assert PASSWORD not in shown
    assert shown == proxy.url.replace(PASSWORD, PROXY_PASSWORD_MASK)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"creator": "@streamer", CONF_PROXY_URL: shown}
    )
    assert result["reason"] == "reconfigure_successful"
    assert entry.options[CONF_PROXY_URL] == proxy.url
    assert through(fake_tiktok, proxy)

    # The mask sent to another proxy is no password of ours.
    result = await entry.start_reconfigure_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {
            "creator": "@streamer",
            CONF_PROXY_URL: shown.replace(str(proxy.port), str(proxy.port + 1)),
        },
    )
    assert result["errors"] == {"base": "proxy_unreachable"}

    result = await entry.start_reconfigure_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"creator": "@streamer"}
    )
    assert result["reason"] == "reconfigure_successful"
    assert CONF_PROXY_URL not in entry.options


async def test_options_flow_tries_a_new_proxy(
    hass: HomeAssistant,
    fake_tiktok: FakeTikTok,
    creator: FakeCreator,
    proxy: FakeProxy,
    flows_only: None,
) -> None:
    """A new proxy is tried before it is kept; the other options stay as they were."""
    entry = make_entry(fake_tiktok)
    entry.add_to_hass(hass)
    options = {
        CONF_BUS_EVENT_TYPES: ["gift"],
        CONF_CONNECTION_METHOD: "direct",
        CONF_LIKE_MILESTONE: 100.0,
        CONF_OFFLINE_CHECK_INTERVAL: 60.0,
    }
    result = await hass.config_entries.options.async_init(entry.entry_id)
    assert CONF_PROXY_URL not in suggested(result)
    proxy.refuse = True
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {**options, CONF_PROXY_URL: proxy.url}
    )
    assert result["errors"] == {CONF_PROXY_URL: "proxy_refused"}
    assert suggested(result)[CONF_PROXY_URL] == proxy.url
    texts = await shown_texts(hass, result, kind="options")
    assert (
        "The proxy refuses to connect to TikTok or the sign server. Check its rules."
        in texts
    )
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {**options, CONF_PROXY_URL: "socks5://h"}
    )
    assert result["errors"] == {CONF_PROXY_URL: "invalid_proxy_port"}
    proxy.refuse = False
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {**options, CONF_PROXY_URL: proxy.url}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert entry.options == {
        CONF_BUS_EVENT_TYPES: ["gift"],
        CONF_CONNECTION_METHOD: "direct",
        CONF_LIKE_MILESTONE: 100,
        CONF_OFFLINE_CHECK_INTERVAL: 60,
        CONF_PROXY_URL: proxy.url,
    }
    # Shown masked next time; kept when sent back so.
    result = await hass.config_entries.options.async_init(entry.entry_id)
    shown = suggested(result)[CONF_PROXY_URL]
    assert PASSWORD not in shown
    requests = len(fake_tiktok.requests)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {**options, CONF_PROXY_URL: shown}
    )
    assert entry.options[CONF_PROXY_URL] == proxy.url
    assert len(fake_tiktok.requests) == requests  # unchanged: nothing to try
