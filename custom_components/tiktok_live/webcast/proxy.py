"""A proxy between the client and TikTok: what its failures mean, and its name without secrets.

HTTP(S) proxies go through aiohttp's own proxy support (``proxy=`` on every
request and on the WebSocket). SOCKS proxies need a connector of their own
(aiohttp-socks, built by whoever creates the aiohttp session), whose errors
are its own.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

import aiohttp
from aiohttp_socks import (
    ProxyConnectionError as SocksConnectionError,
    ProxyError as SocksError,
    ProxyTimeoutError as SocksTimeoutError,
)
from yarl import URL

from .errors import WebcastProxyError

# Whatever a request can raise when the network, the server or a proxy fails.
NETWORK_ERRORS: Final = (
    TimeoutError,
    aiohttp.ClientError,
    OSError,
    SocksError,
    SocksConnectionError,
    SocksTimeoutError,
)

HTTP_PROXY_SCHEMES: Final = frozenset({"http", "https"})
SOCKS_PROXY_SCHEMES: Final = frozenset({"socks5", "socks5h", "socks4"})
HTTP_PROXY_AUTHENTICATION_REQUIRED: Final = 407


def proxy_name(url: str | None) -> str:
    """The proxy as users may see it: scheme, host and port, never credentials."""
    if not url:
        return ""
    proxy = URL(url)
    port = f":{proxy.explicit_port}" if proxy.explicit_port else ""
    return f"{proxy.scheme}://{proxy.host or ''}{port}"


def proxy_refusal(
    status: int, headers: Mapping[str, str], proxy: str | None
) -> WebcastProxyError | None:
    """An HTTP proxy's own refusal of a forwarded (plain http) request, if that is one.

    Requests to https hosts (TikTok's) go through CONNECT, where aiohttp
    raises the proxy's refusals; a plain-http request gets them as answers:
    a 407 asking for credentials, or an error the proxy names as its own in
    a Proxy-Status header (RFC 9209).
    """
    if not proxy:
        return None
    if status == HTTP_PROXY_AUTHENTICATION_REQUIRED and "Proxy-Authenticate" in headers:
        return WebcastProxyError(
            f"The proxy {proxy_name(proxy)} refused the credentials (HTTP 407)",
            kind=WebcastProxyError.AUTH,
        )
    if status >= 400 and "error=" in headers.get("Proxy-Status", ""):
        return WebcastProxyError(
            f"The proxy {proxy_name(proxy)} refused the connection (HTTP {status})",
            kind=WebcastProxyError.REFUSED,
        )
    return None


def as_proxy_error(err: BaseException, proxy: str | None) -> WebcastProxyError | None:
    """The proxy's failure in ``err``, if that is what it is."""
    name = proxy_name(proxy)
    match err:
        case (
            aiohttp.ClientProxyConnectionError()
            | SocksConnectionError()
            | (SocksTimeoutError())
        ):
            return WebcastProxyError(
                f"The proxy {name} cannot be reached",
                kind=WebcastProxyError.UNREACHABLE,
            )
        case aiohttp.ClientHttpProxyError() if (
            err.status == HTTP_PROXY_AUTHENTICATION_REQUIRED
        ):
            return WebcastProxyError(
                f"The proxy {name} refused the credentials (HTTP 407)",
                kind=WebcastProxyError.AUTH,
            )
        case aiohttp.ClientHttpProxyError():
            return WebcastProxyError(
                f"The proxy {name} refused the connection (HTTP {err.status})",
                kind=WebcastProxyError.REFUSED,
            )
        case SocksError():
            # The SOCKS reply says why, in its text: authentication or a refusal.
            text = str(err).lower()
            kind = (
                WebcastProxyError.AUTH
                if "auth" in text or "credential" in text
                else WebcastProxyError.REFUSED
            )
            return WebcastProxyError(
                f"The proxy {name} refused the connection", kind=kind
            )
    return None
