"""The sign server: it fetches TikTok's first, signed webcast result for us.

Every failure maps to one SignAPIError subclass, checked in a fixed order, and
none of them can be a KeyError or TypeError from a missing header or field.
The API key and the TikTok session never appear in a message or a log line.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from http.cookies import CookieError, SimpleCookie
import json
import logging
import time
from typing import Any, Final

import aiohttp
from yarl import URL

from .const import CLIENT_NAME, CLIENT_VERSION, GIFT_TYPE_STREAKABLE
from .errors import (
    PremiumEndpointError,
    SignAPIError,
    SignAPIKeyInvalidError,
    SignatureMissingTokensError,
    SignatureRateLimitError,
    SignResponse,
    UnexpectedSignatureError,
)
from .models import GiftInfo
from .pacing import RequestPacer
from .proto import webcast_pb2 as pb
from .proxy import NETWORK_ERRORS, as_proxy_error, proxy_refusal

_LOGGER = logging.getLogger(__name__)

# Headers that carry credentials are kept out of error snapshots.
_PRIVATE_HEADERS: Final = frozenset({"set-cookie", "x-set-tt-cookie"})
DEFAULT_RETRY_AFTER: Final = 60
# RateLimit-Reset values below this are seconds from now, not a unix time.
_UNIX_TIME_THRESHOLD: Final = 10**9
# Who we are to the sign server: our own name, never another library's id.
SIGN_CLIENT_ID: Final = CLIENT_NAME
SIGN_USER_AGENT: Final = f"{CLIENT_NAME}/{CLIENT_VERSION}"
# A sign server answering these for a current-layout path does not have it
# (an older or third-party server): the legacy path is asked instead.
_LAYOUT_MISSING: Final = frozenset({404, 405, 410})


# No answer we read (LIVE page, JSON, fetch result) comes near this; a
# misconfigured or hostile server must not fill the host's memory.
MAX_HTTP_BODY: Final = 8 * 1024 * 1024

# A gift list: TikTok's panel holds a few hundred. Entries past this many are
# not looked at; a name or URL longer than these is cut or dropped.
MAX_GIFTS: Final = 2000
MAX_GIFT_NAME: Final = 256
MAX_GIFT_URL: Final = 2048


class BodyTooLargeError(Exception):
    """An HTTP answer longer than MAX_HTTP_BODY."""


async def read_capped(
    response: aiohttp.ClientResponse, limit: int = MAX_HTTP_BODY
) -> bytes:
    """The whole body, or BodyTooLargeError as soon as it passes ``limit``."""
    chunks: list[bytes] = []
    size = 0
    async for chunk in response.content.iter_chunked(64 * 1024):
        size += len(chunk)
        if size > limit:
            raise BodyTooLargeError
        chunks.append(chunk)
    return b"".join(chunks)


@dataclass(frozen=True, slots=True)
class SignedFetch:
    """The first fetch result and the cookies that go with it."""

    result: pb.FetchResult
    cookies: Mapping[str, str]
    log_id: str | None
    agent_id: str | None


class Redactor:
    """Blanks out our secrets in text the sign server sends back.

    A sign server may echo the key or the session it was given (in a message
    or a header); that text ends up in exceptions and logs.
    """

    def __init__(self, *secrets: str | None) -> None:
        """Hide every non-empty one of ``secrets``."""
        self._secrets = tuple(s for s in secrets if s)

    def __call__(self, text: str) -> str:
        """``text`` with every secret replaced."""
        for secret in self._secrets:
            text = text.replace(secret, "**REDACTED**")
        return text

    def snapshot(self, response: aiohttp.ClientResponse) -> SignResponse:
        """Status and headers of ``response``, without cookies or secrets."""
        return SignResponse.from_headers(
            response.status,
            {
                k: self(v)
                for k, v in response.headers.items()
                if k.lower() not in _PRIVATE_HEADERS
            },
        )

    def server_message(self, body: bytes, key: str = "message") -> str | None:
        """A string field of a JSON error body, if there is one."""
        try:
            data = json.loads(body)
        except (ValueError, RecursionError):
            return None
        if isinstance(data, dict) and isinstance(data.get(key), str):
            return self(str(data[key])) or None
        return None


def _int_header(headers: Mapping[str, str], name: str) -> int | None:
    value = headers.get(name)
    if value is None:
        return None
    try:
        return int(float(value.strip()))
    except (ValueError, OverflowError):
        return None


def rate_limit_error(
    headers: Mapping[str, str],
    body: bytes,
    response: SignResponse,
    redact: Redactor | None = None,
) -> SignatureRateLimitError:
    """Build the 429 error from whatever the server said about when to come back.

    The wait is Retry-After, else the time until RateLimit-Reset (or
    X-RateLimit-Reset; seconds from now, or a unix time when above 10^9),
    else a default. RateLimit-Remaining is a count of requests left, kept as
    such: it is never a wait.
    """
    now = int(time.time())
    reset = _int_header(headers, "RateLimit-Reset")
    if reset is None or reset < 0:
        reset = _int_header(headers, "X-RateLimit-Reset")
    reset_time: int | None = None
    if reset is not None and reset >= 0:
        reset_time = reset if reset >= _UNIX_TIME_THRESHOLD else now + reset
    retry_after = _int_header(headers, "Retry-After")
    if retry_after is None or retry_after < 0:
        retry_after = (
            max(reset_time - now, 0) if reset_time is not None else DEFAULT_RETRY_AFTER
        )
    if reset_time is None:
        reset_time = now + retry_after
    remaining = _int_header(headers, "RateLimit-Remaining")
    label = (redact or Redactor()).server_message(body, "limit_label")
    extra = (f"({label})",) if label else ()
    return SignatureRateLimitError(
        retry_after,
        reset_time,
        *extra,
        remaining=remaining if remaining is not None and remaining >= 0 else None,
        response=response,
    )


class SignServer:
    """Talks to one sign server."""

    def __init__(
        self,
        session: aiohttp.ClientSession,
        base_url: str,
        *,
        api_key: str | None,
        timeout: float,
        session_id: str | None = None,
        pacer: RequestPacer | None = None,
        proxy: str | None = None,
        socks_proxy: str | None = None,
    ) -> None:
        """Use ``session`` for every request, with ``timeout`` seconds each.

        ``session_id`` is only needed here to keep it out of echoed text.
        """
        self._session = session
        self._base = URL(base_url.rstrip("/"))
        self._api_key = api_key
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._redact = Redactor(api_key, session_id)
        self._pacer = pacer or RequestPacer()
        self._proxy = proxy
        self._proxy_name = proxy or socks_proxy
        # Whether this server only speaks the legacy layout (learnt from a 404).
        self.legacy = False

    @property
    def host(self) -> str:
        """The sign server's host name."""
        return self._base.host or ""

    def _headers(self, extra: Mapping[str, str] | None = None) -> dict[str, str]:
        headers = {"User-Agent": SIGN_USER_AGENT}
        if self._api_key:
            headers["X-Api-Key"] = self._api_key
        if extra:
            headers.update(extra)
        return headers

    async def _request(
        self,
        method: str,
        url: URL,
        *,
        headers: Mapping[str, str] | None = None,
        **kwargs: Any,
    ) -> tuple[aiohttp.ClientResponse, bytes]:
        await self._pacer.turn(self.host)
        try:
            async with self._session.request(
                method,
                url,
                headers=self._headers(headers),
                timeout=self._timeout,
                proxy=self._proxy,
                **kwargs,
            ) as response:
                if refusal := proxy_refusal(
                    response.status, response.headers, self._proxy
                ):
                    raise refusal
                return response, await read_capped(response)
        except BodyTooLargeError:
            raise SignAPIError(
                SignAPIError.ErrorReason.SIGN_NOT_200,
                f"The sign server's answer is larger than {MAX_HTTP_BODY} bytes.",
            ) from None
        except NETWORK_ERRORS as err:
            if (proxy_error := as_proxy_error(err, self._proxy_name)) is not None:
                raise proxy_error from None
            # The URL is not in the message: it can hold the session id.
            raise SignAPIError(
                SignAPIError.ErrorReason.CONNECT_ERROR,
                f"Could not reach the sign server {self.host}: {type(err).__name__}",
            ) from None

    def _check_status(
        self, response: aiohttp.ClientResponse, body: bytes
    ) -> SignResponse:
        """Raise for every answer that is not a success, in the documented order."""
        snapshot = self._redact.snapshot(response)
        status = response.status
        if status == 429:
            raise rate_limit_error(response.headers, body, snapshot, self._redact)
        if status == 401:
            if self._api_key:
                raise SignAPIKeyInvalidError(
                    "The sign server rejected the API key.", response=snapshot
                )
            raise PremiumEndpointError(
                "The sign server needs an API key for this request.",
                api_message=self._redact.server_message(body),
                response=snapshot,
            )
        if not body:
            raise SignAPIError(
                SignAPIError.ErrorReason.EMPTY_PAYLOAD,
                f"The sign server answered HTTP {status} with an empty body.",
                response=snapshot,
            )
        if status in (402, 403):
            message = self._redact.server_message(body)
            raise PremiumEndpointError(
                "The sign server needs a premium API key for this request.",
                *((message,) if message else ()),
                api_message=message,
                response=snapshot,
            )
        if status != 200:
            message = self._redact.server_message(body)
            raise SignAPIError(
                SignAPIError.ErrorReason.SIGN_NOT_200,
                f"The sign server answered HTTP {status}.",
                *((message,) if message else ()),
                response=snapshot,
            )
        return snapshot

    async def _current_or_legacy(
        self,
        current: URL,
        legacy: URL,
        headers: Mapping[str, str] | None = None,
        *,
        method: str = "GET",
        **kwargs: Any,
    ) -> tuple[aiohttp.ClientResponse, bytes]:
        """Ask the current layout's path; the legacy one if the server lacks it."""
        if not self.legacy:
            response, body = await self._request(
                method, current, headers=headers, **kwargs
            )
            if response.status not in _LAYOUT_MISSING:
                return response, body
            _LOGGER.debug(
                "Sign server %s lacks %s (HTTP %s); using its legacy paths",
                self.host,
                current.path,
                response.status,
            )
            self.legacy = True
        return await self._request(method, legacy, headers=headers, **kwargs)

    async def fetch(
        self,
        *,
        room_id: str,
        user_agent: str,
        session_cookie: str | None,
    ) -> SignedFetch:
        """The first FetchResult plus TikTok cookies for a room.

        GET /webcast/rooms/{room_id}/connect (Euler's current layout), or
        /webcast/fetch on servers that only know the legacy one. The session,
        when the user allowed it for this server, goes in the x-cookie-header
        header: never in a URL, where proxies and logs keep it.
        """
        params = [
            ("client", SIGN_CLIENT_ID),
            ("user_agent", user_agent),
            ("client_enter", "true"),
            ("platform", "web"),
        ]
        headers = {"Accept": "application/protobuf,application/json"}
        if session_cookie:
            headers["x-cookie-header"] = session_cookie
        current = (self._base / "webcast" / "rooms" / room_id / "connect").with_query(
            params
        )
        legacy = (self._base / "webcast" / "fetch").with_query(
            [("room_id", room_id), *params]
        )
        response, body = await self._current_or_legacy(current, legacy, headers)
        snapshot = self._check_status(response, body)
        log_id = snapshot.headers.get("X-Request-Id")
        agent_id = snapshot.headers.get("X-Agent-Id")
        _LOGGER.debug("Sign server fetch ok (log id %s, agent id %s)", log_id, agent_id)
        cookies = parse_cookies(response.headers.get("X-Set-TT-Cookie", ""))
        if not cookies:
            raise SignAPIError(
                SignAPIError.ErrorReason.EMPTY_COOKIES,
                "The sign server sent no TikTok cookies (X-Set-TT-Cookie).",
                response=snapshot,
            )
        result = pb.FetchResult()
        try:
            result.ParseFromString(body)
        except Exception:  # noqa: BLE001 - protobuf raises DecodeError or worse on junk
            raise UnexpectedSignatureError(
                "The sign server's answer is not a webcast fetch result.",
                response=snapshot,
            ) from None
        return SignedFetch(result, cookies, log_id, agent_id)

    async def sign_url(
        self,
        url: str,
        *,
        method: str,
        user_agent: str,
        session_id: str | None,
        tt_target_idc: str,
    ) -> str:
        """TikTok's signatures for an arbitrary URL (POST .../sign_url, either layout)."""
        payload: dict[str, Any] = {
            "url": url,
            "userAgent": user_agent,
            "method": method,
            "type": "xhr",
        }
        if session_id:
            payload["sessionId"] = session_id
            payload["ttTargetIdc"] = tt_target_idc
        response, body = await self._current_or_legacy(
            (self._base / "tiktok" / "signing" / "encrypt" / "sign_url").with_query(
                {"client": SIGN_CLIENT_ID}
            ),
            (self._base / "webcast" / "sign_url").with_query(
                {"client": SIGN_CLIENT_ID}
            ),
            method="POST",
            json=payload,
        )
        snapshot = self._redact.snapshot(response)
        if response.status == 429:
            raise rate_limit_error(response.headers, body, snapshot, self._redact)
        if response.status == 401 and self._api_key:
            raise SignAPIKeyInvalidError(
                "The sign server rejected the API key.", response=snapshot
            )
        if response.status in (401, 402, 403):
            raise PremiumEndpointError(
                "Signing URLs needs a premium API key.",
                api_message=self._redact.server_message(body),
                response=snapshot,
            )
        if response.status != 200:
            raise UnexpectedSignatureError(
                "Failed to parse response from signing request.", response=snapshot
            )
        try:
            data = json.loads(body)
        except (ValueError, RecursionError):
            raise UnexpectedSignatureError(
                "Failed to sign a request due to an error.", response=snapshot
            ) from None
        if not isinstance(data, dict):
            raise UnexpectedSignatureError(
                "Failed to parse response from signing request.", response=snapshot
            )
        if data.get("code") == 403:
            message = self._redact.server_message(body)
            raise PremiumEndpointError(
                "Signing URLs needs a premium API key.",
                api_message=message,
                response=snapshot,
            )
        signed = data.get("response")
        signed_url = signed.get("signedUrl") if isinstance(signed, dict) else None
        if (
            not isinstance(signed_url, str)
            or not signed_url
            or "msToken" not in signed_url
        ):
            raise SignatureMissingTokensError(
                "The sign server's answer lacks a signed URL with its tokens.",
                response=snapshot,
            )
        return signed_url

    async def bulk_live_check(self, user_ids: list[int]) -> dict[int, str | None]:
        """Which of these creators (numeric ids) stream now: id → room id, for the live ones.

        POST /webcast/bulk_live_check: one request for many creators. Euler
        serves it to API keys whose plan includes it; without one it answers
        401/402/403 (PremiumEndpointError) and the caller checks one by one.
        """
        response, body = await self._request(
            "POST",
            (self._base / "webcast" / "bulk_live_check").with_query(
                {"client": SIGN_CLIENT_ID}
            ),
            json={"user_numeric_ids": [str(user_id) for user_id in user_ids]},
        )
        snapshot = self._check_status(response, body)
        try:
            data = json.loads(body)
        except (ValueError, RecursionError):
            raise UnexpectedSignatureError(
                "The sign server's live check is not JSON.", response=snapshot
            ) from None
        rooms = data.get("response") if isinstance(data, dict) else None
        if isinstance(rooms, dict) and isinstance(rooms.get("data"), dict):
            rooms = rooms["data"]
        if not isinstance(rooms, dict):
            raise UnexpectedSignatureError(
                "The sign server's live check has no creators in it.",
                response=snapshot,
            )
        live: dict[int, str | None] = {}
        for key, room in rooms.items():
            if (
                str(key).isdigit()
                and isinstance(room, dict)
                and room.get("is_live") is True
            ):
                room_id = room.get("room_id")
                live[int(key)] = str(room_id) if room_id else None
        return live

    async def gifts(self, room_id: str) -> list[GiftInfo]:
        """The gifts a room offers, from the sign server.

        GET /webcast/rooms/{room_id}/gifts (Euler's current layout), or
        /webcast/gifts?room_id= on a server that does not have that path
        (404/405/410). An answer without a usable gift in it is an error,
        never an empty list.
        """
        if not (room_id.isascii() and room_id.isdigit()):
            raise ValueError("A room id is a number")
        params = {"client": SIGN_CLIENT_ID}
        room = (self._base / "webcast" / "rooms" / room_id / "gifts").with_query(params)
        response, body = await self._request("GET", room)
        if response.status in _LAYOUT_MISSING:
            _LOGGER.debug(
                "Sign server %s has no room gift list (HTTP %s); asking /webcast/gifts",
                self.host,
                response.status,
            )
            response, body = await self._request(
                "GET",
                (self._base / "webcast" / "gifts").with_query(
                    {"room_id": room_id, **params}
                ),
            )
        snapshot = self._check_status(response, body)
        try:
            data = json.loads(body)
        except (ValueError, RecursionError):
            raise UnexpectedSignatureError(
                "The sign server's gift list is not JSON.", response=snapshot
            ) from None
        if isinstance(data, dict) and data.get("code") in (402, 403):
            message = self._redact.server_message(body)
            raise PremiumEndpointError(
                "The sign server needs a premium API key for the gift list.",
                *((message,) if message else ()),
                api_message=message,
                response=snapshot,
            )
        gifts = parse_gift_list(data)
        if not gifts:
            raise UnexpectedSignatureError(
                "The sign server's answer holds no gift list.", response=snapshot
            )
        return gifts

    async def rate_limits(self) -> dict[str, Any]:
        """The limits of this key (or address); checks the key.

        GET /accounts/me/rate_limits?type=WEBCAST, or the legacy
        /webcast/rate_limits on servers without it.
        """
        response, body = await self._current_or_legacy(
            (self._base / "accounts" / "me" / "rate_limits").with_query(
                {"type": "WEBCAST"}
            ),
            self._base / "webcast" / "rate_limits",
        )
        snapshot = self._check_status(response, body)
        try:
            data = json.loads(body)
        except (ValueError, RecursionError):
            raise UnexpectedSignatureError(
                "The sign server's rate limits are not JSON.", response=snapshot
            ) from None
        return data if isinstance(data, dict) else {}


def _gift_entries(data: object) -> list[Any] | None:
    """The gift entries of an answer, in every layout seen.

    A bare list, or a "gifts" list in the answer, its "response", its "data"
    or "response"."data".
    """
    if isinstance(data, list):
        return data
    if not isinstance(data, dict):
        return None
    candidates = [data, data.get("response"), data.get("data")]
    response = data.get("response")
    if isinstance(response, dict):
        candidates.append(response.get("data"))
    for candidate in candidates:
        if isinstance(candidate, dict):
            gifts = candidate.get("gifts")
            if isinstance(gifts, list):
                return gifts
    return None


def _json_int(value: object) -> int | None:
    """A non-negative integer from JSON (a number or a string of digits)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value >= 0 else None
    if isinstance(value, str) and value.isascii() and value.isdigit():
        return int(value) if len(value) <= 20 else None
    return None


def _json_url(value: object) -> str | None:
    """A URL string, or the first of an image's url_list."""
    if isinstance(value, dict):
        urls = value.get("url_list")
        value = urls[0] if isinstance(urls, list) and urls else None
    if isinstance(value, str) and 0 < len(value) <= MAX_GIFT_URL:
        return value
    return None


def parse_gift_list(data: object) -> list[GiftInfo]:
    """The well-formed gifts among the first MAX_GIFTS entries, once per id.

    A gift needs an id, a name and a diamond count; its picture is the first
    URL of ``image`` (else ``icon``, else ``image_url``), and ``type`` 1 makes
    it streakable. Anything else in an entry is ignored; a malformed entry is
    skipped.
    """
    entries = _gift_entries(data)
    if entries is None:
        return []
    gifts: list[GiftInfo] = []
    seen: set[int] = set()
    for entry in entries[:MAX_GIFTS]:
        if not isinstance(entry, dict):
            continue
        gift_id = _json_int(entry.get("id"))
        name = entry.get("name")
        diamonds = _json_int(entry.get("diamond_count"))
        if not gift_id or gift_id in seen or diamonds is None:
            continue
        if not isinstance(name, str) or not name:
            continue
        seen.add(gift_id)
        gifts.append(
            GiftInfo(
                gift_id=gift_id,
                name=name[:MAX_GIFT_NAME],
                diamonds=diamonds,
                image_url=_json_url(entry.get("image"))
                or _json_url(entry.get("icon"))
                or _json_url(entry.get("image_url")),
                streakable=_json_int(entry.get("type")) == GIFT_TYPE_STREAKABLE,
            )
        )
    return gifts


def parse_cookies(header: str) -> dict[str, str]:
    """Every name=value pair of a cookie header; attributes are ignored."""
    if not header.strip():
        return {}
    jar: SimpleCookie = SimpleCookie()
    try:
        jar.load(header)
    except CookieError:
        return {}
    return {name: morsel.value for name, morsel in jar.items() if morsel.value}
