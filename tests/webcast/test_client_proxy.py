"""Everything through a proxy: TikTok, the sign server and the WebSocket, HTTP or SOCKS5.

A proxy that refuses, refuses the credentials or is gone is a WebcastProxyError
that names the proxy without its credentials.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
from aiohttp.client_reqrep import RequestInfo
from aiohttp_socks import ProxyConnector
from multidict import CIMultiDict, CIMultiDictProxy
import pytest
from yarl import URL

from custom_components.tiktok_live.webcast import (
    CommentEvent,
    ConnectMethod,
    TikTokLiveClient,
    WebcastProxyError,
)
from custom_components.tiktok_live.webcast.proxy import as_proxy_error
from tests.fake_tiktok import FakeCreator, FakeTikTok, messages
from tests.fake_tiktok.proxy import FakeProxy

from .conftest import CREATOR, FAN, Reader, raises

USER, PASSWORD = "proxy-user", "pr0xy-s3cret"


@pytest.fixture
async def http_proxy(socket_enabled: None) -> AsyncIterator[FakeProxy]:
    async with FakeProxy("http", username=USER, password=PASSWORD) as proxy:
        yield proxy


@pytest.fixture
async def socks_proxy(socket_enabled: None) -> AsyncIterator[FakeProxy]:
    async with FakeProxy("socks5", username=USER, password=PASSWORD) as proxy:
        yield proxy


def client_for(
    fake: FakeTikTok, session: aiohttp.ClientSession, **kwargs: object
) -> TikTokLiveClient:
    return TikTokLiveClient(
        session,
        web_url=fake.web_url,
        webcast_url=fake.webcast_url,
        sign_server_url=fake.sign_server_url,
        direct_push_url=fake.direct_push_url,
        request_timeout=5.0,
        **kwargs,  # type: ignore[arg-type]
    )


async def stream_one_comment(
    fake: FakeTikTok,
    creator: FakeCreator,
    client: TikTokLiveClient,
    method: ConnectMethod,
) -> None:
    connection = await client.connect(CREATOR, method=method)
    reader = Reader(connection)
    await fake.wait_connected(creator)
    await fake.push(creator, messages.comment(FAN, "through the proxy"))
    await reader.until_count(CommentEvent)
    await connection.close()
    await reader.finished()


@pytest.mark.parametrize("method", list(ConnectMethod))
async def test_everything_through_an_http_proxy(
    fake: FakeTikTok,
    creator: FakeCreator,
    session: aiohttp.ClientSession,
    http_proxy: FakeProxy,
    method: ConnectMethod,
) -> None:
    """Every request and the WebSocket go through the proxy, with its credentials."""
    client = client_for(fake, session, proxy=http_proxy.url)
    await stream_one_comment(fake, creator, client, method)
    assert {r.peer_port for r in fake.requests} <= http_proxy.upstream_ports
    assert http_proxy.refused == 0
    if method is ConnectMethod.SIGN_SERVER:
        assert fake.sign_requests()


@pytest.mark.parametrize("method", list(ConnectMethod))
async def test_everything_through_a_socks5_proxy(
    fake: FakeTikTok,
    creator: FakeCreator,
    socks_proxy: FakeProxy,
    method: ConnectMethod,
) -> None:
    """SOCKS5 lives in the session's connector; names resolve at the proxy."""
    connector = ProxyConnector.from_url(socks_proxy.url, rdns=True)
    async with aiohttp.ClientSession(connector=connector) as session:
        client = client_for(fake, session, socks_proxy=socks_proxy.url)
        await stream_one_comment(fake, creator, client, method)
    assert {r.peer_port for r in fake.requests} <= socks_proxy.upstream_ports


@pytest.mark.parametrize("kind", ["http", "socks5"])
async def test_a_proxy_that_refuses(
    fake: FakeTikTok, creator: FakeCreator, socket_enabled: None, kind: str
) -> None:
    """Refused, wrong credentials, gone: each its own kind; no credential in any text."""
    async with FakeProxy(kind, username=USER, password=PASSWORD) as proxy:
        wrong = proxy.url.replace(PASSWORD, "wrong-pass")
        # An HTTP proxy refuses a plain-http request with an answer, which
        # names the proxy in its Proxy-Status header (RFC 9209); TikTok's
        # https goes through CONNECT (see test_connect_refusals_are_proxy_errors).
        cases = [
            (wrong, WebcastProxyError.AUTH, False),
            (proxy.url, WebcastProxyError.REFUSED, True),
        ]
        for url, expected, refuse in cases:
            proxy.refuse = refuse
            async with _session_for(url) as session:
                client = client_for(fake, session, **_proxy_kwargs(url))
                err = await raises(
                    WebcastProxyError,
                    client.check_live(CREATOR),
                    secrets=(PASSWORD, USER, "wrong-pass"),
                )
                assert err.kind == expected, err
                assert f"127.0.0.1:{proxy.port}" in str(err)
        port = proxy.port
    gone = proxy.url  # the proxy stopped: nothing listens there any more
    async with _session_for(gone) as session:
        client = client_for(fake, session, **_proxy_kwargs(gone))
        err = await raises(
            WebcastProxyError, client.check_live(CREATOR), secrets=(PASSWORD, USER)
        )
        assert err.kind == WebcastProxyError.UNREACHABLE
        assert f"127.0.0.1:{port}" in str(err)
    assert not fake.requests


@pytest.mark.parametrize(
    ("status", "kind"),
    [(407, WebcastProxyError.AUTH), (403, WebcastProxyError.REFUSED)],
)
def test_connect_refusals_are_proxy_errors(status: int, kind: str) -> None:
    """aiohttp's error for a refused CONNECT (https targets) names the proxy only."""
    refused = aiohttp.ClientHttpProxyError(
        RequestInfo(
            URL("https://www.tiktok.com/"),
            "GET",
            CIMultiDictProxy(CIMultiDict()),
            URL("https://www.tiktok.com/"),
        ),
        (),
        status=status,
    )
    err = as_proxy_error(refused, f"http://{USER}:{PASSWORD}@proxy.lan:3128")
    assert err is not None
    assert err.kind == kind
    assert "http://proxy.lan:3128" in str(err)
    assert PASSWORD not in str(err)
    assert USER not in str(err)


def _proxy_kwargs(url: str) -> dict[str, str]:
    return {"socks_proxy": url} if url.startswith("socks") else {"proxy": url}


def _session_for(url: str) -> aiohttp.ClientSession:
    if url.startswith("socks"):
        return aiohttp.ClientSession(connector=ProxyConnector.from_url(url, rdns=True))
    return aiohttp.ClientSession()
