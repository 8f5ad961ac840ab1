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

from .const import PACKAGE_VERSION
from .errors import (
    PremiumEndpointError,
    SignAPIError,
    SignAPIKeyInvalidError,
    SignatureMissingTokensError,
    SignatureRateLimitError,
    SignResponse,
    UnexpectedSignatureError,
)
from .proto import webcast_pb2 as pb

_LOGGER = logging.getLogger(__name__)

# Headers that carry credentials are kept out of error snapshots.
_PRIVATE_HEADERS: Final = frozenset({"set-cookie", "x-set-tt-cookie"})
DEFAULT_RETRY_AFTER: Final = 60
# RateLimit-Reset values below this are seconds from now, not a unix time.
_UNIX_TIME_THRESHOLD: Final = 10**9
SIGN_CLIENT_ID: Final = "ttlive-python"
SIGN_USER_AGENT: Final = (
    f"tiktok-live-homeassistant (TikTokLive-compatible/{PACKAGE_VERSION})"
)


# No answer we read (LIVE page, JSON, fetch result) comes near this; a
# misconfigured or hostile server must not fill the host's memory.
MAX_HTTP_BODY: Final = 8 * 1024 * 1024


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
    """Build the 429 error from whatever the server said about when to come back."""
    retry_after = _int_header(headers, "RateLimit-Remaining")
    if retry_after is None or retry_after < 0:
        retry_after = _int_header(headers, "Retry-After")
    if retry_after is None or retry_after < 0:
        retry_after = DEFAULT_RETRY_AFTER
    now = int(time.time())
    reset = _int_header(headers, "RateLimit-Reset")
    if reset is None or reset < 0:
        reset_time = now + retry_after
    elif reset < _UNIX_TIME_THRESHOLD:
        reset_time = now + reset
    else:
        reset_time = reset
    label = (redact or Redactor()).server_message(body, "limit_label")
    extra = (f"({label})",) if label else ()
    return SignatureRateLimitError(retry_after, reset_time, *extra, response=response)


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
    ) -> None:
        """Use ``session`` for every request, with ``timeout`` seconds each.

        ``session_id`` is only needed here to keep it out of echoed text.
        """
        self._session = session
        self._base = URL(base_url.rstrip("/"))
        self._api_key = api_key
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._redact = Redactor(api_key, session_id)

    @property
    def host(self) -> str:
        """The sign server's host name."""
        return self._base.host or ""

    def _headers(self) -> dict[str, str]:
        headers = {"User-Agent": SIGN_USER_AGENT}
        if self._api_key:
            headers["X-Api-Key"] = self._api_key
        return headers

    async def _request(
        self, method: str, url: URL, **kwargs: Any
    ) -> tuple[aiohttp.ClientResponse, bytes]:
        try:
            async with self._session.request(
                method, url, headers=self._headers(), timeout=self._timeout, **kwargs
            ) as response:
                return response, await read_capped(response)
        except BodyTooLargeError:
            raise SignAPIError(
                SignAPIError.ErrorReason.SIGN_NOT_200,
                f"The sign server's answer is larger than {MAX_HTTP_BODY} bytes.",
            ) from None
        except (TimeoutError, aiohttp.ClientError, OSError) as err:
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

    async def fetch(
        self,
        *,
        room_id: str,
        user_agent: str,
        session_id: str | None,
        tt_target_idc: str,
    ) -> SignedFetch:
        """GET /webcast/fetch: the first FetchResult plus TikTok cookies."""
        params = [
            ("client", SIGN_CLIENT_ID),
            ("room_id", room_id),
            ("user_agent", user_agent),
            ("client_enter", "true"),
            ("platform", "web"),
        ]
        if session_id:
            params.append(("session_id", session_id))
        params.append(("tt_target_idc", tt_target_idc))
        response, body = await self._request(
            "GET", (self._base / "webcast" / "fetch").with_query(params)
        )
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
        """POST /webcast/sign_url: TikTok's signatures for an arbitrary URL."""
        payload: dict[str, Any] = {
            "url": url,
            "userAgent": user_agent,
            "method": method,
            "type": "xhr",
        }
        if session_id:
            payload["sessionId"] = session_id
            payload["ttTargetIdc"] = tt_target_idc
        response, body = await self._request(
            "POST",
            (self._base / "webcast" / "sign_url").with_query(
                {"client": "ttlive-other"}
            ),
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

    async def rate_limits(self) -> dict[str, Any]:
        """GET /webcast/rate_limits: this key's (or address's) limits; checks the key."""
        response, body = await self._request(
            "GET", self._base / "webcast" / "rate_limits"
        )
        snapshot = self._check_status(response, body)
        try:
            data = json.loads(body)
        except (ValueError, RecursionError):
            raise UnexpectedSignatureError(
                "The sign server's rate limits are not JSON.", response=snapshot
            ) from None
        return data if isinstance(data, dict) else {}


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
