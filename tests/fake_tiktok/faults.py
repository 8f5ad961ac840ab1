"""Faults the fake TikTok can inject: every failure the contract names.

Each kind of fault has a slot on ``fake.faults``. A slot holds a queue of
one-shot faults, used once each and in order, and an optional sticky fault,
used whenever the queue is empty, until it is cleared::

    fake.faults.sign_fetch.once(rate_limited(remaining=17))   # the next request
    fake.faults.sign_fetch.always(sign_status(503, b""))      # every request
    fake.faults.sign_fetch.clear()                            # healthy again
    fake.faults.clear()                                       # every slot

Module-level helpers build the fault values with TikTok's real wire details.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
import enum
import functools
import gzip
import json
from typing import Any

from custom_components.tiktok_live.webcast.proto import webcast_pb2 as pb

# ---------------------------------------------------------------- the values


@dataclass(frozen=True)
class SignReply:
    """A canned answer of the sign server's ``/webcast/fetch`` (and rate limits).

    With ``status`` 200 and no ``body`` the fake builds a good fetch result and
    leaves out the parts switched off here. Any other status, or a ``body``,
    is sent as is (with the X-Request-Id and X-Agent-Id every answer carries).
    ``stall`` holds the answer until ``fake.release_stalled()`` (or stop), so
    the client's request timeout fires.
    """

    status: int = 200
    body: bytes | None = None
    headers: dict[str, str] = field(default_factory=dict)
    cookie: bool = True
    cursor: bool = True
    push_server: bool = True
    route_params: bool = True
    is_first: bool = True
    stall: bool = False
    # "fallback": hand out the sign server's own push host (not TikTok's),
    # which refuses the socket as Euler's ws-fallback host did in 2026-09.
    push_host: str = "tiktok"


@dataclass(frozen=True)
class SignUrlReply:
    """A canned answer of ``POST /webcast/sign_url``: JSON, raw bytes or a stall."""

    status: int = 200
    json: Any = None
    body: bytes | None = None
    headers: dict[str, str] = field(default_factory=dict)
    stall: bool = False


@dataclass(frozen=True)
class WsReply:
    """An answer to the WebSocket upgrade instead of 101.

    TikTok's soft block is 200 (or 400) with a ``Handshake-Msg`` header;
    ``stall`` instead holds the upgrade open (disconnect-during-connect tests).
    """

    status: int = 200
    handshake_msg: str | None = "illegal secret key"
    stall: bool = False
    # TikTok's DEVICE_BLOCKED: the refused browser (its User-Agent) stays
    # refused until the client comes back as another one.
    blocks_identity: bool = False


@dataclass(frozen=True)
class HttpStatus:
    """Answer a TikTok web or webcast route with this status and body."""

    status: int
    body: str = ""


class PageFault(enum.Enum):
    """How the LIVE page (``/@user/live``) goes wrong."""

    NO_LIVE_ROOM = "no_live_room"  # SIGI_STATE without LiveRoom (as for unknown users)
    NO_SIGI_STATE = "no_sigi_state"  # a captcha / "please wait" page
    BAD_JSON = "bad_json"  # SIGI_STATE that is not JSON
    OFFLINE = "offline"  # the creator's status is 4 whatever the fake's state


class ApiFault(enum.Enum):
    """How ``/api-live/user/room/`` goes wrong."""

    USER_NOT_FOUND = "user_not_found"  # statusCode 19881007, message "user_not_found"
    NO_MESSAGE = "no_message"  # no top-level "message" key (TikTokLive: KeyError)
    NO_ROOM_ID = "no_room_id"  # the user without a roomId
    OFFLINE = "offline"  # liveRoom.status 4
    CAPTCHA = "captcha"  # an HTML verification page instead of JSON


class RoomInfoFault(enum.Enum):
    """How ``/webcast/room/info/`` goes wrong."""

    AGE_RESTRICTED = "age_restricted"  # data carries "prompts"
    ALMOST_EMPTY = "almost_empty"  # data has a single key
    # The field's answer to captchas, rate limits and low-trust addresses:
    # {"data":{"prompts":""},"status_code":4003110}, for live rooms too.
    PROMPTS = "prompts"


class SocketFaultKind(enum.Enum):
    """What the push server does to a socket."""

    CLOSE = "close"
    CLOSE_WITHOUT_CODE = "close_without_code"
    DROP = "drop"
    SILENCE = "silence"
    GARBAGE = "garbage"
    BAD_GZIP = "bad_gzip"
    TRUNCATED_GZIP = "truncated_gzip"
    GZIP_BOMB = "gzip_bomb"


@dataclass(frozen=True)
class SocketFault:
    """A push server fault, applied once the client entered the room.

    Queued on ``fake.faults.socket`` it hits the next socket(s); passed to
    ``fake.inject(creator, fault)`` it hits the open sockets now.
    """

    kind: SocketFaultKind
    code: int = 1000
    reason: str = ""
    size: int = 0

    def frame_bytes(self) -> bytes:
        """The hostile binary message this fault sends (garbage and gzip kinds)."""
        if self.kind is SocketFaultKind.GARBAGE:
            return b"\xff\x00 this is not a push frame \x13\x37"
        if self.kind is SocketFaultKind.BAD_GZIP:
            payload = b"\x1f\x8b\x08 not gzip after the magic"
        elif self.kind is SocketFaultKind.TRUNCATED_GZIP:
            payload = gzip.compress(b"x" * 1000)[:20]
        elif self.kind is SocketFaultKind.GZIP_BOMB:
            payload = _zeros_gzipped(self.size)
        else:
            raise ValueError(f"{self.kind} sends no frame")
        return pb.PushFrame(
            log_id=0,
            payload_encoding="pb",
            payload_type="msg",
            headers=[pb.PushHeader(key="compress_type", value="gzip")],
            payload=payload,
        ).SerializeToString()


@functools.cache
def _zeros_gzipped(size: int) -> bytes:
    """``size`` zero bytes, gzipped (a few KiB per MiB); built once per size."""
    return gzip.compress(bytes(size), compresslevel=9)


# ------------------------------------------------------------------ the slots


class FaultSlot[T]:
    """One-shot faults (a queue) in front of an optional sticky one."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.queue: deque[T] = deque()
        self.sticky: T | None = None
        self.used: list[T] = []

    def once(self, *faults: T) -> None:
        """Each fault answers one request, in order."""
        self.queue.extend(faults)

    def always(self, fault: T) -> None:
        """This fault answers every request until cleared (after queued ones)."""
        self.sticky = fault

    def clear(self) -> None:
        """Forget queued and sticky faults."""
        self.queue.clear()
        self.sticky = None

    def take(self) -> T | None:
        """The fault for this request, if any; one-shot faults are used up."""
        fault = self.queue.popleft() if self.queue else self.sticky
        if fault is not None:
            self.used.append(fault)
        return fault

    def __bool__(self) -> bool:
        return bool(self.queue) or self.sticky is not None

    def __repr__(self) -> str:
        return (
            f"<FaultSlot {self.name} once={list(self.queue)!r} always={self.sticky!r}>"
        )


class Faults:
    """Every fault slot of the fake."""

    def __init__(self) -> None:
        self.live_page: FaultSlot[PageFault | HttpStatus] = FaultSlot("live_page")
        self.room_api: FaultSlot[ApiFault | HttpStatus] = FaultSlot("room_api")
        self.check_alive: FaultSlot[bool | HttpStatus] = FaultSlot("check_alive")
        self.room_info: FaultSlot[RoomInfoFault | HttpStatus] = FaultSlot("room_info")
        self.sign_fetch: FaultSlot[SignReply] = FaultSlot("sign_fetch")
        self.sign_url: FaultSlot[SignUrlReply] = FaultSlot("sign_url")
        self.rate_limits: FaultSlot[SignReply] = FaultSlot("rate_limits")
        # The gift lists: /webcast/rooms/{id}/gifts and /webcast/gifts.
        self.sign_gifts: FaultSlot[SignReply] = FaultSlot("sign_gifts")
        self.ws_handshake: FaultSlot[WsReply] = FaultSlot("ws_handshake")
        # The unsigned (direct) push socket's upgrade.
        self.direct_handshake: FaultSlot[WsReply] = FaultSlot("direct_handshake")
        self.socket: FaultSlot[SocketFault] = FaultSlot("socket")

    @property
    def slots(self) -> list[FaultSlot[Any]]:
        """All slots."""
        return [
            self.live_page,
            self.room_api,
            self.check_alive,
            self.room_info,
            self.sign_fetch,
            self.sign_url,
            self.rate_limits,
            self.sign_gifts,
            self.ws_handshake,
            self.direct_handshake,
            self.socket,
        ]

    def clear(self) -> None:
        """No fault anywhere."""
        for slot in self.slots:
            slot.clear()

    def __repr__(self) -> str:
        active = [repr(slot) for slot in self.slots if slot]
        return f"<Faults {' '.join(active) or 'none'}>"


# -------------------------------------------------------- sign server helpers


def _json(data: dict[str, Any]) -> bytes:
    return json.dumps(data).encode()


def rate_limited(
    *,
    remaining: int | str | None = 0,
    reset: int | str | None = None,
    retry_after: int | str | None = 60,
    x_reset: int | str | None = None,
    message: str | None = "Too many connections started",
    label: str | None = None,
    empty_body: bool = False,
) -> SignReply:
    """HTTP 429, by default as Euler sends it: RateLimit-Remaining 0 and Retry-After.

    Pass None to leave a header out; ``x_reset`` is X-RateLimit-Reset.
    """
    headers: dict[str, str] = {}
    if remaining is not None:
        headers["RateLimit-Remaining"] = str(remaining)
    if reset is not None:
        headers["RateLimit-Reset"] = str(reset)
    if x_reset is not None:
        headers["X-RateLimit-Reset"] = str(x_reset)
    if retry_after is not None:
        headers["Retry-After"] = str(retry_after)
    body: dict[str, Any] = {}
    if message is not None:
        body["message"] = message
    if label is not None:
        body["limit_label"] = label
    return SignReply(
        status=429, body=b"" if empty_body else _json(body), headers=headers
    )


def sign_status(status: int, message: str | None = None) -> SignReply:
    """Any status with a JSON body (``{"code", "message"}``) from the sign server."""
    body: dict[str, Any] = {"code": status}
    if message is not None:
        body["message"] = message
    return SignReply(status=status, body=_json(body))


def sign_empty(status: int = 503) -> SignReply:
    """An empty body, at any status."""
    return SignReply(status=status, body=b"")


def sign_no_cookie() -> SignReply:
    """A good fetch result without X-Set-TT-Cookie."""
    return SignReply(cookie=False)


def sign_garbage() -> SignReply:
    """A 200 with the cookie whose body is not a FetchResult."""
    return SignReply(
        status=200,
        body=b"\x0a\xff\xff\xff",
        headers={"X-Set-TT-Cookie": "ttwid=garbage-ttwid"},
    )


def fallback_push_host() -> SignReply:
    """A good fetch result whose push server is the sign server's own fallback host."""
    return SignReply(push_host="fallback")


def sign_stall() -> SignReply:
    """No answer until released: the client's timeout fires."""
    return SignReply(stall=True)


def missing_cursor() -> SignReply:
    """A fetch result without a cursor."""
    return SignReply(cursor=False)


def missing_push_server() -> SignReply:
    """A fetch result without a push server."""
    return SignReply(push_server=False)


def missing_route_params() -> SignReply:
    """A fetch result without route params."""
    return SignReply(route_params=False)


def sign_json(data: Any, status: int = 200) -> SignReply:
    """Any JSON answer (a gift list in another layout, or without gifts)."""
    return SignReply(status=status, body=json.dumps(data).encode())


def sign_not_json() -> SignReply:
    """A 200 whose body is not JSON."""
    return SignReply(status=200, body=b'{"gifts": [{"id": 5655, "name": "Ro')


# ------------------------------------------------------------ sign_url helpers


def sign_url_code(code: int, message: str | None = None) -> SignUrlReply:
    """HTTP 200 whose JSON ``code`` is not 200 (403 means premium)."""
    data: dict[str, Any] = {"code": code}
    if message is not None:
        data["message"] = message
    return SignUrlReply(json=data)


def sign_url_without_tokens(url: str = "https://www.tiktok.com/") -> SignUrlReply:
    """A "signed" URL that carries no msToken."""
    return SignUrlReply(json={"code": 200, "response": {"signedUrl": url}})


# ---------------------------------------------------------- push server helpers


def blocked(status: int = 200, message: str | None = "illegal secret key") -> WsReply:
    """TikTok's rejection of the upgrade (200 or 400 with Handshake-Msg)."""
    return WsReply(status=status, handshake_msg=message)


def device_blocked() -> WsReply:
    """TikTok's DEVICE_BLOCKED (HTTP 415): this browser stays refused, another is not."""
    return WsReply(status=415, handshake_msg="DEVICE_BLOCKED", blocks_identity=True)


def handshake_stall() -> WsReply:
    """Hold the upgrade open until released."""
    return WsReply(stall=True)


def close(code: int, reason: str = "") -> SocketFault:
    """The push server closes the socket with this code."""
    return SocketFault(SocketFaultKind.CLOSE, code=code, reason=reason)


def close_without_code() -> SocketFault:
    """The push server sends a close frame that carries no code (RFC 6455 "1005")."""
    return SocketFault(SocketFaultKind.CLOSE_WITHOUT_CODE)


def drop() -> SocketFault:
    """The TCP connection is cut without a closing handshake."""
    return SocketFault(SocketFaultKind.DROP)


def silence() -> SocketFault:
    """The push server sends nothing more (pushes to the socket are dropped)."""
    return SocketFault(SocketFaultKind.SILENCE)


def garbage() -> SocketFault:
    """One binary message that is not a push frame."""
    return SocketFault(SocketFaultKind.GARBAGE)


def bad_gzip() -> SocketFault:
    """A msg frame marked gzip whose payload is not gzip."""
    return SocketFault(SocketFaultKind.BAD_GZIP)


def truncated_gzip() -> SocketFault:
    """A msg frame whose gzip stream stops half way."""
    return SocketFault(SocketFaultKind.TRUNCATED_GZIP)


def gzip_bomb(size: int = 5 * 1024 * 1024) -> SocketFault:
    """A small msg frame that inflates to ``size`` bytes of zeros."""
    return SocketFault(SocketFaultKind.GZIP_BOMB, size=size)
