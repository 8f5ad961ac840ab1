"""Building TikTok LIVE clients from config entry data."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import aiohttp
from aiohttp_socks import ProxyConnector
from homeassistant.core import HomeAssistant
from homeassistant.helpers.aiohttp_client import async_create_clientsession
from homeassistant.util import ssl as ssl_util
from yarl import URL

from .const import (
    CONF_PUSH_URL,
    CONF_SESSION_ID,
    CONF_SESSION_TRUSTED_HOST,
    CONF_SIGN_API_KEY,
    CONF_SIGN_SERVER_URL,
    CONF_TT_TARGET_IDC,
    CONF_WEB_URL,
    CONF_WEBCAST_URL,
)
from .webcast import (
    DEFAULT_DIRECT_PUSH_URL,
    DEFAULT_SIGN_SERVER_URL,
    DEFAULT_WEB_URL,
    DEFAULT_WEBCAST_URL,
    RequestPacer,
    TikTokLiveClient,
)
from .webcast.proxy import SOCKS_PROXY_SCHEMES


def sign_server_url(data: Mapping[str, Any]) -> str:
    """The sign server an entry uses."""
    return str(data.get(CONF_SIGN_SERVER_URL) or DEFAULT_SIGN_SERVER_URL)


def sign_server_may_sign(data: Mapping[str, Any]) -> bool:
    """Whether the sign server can be used: no session, or one trusted to it.

    A session the user keeps for TikTok only rules the sign server out (it
    would sign without it, and an age-restricted room needs it).
    """
    if not data.get(CONF_SESSION_ID):
        return True
    return data.get(CONF_SESSION_TRUSTED_HOST) == sign_server_host(
        sign_server_url(data)
    )


def sign_server_host(url: str | None) -> str:
    """The host a TikTok session is trusted to: an opt-in names one server."""
    return URL(url or DEFAULT_SIGN_SERVER_URL).host or ""


def is_socks(proxy: str | None) -> bool:
    """Whether ``proxy`` is a SOCKS proxy (it then lives in a connector of its own)."""
    return bool(proxy) and URL(str(proxy)).scheme in SOCKS_PROXY_SCHEMES


def create_session(
    hass: HomeAssistant, *, proxy: str | None = None, auto_cleanup: bool = True
) -> aiohttp.ClientSession:
    """A session of our own: TikTok's cookies must not land in the shared jar.

    Through a SOCKS proxy, it has a connector of its own (names resolved by
    the proxy): close it with async_release_session. Otherwise it shares
    Home Assistant's connector.
    """
    if is_socks(proxy):
        connector = ProxyConnector.from_url(
            str(proxy), rdns=True, ssl=ssl_util.get_default_context()
        )
        return aiohttp.ClientSession(
            connector=connector, cookie_jar=aiohttp.DummyCookieJar()
        )
    return async_create_clientsession(
        hass, auto_cleanup=auto_cleanup, cookie_jar=aiohttp.DummyCookieJar()
    )


async def async_release_session(
    session: aiohttp.ClientSession, proxy: str | None
) -> None:
    """Let go of a session from create_session: close our own, detach a shared one."""
    if is_socks(proxy):
        await session.close()
    else:
        # Home Assistant's sessions share its connector: detach, never close.
        session.detach()


def create_client(
    data: Mapping[str, Any],
    session: aiohttp.ClientSession,
    *,
    pacer: RequestPacer | None = None,
    proxy: str | None = None,
) -> TikTokLiveClient:
    """Build a client from config entry data (also used by the flows)."""
    sign_url = sign_server_url(data)
    session_id = data.get(CONF_SESSION_ID)
    return TikTokLiveClient(
        session,
        web_url=str(data.get(CONF_WEB_URL) or DEFAULT_WEB_URL),
        webcast_url=str(data.get(CONF_WEBCAST_URL) or DEFAULT_WEBCAST_URL),
        direct_push_url=str(data.get(CONF_PUSH_URL) or DEFAULT_DIRECT_PUSH_URL),
        proxy=None if is_socks(proxy) else proxy,
        socks_proxy=proxy if is_socks(proxy) else None,
        sign_server_url=sign_url,
        sign_api_key=str(data[CONF_SIGN_API_KEY])
        if data.get(CONF_SIGN_API_KEY)
        else None,
        session_id=str(session_id) if session_id else None,
        tt_target_idc=str(data.get(CONF_TT_TARGET_IDC) or "useast1a"),
        # The session goes to the sign server only if the user opted in for
        # exactly this server; changing the URL withdraws the opt-in.
        trust_sign_server_with_session=bool(session_id)
        and data.get(CONF_SESSION_TRUSTED_HOST) == sign_server_host(sign_url),
        pacer=pacer,
    )
