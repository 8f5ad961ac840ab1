"""The TikTok LIVE error hierarchy.

Names, bases and attributes match the TikTokLive library so that code and
documentation written against it carry over. Unlike TikTokLive, every error is
raised with the attributes filled in: a sign server reply that lacks a header
or a field never turns into a KeyError, TypeError or AttributeError.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
import enum
from types import MappingProxyType
from typing import Final

from multidict import CIMultiDict, CIMultiDictProxy

from .const import PACKAGE_VERSION

__all__ = [
    "AgeRestrictedError",
    "AlreadyConnectedError",
    "AuthenticatedWebSocketConnectionError",
    "FailedParseRoomIdError",
    "InitialCursorMissingError",
    "PremiumEndpointError",
    "SignAPIError",
    "SignAPIKeyInvalidError",
    "SignResponse",
    "SignatureMissingTokensError",
    "SignatureRateLimitError",
    "TikTokLiveError",
    "UnexpectedSignatureError",
    "UserNotFoundError",
    "UserOfflineError",
    "WebcastBlocked200Error",
    "WebcastBlockedError",
    "WebcastConnectionClosedError",
    "WebcastConnectionError",
    "WebcastDeviceBlockedError",
    "WebcastProxyError",
    "WebcastPushHostError",
    "WebcastSessionRejectedError",
    "WebsocketURLMissingError",
]


class TikTokLiveError(RuntimeError):
    """Base class of every error this client raises on purpose.

    The message is the arguments joined by spaces after a version prefix, or the
    class name when there are no arguments, as TikTokLive does.
    """

    def __init__(self, *args: object) -> None:
        text = " ".join(str(arg) for arg in args) or type(self).__name__
        super().__init__(f"TikTokLive v{PACKAGE_VERSION} -> {text}")


class AlreadyConnectedError(TikTokLiveError):
    """connect() was called while this client already has an open WebSocket."""


class UserOfflineError(TikTokLiveError):
    """The creator exists but is not streaming right now."""


class UserNotFoundError(TikTokLiveError):
    """TikTok does not know the requested handle.

    ``sources`` names every answer that said so ("api": the api-live JSON,
    "page": the LIVE page). One answer can be a captcha or a block in
    disguise; two sources agreeing is evidence.
    """

    def __init__(
        self, unique_id: str, *args: object, sources: tuple[str, ...] = ("api",)
    ) -> None:
        self.unique_id = unique_id
        self.sources = sources
        super().__init__(*args)


class AgeRestrictedError(TikTokLiveError):
    """The room is age restricted: it can only be watched with a signed-in session."""


class InitialCursorMissingError(TikTokLiveError):
    """The sign server's first fetch result carried no cursor."""


class WebsocketURLMissingError(TikTokLiveError):
    """The first fetch result carried no push server or no route parameters."""


class WebcastBlockedError(TikTokLiveError):
    """TikTok refused the WebSocket upgrade (HTTP 200 or 400 instead of 101).

    ``status`` is the HTTP status of the refusal and ``handshake_msg`` the
    reason TikTok gave in its Handshake-Msg header, if any.
    """

    def __init__(
        self, *args: object, status: int | None = None, handshake_msg: str | None = None
    ) -> None:
        self.status = status
        self.handshake_msg = handshake_msg
        super().__init__(*args)


class WebcastDeviceBlockedError(WebcastBlockedError):
    """TikTok refused this browser identity (DEVICE_BLOCKED, HTTP 415).

    It clears with a fresh ttwid cookie and User-Agent, which the client picks
    for its next attempt: a reason to retry within seconds, not to wait.
    """


class WebcastSessionRejectedError(WebcastBlockedError):
    """TikTok refused the connection signed with the configured session.

    "illegal secret key": the session, or its data centre (tt-target-idc),
    does not match what TikTok expects.
    """


# TikTokLive's historical name for the same class.
WebcastBlocked200Error = WebcastBlockedError


class FailedParseRoomIdError(TikTokLiveError):
    """Neither the LIVE page nor the room API gave a room id."""


class WebcastConnectionError(TikTokLiveError):
    """TikTok (web, webcast API or push server) could not be reached or understood.

    ``status`` is the HTTP status when TikTok answered with an unexpected one.
    """

    def __init__(self, *args: object, status: int | None = None) -> None:
        self.status = status
        super().__init__(*args)


class WebcastProxyError(WebcastConnectionError):
    """The configured proxy failed: unreachable, refusing, or refusing the credentials.

    Its text names the proxy by scheme, host and port only, never credentials.
    """

    UNREACHABLE: Final = "unreachable"
    REFUSED: Final = "refused"
    AUTH: Final = "auth"

    def __init__(self, *args: object, kind: str) -> None:
        self.kind = kind
        super().__init__(*args)


class WebcastConnectionClosedError(WebcastConnectionError):
    """The push server closed the WebSocket abnormally, or the connection dropped."""

    def __init__(self, code: int | None, reason: str = "") -> None:
        self.code = code
        self.reason = reason
        super().__init__(f"WebSocket closed with code {code}", reason)


@dataclass(frozen=True, slots=True)
class SignResponse:
    """What a sign server answered: enough to explain an error, nothing secret."""

    status: int
    headers: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))

    @classmethod
    def from_headers(cls, status: int, headers: Mapping[str, str]) -> SignResponse:
        """Freeze a case-insensitive copy so the snapshot cannot change later."""
        return cls(status, CIMultiDictProxy(CIMultiDict(headers)))


class SignAPIError(TikTokLiveError):
    """The sign server could not give us a signed WebSocket fetch."""

    class ErrorReason(enum.Enum):
        """Why the sign server call failed."""

        RATE_LIMIT = 1
        CONNECT_ERROR = 2
        EMPTY_PAYLOAD = 3
        SIGN_NOT_200 = 4
        EMPTY_COOKIES = 5
        PREMIUM_ENDPOINT = 6
        AUTHENTICATED_WS = 7
        # Not in TikTokLive: the push host the sign server handed out (one of
        # its own fallback hosts, not TikTok's) refused or failed the socket.
        PUSH_HOST = 8

    def __init__(
        self,
        reason: SignAPIError.ErrorReason,
        *args: object,
        response: SignResponse | None = None,
    ) -> None:
        self.reason = reason
        self.response = response
        headers = response.headers if response is not None else {}
        self.log_id: str | None = headers.get("X-Request-Id")
        self.agent_id: str | None = headers.get("X-Agent-Id")
        super().__init__(f"[{reason.name}]", *args)


class SignatureRateLimitError(SignAPIError):
    """The sign server answered 429: wait before the next connection attempt.

    ``retry_after`` is how many seconds the server asked us to wait
    (Retry-After, else until its reset time, else a default), ``reset_time``
    the unix time of that reset, and ``remaining`` the RateLimit-Remaining
    request count it reported (a count, never a wait; TikTokLive mixes them up).
    """

    def __init__(
        self,
        retry_after: int,
        reset_time: int,
        *args: object,
        remaining: int | None = None,
        response: SignResponse | None = None,
    ) -> None:
        self.retry_after = retry_after
        self.reset_time = reset_time
        self.remaining = remaining
        super().__init__(
            SignAPIError.ErrorReason.RATE_LIMIT,
            f"Too many connections started, try again in {retry_after} seconds.",
            *args,
            response=response,
        )


class UnexpectedSignatureError(SignAPIError):
    """Signing a URL failed, or its answer could not be understood."""

    def __init__(self, *args: object, response: SignResponse | None = None) -> None:
        super().__init__(
            SignAPIError.ErrorReason.SIGN_NOT_200, *args, response=response
        )


class SignatureMissingTokensError(SignAPIError):
    """A signing answer lacked the signed URL or its tokens."""

    def __init__(self, *args: object, response: SignResponse | None = None) -> None:
        super().__init__(
            SignAPIError.ErrorReason.EMPTY_PAYLOAD, *args, response=response
        )


class PremiumEndpointError(SignAPIError):
    """The sign server needs a (premium) API key for this request."""

    def __init__(
        self,
        *args: object,
        api_message: str | None = None,
        response: SignResponse | None = None,
    ) -> None:
        self.api_message = api_message
        super().__init__(
            SignAPIError.ErrorReason.PREMIUM_ENDPOINT, *args, response=response
        )


class SignAPIKeyInvalidError(SignAPIError):
    """The sign server rejected the configured API key (HTTP 401)."""

    def __init__(self, *args: object, response: SignResponse | None = None) -> None:
        super().__init__(
            SignAPIError.ErrorReason.SIGN_NOT_200, *args, response=response
        )


class AuthenticatedWebSocketConnectionError(SignAPIError):
    """A TikTok session would be sent to a sign server nobody opted in for."""

    def __init__(self, *args: object, response: SignResponse | None = None) -> None:
        super().__init__(
            SignAPIError.ErrorReason.AUTHENTICATED_WS, *args, response=response
        )


class WebcastPushHostError(SignAPIError):
    """The sign server's own (non-TikTok) push host failed the WebSocket.

    The sign server answered, but the fallback push host it chose (such as
    ws-fallback.eulerstream.com) refused or broke the handshake: a sign server
    incident, not a block by TikTok.
    """

    def __init__(self, *args: object, response: SignResponse | None = None) -> None:
        super().__init__(SignAPIError.ErrorReason.PUSH_HOST, *args, response=response)
