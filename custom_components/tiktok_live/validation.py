"""Checks the flows run against TikTok before they store anything."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
import ipaddress
import logging
import re
from typing import Any, Final
from urllib.parse import SplitResult, urlsplit

from homeassistant.core import HomeAssistant

from .api import (
    async_release_session,
    create_client,
    create_session,
    sign_server_host,
)
from .const import (
    CONF_CREATOR,
    CONF_PROXY_URL,
    CONF_SESSION_ID,
    CONF_SIGN_API_KEY,
    CONF_SIGN_SERVER_URL,
    CONF_TT_TARGET_IDC,
    CONF_UNIQUE_ID,
    LOGGER,
)
from .webcast import (
    AgeRestrictedError,
    Creator,
    SignAPIError,
    SignAPIKeyInvalidError,
    SignatureRateLimitError,
    TikTokLiveClient,
    TikTokLiveError,
    UserNotFoundError,
    UserOfflineError,
    WebcastConnectionError,
    WebcastProxyError,
)

__all__ = [
    "CONF_ADVANCED",
    "CONF_TRUST_SIGN_SERVER",
    "api_key_error",
    "async_validate_api_key",
    "async_validate_creator",
    "async_validate_proxy",
    "async_validate_session",
    "creator_error",
    "input_errors",
    "proxy_url_error",
    "session_errors",
    "sign_server_host",
    "sign_server_url_error",
]

CONF_ADVANCED: Final = "advanced"
CONF_TRUST_SIGN_SERVER: Final = "trust_sign_server"

HTTP_TOO_MANY_REQUESTS: Final = 429

# The creator field takes TikTok links only: tiktok.com and its subdomains.
TIKTOK_DOMAIN: Final = "tiktok.com"
# Short links redirect to the profile or video; resolving them needs a request
# to TikTok that the form does not make, so they are refused with a hint.
SHORT_LINK_HOSTS: Final = frozenset({"vm.tiktok.com", "vt.tiktok.com"})
SHORT_LINK_PATH: Final = "/t/"
# A cookie value as RFC 6265 allows it (cookie-octet): printable ASCII but
# space, '"', ',', ';' and '\\'. TikTok's sessionid and tt-target-idc are such.
_COOKIE_VALUE: Final = re.compile(r"[\x21\x23-\x2b\x2d-\x3a\x3c-\x5b\x5d-\x7e]+")
_HOST_LABEL: Final = re.compile(r"(?!-)[a-z0-9-]{1,63}(?<!-)")
# What a URL path may hold unencoded (RFC 3986 pchar and "/"), "%" included.
_URL_PATH: Final = re.compile(r"[A-Za-z0-9\-._~!$&'()*+,;=:@%/]*")
_HTTP_SCHEMES: Final = ("http", "https")
# What the client can go through: aiohttp's own HTTP(S) proxy support, and
# SOCKS5 through aiohttp-socks (socks5h: names resolved by the proxy, which
# the client does for socks5 as well).
_PROXY_SCHEMES: Final = ("http", "https", "socks5", "socks5h")
_SOCKS_SCHEMES: Final = ("socks5", "socks5h")


# ---------------------------------------------------------------- formats
#
# What a form field must look like, checked before anything is sent: a
# malformed value gets a clear error of its own instead of a failed request
# (a line break in an API key is refused by aiohttp with a traceback).


def _link_parts(text: str) -> SplitResult | None:
    """The parts of a typed link, or None when the text is not a link.

    A link has a scheme ("https://...") or starts with a domain and a path
    ("www.tiktok.com/@x"); "@x" and "x/live" are handles.
    """
    first, slash, _ = text.partition("/")
    if "://" not in text and not (slash and "." in first and first[:1] != "@"):
        return None
    try:
        return urlsplit(text if "://" in text else f"https://{text}")
    except ValueError:  # a broken [IPv6] host
        return SplitResult("", "", "", "", "")


def creator_error(typed: str) -> str | None:
    """Why the typed creator is not a TikTok handle or TikTok link, if it is not."""
    text = typed.strip()
    parts = _link_parts(text)
    if parts is not None:
        host = (parts.hostname or "").rstrip(".")
        if parts.scheme.lower() not in _HTTP_SCHEMES or not host:
            return "invalid_creator"
        if host in SHORT_LINK_HOSTS or (
            _is_tiktok(host) and parts.path.startswith(SHORT_LINK_PATH)
        ):
            return "short_link"
        if not _is_tiktok(host):
            return "not_tiktok_link"
    try:
        TikTokLiveClient.parse_unique_id(text)
    except ValueError:
        return "invalid_creator"
    return None


def _is_tiktok(host: str) -> bool:
    return host == TIKTOK_DOMAIN or host.endswith(f".{TIKTOK_DOMAIN}")


def api_key_error(key: str) -> str | None:
    """Why a (trimmed) API key cannot be sent as a header value, if it cannot."""
    if not key or not key.isprintable():
        # Empty, or a line break, tab or invisible character inside.
        return "invalid_api_key_format"
    return None


def session_errors(data: Mapping[str, Any]) -> dict[str, str]:
    """Format errors of a (trimmed) session and data centre: both go out as cookies."""
    errors: dict[str, str] = {}
    if _COOKIE_VALUE.fullmatch(str(data.get(CONF_SESSION_ID) or "")) is None:
        errors[CONF_SESSION_ID] = "invalid_session_format"
    if _COOKIE_VALUE.fullmatch(str(data.get(CONF_TT_TARGET_IDC) or "")) is None:
        errors[CONF_TT_TARGET_IDC] = "invalid_tt_target_idc"
    return errors


def sign_server_url_error(url: str) -> str | None:
    """Why a (trimmed) sign server URL is not http(s)://host[:port][/path], if so."""
    if not url:
        return None  # the default sign server
    if not url.isprintable() or any(char.isspace() for char in url):
        return "invalid_sign_server_url"
    try:
        parts = urlsplit(url)
    except ValueError:  # a broken [IPv6] host
        return "invalid_sign_server_url"
    if (
        parts.scheme.lower() not in _HTTP_SCHEMES
        or not url.lower().startswith(f"{parts.scheme.lower()}://")
        or parts.username is not None
        or parts.password is not None
        or "?" in url
        or "#" in url
        or not _valid_host(parts)
        or _URL_PATH.fullmatch(parts.path) is None
    ):
        return "invalid_sign_server_url"
    try:
        port = parts.port
    except ValueError:  # not a number, or above 65535
        return "invalid_sign_server_port"
    if port == 0:
        return "invalid_sign_server_port"
    return None


def proxy_url_error(url: str) -> str | None:
    """Why a (trimmed) proxy URL is not scheme://[user:password@]host[:port], if so.

    The scheme is http, https, socks5 or socks5h; a SOCKS proxy has no
    default port, so it needs one.
    """
    if not url:
        return None  # no proxy
    if not url.isprintable() or any(char.isspace() for char in url):
        return "invalid_proxy_url"
    try:
        parts = urlsplit(url)
    except ValueError:  # a broken [IPv6] host
        return "invalid_proxy_url"
    scheme = parts.scheme.lower()
    if (
        scheme not in _PROXY_SCHEMES
        or not url.lower().startswith(f"{scheme}://")
        or parts.path not in ("", "/")
        or "?" in url
        or "#" in url
        or not _valid_host(parts)
    ):
        return "invalid_proxy_url"
    try:
        port = parts.port
    except ValueError:  # not a number, or above 65535
        return "invalid_proxy_port"
    if port == 0 or (port is None and scheme in _SOCKS_SCHEMES):
        return "invalid_proxy_port"
    return None


def _valid_host(parts: SplitResult) -> bool:
    host = parts.hostname or ""
    if "[" in parts.netloc:
        try:
            ipaddress.IPv6Address(host)
        except ValueError:
            return False
        return True
    try:
        ascii_host = host.encode("idna").decode("ascii")
    except UnicodeError:
        return False
    labels = ascii_host.split(".")
    return all(_HOST_LABEL.fullmatch(label) for label in labels)


def input_errors(
    data: Mapping[str, Any],
    *,
    url_error_key: str = CONF_SIGN_SERVER_URL,
    proxy_error_key: str = CONF_PROXY_URL,
) -> dict[str, str]:
    """Format errors of the creator, key, sign server URL and proxy a form holds.

    ``data`` holds trimmed values. A URL's error goes under ``url_error_key``
    or ``proxy_error_key``: the section that holds the field, where there is
    one (Home Assistant 2025.4 shows no error for a field inside a section).
    """
    errors: dict[str, str] = {}
    if CONF_CREATOR in data:
        creator = creator_error(str(data[CONF_CREATOR] or ""))
        if creator:
            errors[CONF_CREATOR] = creator
    if data.get(CONF_SIGN_API_KEY) is not None:
        key = api_key_error(str(data[CONF_SIGN_API_KEY]))
        if key:
            errors[CONF_SIGN_API_KEY] = key
    url = sign_server_url_error(str(data.get(CONF_SIGN_SERVER_URL) or ""))
    if url:
        errors[url_error_key] = url
    proxy = proxy_url_error(str(data.get(CONF_PROXY_URL) or ""))
    if proxy and proxy_error_key not in errors:
        errors[proxy_error_key] = proxy
    return errors


def _error_key(err: Exception) -> str:
    """The form error for a failed check."""
    match err:
        case UserNotFoundError():
            return "user_not_found"
        case SignatureRateLimitError():
            return "rate_limited"
        case WebcastConnectionError() if err.status == HTTP_TOO_MANY_REQUESTS:
            return "rate_limited"
        case SignAPIKeyInvalidError():
            return "invalid_api_key"
        case AgeRestrictedError():
            return "invalid_session"
        # Before the general case: the proxy, not TikTok, is what to fix.
        case WebcastProxyError(kind=WebcastProxyError.AUTH):
            return "proxy_auth"
        case WebcastProxyError(kind=WebcastProxyError.REFUSED):
            return "proxy_refused"
        case WebcastProxyError():
            return "proxy_unreachable"
        case WebcastConnectionError() | SignAPIError():
            return "cannot_connect"
        case _:
            return "unknown"


async def _with_client[T](
    hass: HomeAssistant,
    data: Mapping[str, Any],
    check: Callable[[TikTokLiveClient], Awaitable[T]],
) -> tuple[T | None, dict[str, str]]:
    """Run one check on a throw-away session; map failures to a form error.

    Through the proxy ``data`` names, as the entry will connect.
    """
    proxy = str(data[CONF_PROXY_URL]) if data.get(CONF_PROXY_URL) else None
    session = create_session(hass, proxy=proxy, auto_cleanup=False)
    try:
        return await check(create_client(data, session, proxy=proxy)), {}
    except TikTokLiveError as err:
        key = _error_key(err)
        # The form promises the details are in the log for "unknown"; the
        # client's messages never contain the key or the session.
        LOGGER.log(
            logging.WARNING if key == "unknown" else logging.DEBUG,
            "Checking the creator failed (%s): %s",
            key,
            err,
        )
        return None, {"base": key}
    except Exception:  # noqa: BLE001 - a form error beats a crashed flow
        LOGGER.exception("Unexpected error while checking the creator")
        return None, {"base": "unknown"}
    finally:
        await async_release_session(session, proxy)


async def async_validate_creator(
    hass: HomeAssistant, data: Mapping[str, Any]
) -> tuple[Creator | None, dict[str, str]]:
    """Resolve the typed creator to TikTok's account, live or not."""
    typed = str(data.get(CONF_CREATOR) or data.get(CONF_UNIQUE_ID) or "")
    error = creator_error(typed)
    if error:
        return None, {CONF_CREATOR: error}
    unique_id = TikTokLiveClient.parse_unique_id(typed)
    return await _with_client(
        hass, data, lambda client: client.resolve_creator(unique_id)
    )


async def async_validate_proxy(
    hass: HomeAssistant, data: Mapping[str, Any]
) -> dict[str, str]:
    """Reach TikTok through the proxy ``data`` names: the creator's live check."""
    unique_id = str(data[CONF_UNIQUE_ID])
    _, errors = await _with_client(
        hass, data, lambda client: client.resolve_creator(unique_id)
    )
    return errors


async def async_validate_api_key(
    hass: HomeAssistant, data: Mapping[str, Any]
) -> dict[str, str]:
    """Ask the sign server whether it accepts the key."""
    _, errors = await _with_client(
        hass, data, lambda client: client.fetch_sign_rate_limits()
    )
    return errors


async def async_validate_session(
    hass: HomeAssistant, data: Mapping[str, Any]
) -> dict[str, str]:
    """With the session, the creator's room info must no longer be age restricted."""

    async def _check(client: TikTokLiveClient) -> None:
        try:
            room_id = await client.fetch_room_id(str(data[CONF_UNIQUE_ID]))
        except UserOfflineError:
            # Nothing to check against while offline; the next stream will tell.
            return
        if (await client.fetch_room_info(room_id)).withheld:
            # With a good adult session TikTok shows the room. Withheld can
            # also be a passing captcha: the form says to try again.
            raise AgeRestrictedError("TikTok still withholds the room")

    _, errors = await _with_client(hass, data, _check)
    return errors
