"""Building TikTok LIVE clients from config entry data."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import aiohttp
from homeassistant.core import HomeAssistant
from homeassistant.helpers.aiohttp_client import async_create_clientsession
from yarl import URL

from .const import (
    CONF_SESSION_ID,
    CONF_SESSION_TRUSTED_HOST,
    CONF_SIGN_API_KEY,
    CONF_SIGN_SERVER_URL,
    CONF_TT_TARGET_IDC,
    CONF_WEB_URL,
    CONF_WEBCAST_URL,
)
from .webcast import (
    DEFAULT_SIGN_SERVER_URL,
    DEFAULT_WEB_URL,
    DEFAULT_WEBCAST_URL,
    RequestPacer,
    TikTokLiveClient,
)


def sign_server_url(data: Mapping[str, Any]) -> str:
    """The sign server an entry uses."""
    return str(data.get(CONF_SIGN_SERVER_URL) or DEFAULT_SIGN_SERVER_URL)


def sign_server_host(url: str | None) -> str:
    """The host a TikTok session is trusted to: an opt-in names one server."""
    return URL(url or DEFAULT_SIGN_SERVER_URL).host or ""


def create_session(
    hass: HomeAssistant, *, auto_cleanup: bool = True
) -> aiohttp.ClientSession:
    """A session of our own: TikTok's cookies must not land in the shared jar."""
    return async_create_clientsession(
        hass, auto_cleanup=auto_cleanup, cookie_jar=aiohttp.DummyCookieJar()
    )


def create_client(
    data: Mapping[str, Any],
    session: aiohttp.ClientSession,
    *,
    pacer: RequestPacer | None = None,
) -> TikTokLiveClient:
    """Build a client from config entry data (also used by the flows)."""
    sign_url = sign_server_url(data)
    session_id = data.get(CONF_SESSION_ID)
    return TikTokLiveClient(
        session,
        web_url=str(data.get(CONF_WEB_URL) or DEFAULT_WEB_URL),
        webcast_url=str(data.get(CONF_WEBCAST_URL) or DEFAULT_WEBCAST_URL),
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
