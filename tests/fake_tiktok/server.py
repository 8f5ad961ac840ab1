"""A fake of TikTok web, the webcast API, the sign server and the push WebSocket.

It binds 127.0.0.1 on a free port (or the one given) and speaks the protocol the
real services speak, so the client is tested over real sockets:

==============================  =================================================
``GET /@{user}/live``           LIVE page HTML with ``<script id="SIGI_STATE">``
``GET /api-live/user/room/``    the room API (top-level ``message``)
``GET /webcast/room/check_alive/``  ``{"data": [{"alive": …}]}``
``GET /webcast/room/info/``     title, create_time, user_count, status, owner
``GET /webcast/gift/list/``     the gifts messages.GIFTS knows
``GET /sign/webcast/rooms/{id}/connect``  the sign server (Euler's current
                                layout): a serialized FetchResult plus
                                X-Set-TT-Cookie, X-Request-Id, X-Agent-Id; the
                                session in ``x-cookie-header``
``GET /sign/webcast/fetch``     the same, legacy layout (``?room_id=``)
``POST /sign/tiktok/signing/encrypt/sign_url``, ``POST /sign/webcast/sign_url``
                                signed URLs (current, legacy)
``GET /sign/accounts/me/rate_limits``, ``GET /sign/webcast/rate_limits``
                                the key's limits (current, legacy)
``GET /sign/webcast/rooms/{id}/gifts``, ``GET /sign/webcast/gifts``
                                the gift list (room, global): ``gift_catalog``
                                in the layout ``gift_list_layout`` names; the
                                room path answers 404 while
                                ``room_gift_list`` is False (and on a legacy
                                server), both 402/403 without a premium key
                                while ``premium_gifts``
``GET /``, ``GET /@{user}``     the home and profile pages; a new visitor gets
                                a ttwid cookie from the profile page (the home
                                page stopped setting it in late 2026: it answers
                                X-TT-System-Error: 3 unless ``home_mints_ttwid``;
                                ``profile_mints_ttwid`` False: the profile page
                                sets none, as before)
``GET /webcast/im/ws_proxy/ws_reuse_supplement/``  the unsigned push WebSocket
                                (direct path): needs a ttwid this fake minted and
                                TikTok's parameters; no first fetch result
``GET /ws``                     the push WebSocket (subprotocol echo-protocol)
``GET /ws-fallback``            the sign server's own fallback push host, served
                                on a port of its own (another server than
                                TikTok's; an address, so no resolver is
                                involved); it refuses
==============================  =================================================

``sign_layout = "legacy"`` makes the sign server an older one that answers 404
on the current paths.

Every fault is injected through ``fake.faults`` (see faults.py), everything the
client sends is recorded (see recording.py), and tests wait on what happened,
never on the clock.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Awaitable, Callable, Iterable
import contextlib
import gzip
from http.cookies import CookieError, SimpleCookie
import itertools
import json
import logging
import time
from typing import Any

from aiohttp import WSMsgType, web
from multidict import CIMultiDict

from custom_components.tiktok_live.webcast.proto import webcast_pb2 as pb

from . import messages
from .faults import (
    ApiFault,
    Faults,
    HttpStatus,
    PageFault,
    RoomInfoFault,
    SignReply,
    SignUrlReply,
    SocketFault,
    SocketFaultKind,
    WsReply,
)
from .recording import Recorder, Request, decode_enter_room, decode_heartbeat
from .state import (
    ROOM_STATUS_LIVE,
    ROOM_STATUS_OFFLINE,
    ROOM_STATUS_PAUSED,
    FakeCreator,
    FakeRoom,
)

_LOGGER = logging.getLogger(__name__)

__all__ = [
    "ROOM_STATUS_LIVE",
    "ROOM_STATUS_OFFLINE",
    "FakeCreator",
    "FakeRoom",
    "FakeSocket",
    "FakeTikTok",
    "Request",
    "SignReply",
    "SignUrlReply",
    "WsReply",
]

AGENT_ID = "fake-agent"
DIRECT_PUSH_PATH = "/webcast/im/ws_proxy/ws_reuse_supplement/"
# What the direct socket must carry, as TikTok's web client sends it.
DIRECT_PARAMS = {
    "aid": "1988",
    "app_name": "tiktok_web",
    "device_platform": "web",
    "identity": "audience",
    "live_id": "12",
    "version_code": "180800",
    "resp_content_type": "protobuf",
    "did_rule": "3",
}
WS_SUBPROTOCOL = "echo-protocol"


class FakeSocket:
    """One client WebSocket on the push server, and what the client sent over it."""

    def __init__(
        self,
        fake: FakeTikTok,
        ws: web.WebSocketResponse,
        creator: FakeCreator,
        request: Request,
        *,
        direct: bool = False,
    ) -> None:
        self._fake = fake
        # Opened on the unsigned (direct) push path.
        self.direct = direct
        self.ws = ws
        self.creator = creator
        self.request = request
        self.room_id = request.query.get("room_id", "")
        self.compress = request.query.get("compress") == "gzip"
        # Decoded frames from the client, in order (im_enter_room, hb, ack).
        self.received: list[pb.PushFrame] = []
        # Client messages that were not push frames at all.
        self.malformed: list[bytes] = []
        # Payloads of the client's WebSocket pongs.
        self.pongs: list[bytes] = []
        # Frames the fake sent, as sent.
        self.sent: list[pb.PushFrame] = []
        self.closed = False
        # The close code the client sent (or None after a drop).
        self.close_code: int | None = None
        self.silenced = False
        self.faults: list[SocketFault] = []
        self._seq = itertools.count(1)

    def __repr__(self) -> str:
        state = "closed" if self.closed else "open"
        return f"<FakeSocket @{self.creator.unique_id} room {self.room_id} {state}>"

    # ------------------------------------------------------ what was received

    def frames(self, payload_type: str) -> list[pb.PushFrame]:
        """Frames of one type the client sent."""
        return [f for f in self.received if f.payload_type == payload_type]

    @property
    def entered(self) -> bool:
        """Whether the client sent im_enter_room."""
        return bool(self.frames("im_enter_room"))

    def enter_room(self) -> pb.EnterRoomPayload | None:
        """The client's first im_enter_room payload."""
        frames = self.frames("im_enter_room")
        return decode_enter_room(frames[0]) if frames else None

    def heartbeats(self) -> list[pb.HeartbeatPayload]:
        """The payloads of the heartbeats, in order."""
        return [decode_heartbeat(f) for f in self.frames("hb")]

    def heartbeat_seq_ids(self) -> list[int]:
        """The seq ids of the heartbeats, in order."""
        return [hb.send_packet_seq_id for hb in self.heartbeats()]

    def acks(self) -> list[tuple[int, str]]:
        """(log_id, payload text) of every ack."""
        return [
            (f.log_id, f.payload.decode(errors="replace")) for f in self.frames("ack")
        ]

    def acked(self, log_id: int) -> bool:
        """Whether the frame with this log id was acked."""
        return any(f.log_id == log_id for f in self.frames("ack"))

    # ------------------------------------------------------------- sending

    async def send_raw(self, data: bytes) -> None:
        """Send bytes as one binary message, whatever they are."""
        await self.ws.send_bytes(data)

    async def send_frame(
        self,
        payload_type: str,
        payload: bytes,
        *,
        log_id: int = 0,
        headers: Iterable[pb.PushHeader] = (),
    ) -> pb.PushFrame:
        """Send one push frame (msg, hb, im_enter_room_resp, …)."""
        frame = pb.PushFrame(
            seq_id=next(self._seq),
            log_id=log_id,
            payload_encoding="pb",
            payload_type=payload_type,
            headers=list(headers),
            payload=payload,
        )
        self.sent.append(frame)
        await self.ws.send_bytes(frame.SerializeToString())
        return frame

    async def send_result(
        self,
        result: pb.FetchResult,
        *,
        compress: bool | None = None,
        log_id: int | None = None,
    ) -> int:
        """Send a FetchResult in a msg frame (gzip when asked); returns its log id."""
        log_id = log_id or next(self._fake.log_ids)
        payload = result.SerializeToString()
        headers = []
        if self.compress if compress is None else compress:
            payload = gzip.compress(payload)
            headers.append(pb.PushHeader(key="compress_type", value="gzip"))
        await self.send_frame("msg", payload, log_id=log_id, headers=headers)
        return log_id

    async def close(self, code: int = 1000, message: bytes = b"") -> None:
        """Close from the server side with this code."""
        await self.ws.close(code=code, message=message)

    def _transport(self) -> asyncio.Transport | None:
        request = self.ws._req
        transport = request.transport if request is not None else None
        return transport if isinstance(transport, asyncio.Transport) else None

    def _write_raw(self, data: bytes) -> None:
        """Bytes straight onto the TCP stream, past aiohttp's framing."""
        transport = self._transport()
        if transport is not None:
            transport.write(data)

    def drop(self) -> None:
        """Cut the TCP connection without a closing handshake."""
        transport = self._transport()
        if transport is not None:
            transport.abort()

    async def ping(self, payload: bytes = b"") -> None:
        """A WebSocket-level ping (TikTok never sends one; a browser answers it)."""
        await self.ws.ping(payload)

    async def apply(self, fault: SocketFault) -> None:
        """Do what the fault says to this socket now."""
        self.faults.append(fault)
        if fault.kind is SocketFaultKind.CLOSE:
            await self.close(fault.code, fault.reason.encode())
        elif fault.kind is SocketFaultKind.CLOSE_WITHOUT_CODE:
            self._write_raw(b"\x88\x00")  # FIN + close opcode, empty payload
        elif fault.kind is SocketFaultKind.DROP:
            self.drop()
        elif fault.kind is SocketFaultKind.SILENCE:
            self.silenced = True
        else:
            await self.send_raw(fault.frame_bytes())
        self._fake.changed()


class FakeTikTok:
    """The whole fake; use as ``async with FakeTikTok() as fake``.

    Configuration (plain attributes, change them any time):
    ``ping_interval`` (Handshake-Options sent on upgrade; None: no header),
    ``answer_heartbeats`` (the push server echoes each hb frame, as TikTok's
    does), ``required_api_key`` / ``premium_api_keys`` / ``premium_endpoints``
    (the sign server's key checks), ``valid_session_ids`` (sessions that lift
    an age restriction).
    """

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        ping_interval: float | None = None,
        answer_heartbeats: bool = False,
    ) -> None:
        self._host = host
        self._port = port
        self._fallback_port = 0
        self._runner: web.AppRunner | None = None
        self.creators: dict[str, FakeCreator] = {}
        self.room_ids = itertools.count(7_400_000_000_000_000_001)
        self.log_ids = itertools.count(1)
        self._counter = itertools.count(1)
        self._recorder = Recorder()
        self.sockets: list[FakeSocket] = []
        self.faults = Faults()
        # Sign server keys: None accepts any request.
        self.required_api_key: str | None = None
        # Keys of the premium plan, and the paths (under /sign) only they may use.
        self.premium_api_keys: set[str] = set()
        self.premium_endpoints: set[str] = set()
        self.valid_session_ids: set[str] = set()
        self.ping_interval: float | None = ping_interval
        self.answer_heartbeats = answer_heartbeats
        # Legacy stall switch: while set to an unset Event, upgrades wait for it.
        self.stall_handshake: asyncio.Event | None = None
        self._release = asyncio.Event()
        self.stalled_handshakes = 0
        self.stalled_requests: list[Request] = []
        # Cursor of every fetch the sign server handed out → the session it carried.
        self.issued_cursors: dict[str, str | None] = {}
        # The most client sockets that were ever open at the same time.
        self.max_open_sockets = 0
        # "current": Euler's layout of 2026 (the legacy paths still answer);
        # "legacy": an older sign server without the current paths.
        self.sign_layout = "current"
        # The sign server's gift lists: what they hold (name → (id, diamonds,
        # streakable)), the JSON layout ("list", "gifts", "response", "data"),
        # whether the room path exists, and whether a premium key is needed.
        self.gift_catalog: dict[str, tuple[int, int, bool]] = dict(messages.GIFTS)
        self.gift_list_layout = "response"
        self.room_gift_list = True
        self.premium_gifts = False
        # User-Agents TikTok refused with DEVICE_BLOCKED (and keeps refusing).
        self.blocked_user_agents: set[str] = set()
        # ttwid cookies given to new visitors; the direct socket wants one.
        self.minted_ttwids: set[str] = set()
        self.home_mints_ttwid = False
        self.profile_mints_ttwid = True

    # ------------------------------------------------------------ lifecycle

    async def __aenter__(self) -> FakeTikTok:
        await self.start()
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self.stop()

    async def start(self) -> None:
        """Listen on the host and (free) port."""
        app = web.Application()
        app.router.add_get("/", self._home_page)
        app.router.add_get("/@{unique_id}", self._profile_page)
        app.router.add_get("/@{unique_id}/live", self._live_page)
        app.router.add_get(DIRECT_PUSH_PATH, self._direct_websocket)
        app.router.add_get("/api-live/user/room/", self._room_api)
        app.router.add_get("/webcast/room/check_alive/", self._check_alive)
        app.router.add_get("/webcast/room/info/", self._room_info)
        app.router.add_get("/webcast/gift/list/", self._gift_list)
        app.router.add_get(
            "/sign/webcast/rooms/{room_id}/connect", self._current(self._sign_fetch)
        )
        app.router.add_get("/sign/webcast/fetch", self._sign_fetch)
        app.router.add_post(
            "/sign/tiktok/signing/encrypt/sign_url", self._current(self._sign_url)
        )
        app.router.add_post("/sign/webcast/sign_url", self._sign_url)
        app.router.add_get(
            "/sign/accounts/me/rate_limits", self._current(self._rate_limits)
        )
        app.router.add_get("/sign/webcast/rate_limits", self._rate_limits)
        app.router.add_post("/sign/webcast/bulk_live_check", self._bulk_live_check)
        app.router.add_get(
            "/sign/webcast/rooms/{room_id}/gifts", self._current(self._sign_gifts)
        )
        app.router.add_get("/sign/webcast/gifts", self._sign_gifts)
        app.router.add_get("/ws", self._websocket)
        app.router.add_get("/ws-fallback", self._fallback_websocket)
        self._runner = web.AppRunner(
            app, handle_signals=False, access_log=None, shutdown_timeout=1.0
        )
        await self._runner.setup()
        site = web.TCPSite(self._runner, self._host, self._port)
        await site.start()
        server = site._server
        assert isinstance(server, asyncio.Server)
        self._port = int(server.sockets[0].getsockname()[1])
        fallback = web.TCPSite(self._runner, self._host, 0)
        await fallback.start()
        fallback_server = fallback._server
        assert isinstance(fallback_server, asyncio.Server)
        self._fallback_port = int(fallback_server.sockets[0].getsockname()[1])

    async def stop(self) -> None:
        """Release stalls, close every socket (1001) and stop listening."""
        self.release_stalled()
        if self.stall_handshake is not None:
            self.stall_handshake.set()
        for socket in list(self.sockets):
            if not socket.ws.closed:
                with contextlib.suppress(Exception):
                    await socket.ws.close(code=1001)
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    @property
    def port(self) -> int:
        """The port the fake listens on."""
        return self._port

    @property
    def web_url(self) -> str:
        """Base URL of "www.tiktok.com"."""
        return f"http://{self._host}:{self._port}"

    @property
    def webcast_url(self) -> str:
        """Base URL of "webcast.tiktok.com/webcast"."""
        return f"{self.web_url}/webcast"

    @property
    def sign_server_url(self) -> str:
        """Base URL of the sign server."""
        return f"{self.web_url}/sign"

    @property
    def push_server_url(self) -> str:
        """The push server the sign server hands out."""
        return f"ws://{self._host}:{self._port}/ws"

    @property
    def direct_push_url(self) -> str:
        """TikTok's own push host, for the unsigned socket."""
        return f"ws://{self._host}:{self._port}"

    @property
    def fallback_push_url(self) -> str:
        """The sign server's own push host: another host name than TikTok's."""
        return f"ws://{self._host}:{self._fallback_port}/ws-fallback"

    # ------------------------------------------------------------- creators

    def add_creator(
        self, unique_id: str, *, user_id: int, nickname: str = ""
    ) -> FakeCreator:
        """A creator who is offline until they go live."""
        creator = FakeCreator(self, unique_id, user_id, nickname or unique_id)
        self.creators[unique_id] = creator
        return creator

    def _creator_of_room(self, room_id: str) -> FakeCreator | None:
        """The creator streaming in this room right now."""
        for creator in self.creators.values():
            room = creator.room
            if room is not None and room.room_id == room_id and not room.ended:
                return creator
        return None

    def _any_room(self, room_id: str) -> tuple[FakeCreator, FakeRoom] | None:
        """Any room ever streamed (live or ended) and its creator."""
        for creator in self.creators.values():
            for room in creator.rooms:
                if room.room_id == room_id:
                    return creator, room
        return None

    def open_sockets(self, creator: FakeCreator | None = None) -> list[FakeSocket]:
        """The client sockets that are open (of one creator)."""
        return [
            s
            for s in self.sockets
            if not s.closed and (creator is None or s.creator is creator)
        ]

    # ------------------------------------------------------------ recording

    @property
    def requests(self) -> list[Request]:
        """Every HTTP request the fake received, in order."""
        return self._recorder.requests

    def sign_requests(self, path: str | None = None) -> list[Request]:
        """Recorded requests of one sign server path (by default: every fetch, both layouts)."""
        if path is not None:
            return self._recorder.of_path(path)
        return [r for r in self.requests if _is_sign_fetch(r.path)]

    def requests_to(self, path: str) -> list[Request]:
        """Recorded requests of one path."""
        return self._recorder.of_path(path)

    # -------------------------------------------------------------- waiting

    def changed(self) -> None:
        """Wake the waiters: the fake's state changed."""
        self._recorder.changed()

    async def wait_for(
        self, predicate: Callable[[], bool], timeout: float = 10
    ) -> None:
        """Wait until something the fake recorded (or a state change) makes ``predicate`` true."""
        await self._recorder.wait_for(predicate, timeout)

    async def wait_for_request(
        self, path: str, count: int = 1, timeout: float = 10
    ) -> Request:
        """The ``count``-th request to ``path``, once it arrived."""
        return await self._recorder.wait_for_request(path, count, timeout)

    def _sockets_of(self, creator: FakeCreator | None) -> list[FakeSocket]:
        return [s for s in self.sockets if creator is None or s.creator is creator]

    async def wait_for_socket(
        self, creator: FakeCreator | None = None, count: int = 1, timeout: float = 10
    ) -> FakeSocket:
        """The ``count``-th socket opened (of the creator), once it opened."""
        await self.wait_for(lambda: len(self._sockets_of(creator)) >= count, timeout)
        return self._sockets_of(creator)[count - 1]

    async def wait_entered(
        self, creator: FakeCreator | None = None, count: int = 1, timeout: float = 10
    ) -> FakeSocket:
        """The ``count``-th socket whose client entered the room."""

        def entered() -> list[FakeSocket]:
            return [s for s in self._sockets_of(creator) if s.entered]

        await self.wait_for(lambda: len(entered()) >= count, timeout)
        return entered()[count - 1]

    async def wait_connected(
        self, creator: FakeCreator, count: int = 1, timeout: float = 10
    ) -> FakeSocket:
        """Wait until ``count`` sockets of the creator entered the room, then sync."""
        await self.wait_entered(creator, count, timeout)
        socket = self._sockets_of(creator)[count - 1]
        await self.sync(creator, timeout)
        return socket

    async def wait_for_heartbeats(
        self, socket: FakeSocket, count: int, timeout: float = 10
    ) -> list[int]:
        """The seq ids of the socket's first ``count`` heartbeats, once sent."""
        await self.wait_for(lambda: len(socket.frames("hb")) >= count, timeout)
        return socket.heartbeat_seq_ids()[:count]

    async def wait_for_ack(
        self, socket: FakeSocket, log_id: int, timeout: float = 10
    ) -> pb.PushFrame:
        """The client's ack of the frame with this log id."""
        await self.wait_for(lambda: socket.acked(log_id), timeout)
        return next(f for f in socket.frames("ack") if f.log_id == log_id)

    async def wait_closed(self, socket: FakeSocket, timeout: float = 10) -> int | None:
        """Wait for the socket to close; the client's close code (None: dropped)."""
        await self.wait_for(lambda: socket.closed, timeout)
        return socket.close_code

    # ------------------------------------------------------------ pushing

    def _next_result(
        self, *wire_messages: pb.WireMessage, need_ack: bool
    ) -> pb.FetchResult:
        n = next(self._counter)
        return pb.FetchResult(
            messages=list(wire_messages),
            cursor=f"cursor-{n}",
            internal_ext=f"ie-{n}",
            fetch_interval=1000,
            now=int(time.time() * 1000),
            need_ack=need_ack,
        )

    async def push(
        self,
        creator: FakeCreator,
        *wire_messages: pb.WireMessage,
        need_ack: bool = False,
        compress: bool | None = None,
    ) -> list[int]:
        """One msg frame with these messages to every open socket of the creator.

        Returns the frames' log ids (one per socket that got it; a silenced
        socket gets nothing). ``compress`` None follows each socket's URL.
        """
        result = self._next_result(*wire_messages, need_ack=need_ack)
        log_ids = []
        for socket in self.open_sockets(creator):
            if socket.silenced:
                continue
            with contextlib.suppress(ConnectionError, RuntimeError):
                log_ids.append(await socket.send_result(result, compress=compress))
        return log_ids

    async def push_result(
        self,
        creator: FakeCreator,
        result: pb.FetchResult,
        *,
        compress: bool | None = None,
    ) -> list[int]:
        """Push a FetchResult built by the test (any cursor, internal_ext, is_first)."""
        return [
            await socket.send_result(result, compress=compress)
            for socket in self.open_sockets(creator)
            if not socket.silenced
        ]

    async def inject(self, creator: FakeCreator | None, fault: SocketFault) -> None:
        """Apply a socket fault to every open socket (of the creator) now."""
        for socket in self.open_sockets(creator):
            await socket.apply(fault)

    async def sync(self, creator: FakeCreator, timeout: float = 10) -> None:
        """Return once the client handled everything pushed before.

        The client reads frames one by one and acks a frame before its events,
        so the ack of an empty frame sent now proves the earlier frames were
        read. Silenced sockets are skipped: they get nothing.
        """
        sockets = [s for s in self.open_sockets(creator) if not s.silenced]
        result = self._next_result(need_ack=True)
        log_ids: set[int] = set()
        for socket in sockets:
            with contextlib.suppress(ConnectionError, RuntimeError):
                log_ids.add(await socket.send_result(result))

        def acked() -> bool:
            got = {f.log_id for s in sockets for f in s.frames("ack")}
            return log_ids <= got or all(s.closed for s in sockets)

        await self.wait_for(acked, timeout)

    # --------------------------------------------------------------- stalls

    async def _stall(self, recorded: Request) -> None:
        """Hold this request until release_stalled() or stop()."""
        self.stalled_requests.append(recorded)
        release = self._release
        self._recorder.changed()
        await release.wait()

    def release_stalled(self) -> None:
        """Let every stalled request go on (they answer 503)."""
        self._release.set()
        self._release = asyncio.Event()

    # ------------------------------------------------- legacy fault switches
    # Older tests flip these; each maps onto a sticky fault of fake.faults.

    @property
    def sign_replies(self) -> deque[SignReply]:
        """One-shot sign fetch faults (``fake.faults.sign_fetch.queue``)."""
        return self.faults.sign_fetch.queue

    @property
    def sign_reply(self) -> SignReply | None:
        """The sticky sign fetch fault."""
        return self.faults.sign_fetch.sticky

    @sign_reply.setter
    def sign_reply(self, reply: SignReply | None) -> None:
        self.faults.sign_fetch.sticky = reply

    @property
    def ws_replies(self) -> deque[WsReply]:
        """One-shot handshake faults (``fake.faults.ws_handshake.queue``)."""
        return self.faults.ws_handshake.queue

    @property
    def ws_reply(self) -> WsReply | None:
        """The sticky handshake fault."""
        return self.faults.ws_handshake.sticky

    @ws_reply.setter
    def ws_reply(self, reply: WsReply | None) -> None:
        self.faults.ws_handshake.sticky = reply

    @property
    def html_without_live_room(self) -> bool:
        """The LIVE page lacks LiveRoom for everyone."""
        return self.faults.live_page.sticky is PageFault.NO_LIVE_ROOM

    @html_without_live_room.setter
    def html_without_live_room(self, value: bool) -> None:
        self._set_sticky(self.faults.live_page, PageFault.NO_LIVE_ROOM, value)

    @property
    def html_broken(self) -> bool:
        """The LIVE page has no SIGI_STATE (a captcha page)."""
        return self.faults.live_page.sticky is PageFault.NO_SIGI_STATE

    @html_broken.setter
    def html_broken(self, value: bool) -> None:
        self._set_sticky(self.faults.live_page, PageFault.NO_SIGI_STATE, value)

    @property
    def api_without_message(self) -> bool:
        """The room API answers without a top-level "message"."""
        return self.faults.room_api.sticky is ApiFault.NO_MESSAGE

    @api_without_message.setter
    def api_without_message(self, value: bool) -> None:
        self._set_sticky(self.faults.room_api, ApiFault.NO_MESSAGE, value)

    @property
    def web_status(self) -> int | None:
        """An HTTP status for the LIVE page and the room API alike."""
        sticky = self.faults.live_page.sticky
        return sticky.status if isinstance(sticky, HttpStatus) else None

    @web_status.setter
    def web_status(self, status: int | None) -> None:
        for slot in (self.faults.live_page, self.faults.room_api):
            if status is not None:
                slot.always(HttpStatus(status))
            elif isinstance(slot.sticky, HttpStatus):
                slot.sticky = None

    @property
    def check_alive_override(self) -> bool | None:
        """What check_alive says whatever the room's state."""
        sticky = self.faults.check_alive.sticky
        return sticky if isinstance(sticky, bool) else None

    @check_alive_override.setter
    def check_alive_override(self, value: bool | None) -> None:
        self.faults.check_alive.sticky = value

    @staticmethod
    def _set_sticky(slot: Any, fault: object, on: bool) -> None:
        if on:
            slot.always(fault)
        elif slot.sticky is fault:
            slot.sticky = None

    # ------------------------------------------------------------ TikTok web

    def _user_json(
        self, creator: FakeCreator, *, status: int | None = None
    ) -> dict[str, Any]:
        return {
            "id": str(creator.user_id),
            "uniqueId": creator.unique_id,
            "nickname": creator.nickname,
            "roomId": creator.room.room_id if creator.room else "",
            "status": creator.status if status is None else status,
            "secUid": f"MS4wLjABAAAA-fake-{creator.user_id}",
            "avatarThumb": f"https://p16.example/{creator.unique_id}.webp",
        }

    def _live_room_json(
        self, creator: FakeCreator, *, status: int | None = None
    ) -> dict[str, Any]:
        room = creator.room
        return {
            "status": creator.status if status is None else status,
            "title": room.title if room else "",
            "startTime": room.created_at if room else 0,
            "liveRoomStats": {"userCount": room.viewers if room else 0},
        }

    def _mint_ttwid(self) -> str:
        ttwid = f"1%7Cfake-visitor-{next(self._counter)}"
        self.minted_ttwids.add(ttwid)
        return ttwid

    async def _home_page(self, request: web.Request) -> web.Response:
        recorded = await self._recorder.record(request)
        html = "<!DOCTYPE html><html><body>TikTok</body></html>"
        if not self.home_mints_ttwid:
            return web.Response(
                text=html, content_type="text/html", headers={"X-TT-System-Error": "3"}
            )
        headers = {}
        if "ttwid" not in recorded.cookies:
            headers["Set-Cookie"] = f"ttwid={self._mint_ttwid()}; Path=/; Secure"
        return web.Response(text=html, content_type="text/html", headers=headers)

    async def _profile_page(self, request: web.Request) -> web.Response:
        recorded = await self._recorder.record(request)
        headers = {}
        if "ttwid" not in recorded.cookies and self.profile_mints_ttwid:
            headers["Set-Cookie"] = f"ttwid={self._mint_ttwid()}; Path=/; Secure"
        return web.Response(
            text="<!DOCTYPE html><html><body>profile</body></html>",
            content_type="text/html",
            headers=headers,
        )

    async def _live_page(self, request: web.Request) -> web.Response:
        await self._recorder.record(request)
        fault = self.faults.live_page.take()
        if isinstance(fault, HttpStatus):
            return web.Response(status=fault.status, text=fault.body)
        if fault is PageFault.NO_SIGI_STATE:
            return web.Response(
                text="<!DOCTYPE html><html><body>Please wait...</body></html>",
                content_type="text/html",
            )
        creator = self.creators.get(request.match_info["unique_id"])
        state: dict[str, Any] = {
            "AppContext": {"appContext": {"language": "en", "region": "US"}},
            "SEO": {"metaParams": {"title": "TikTok LIVE"}},
        }
        if creator is not None and fault is not PageFault.NO_LIVE_ROOM:
            status = ROOM_STATUS_OFFLINE if fault is PageFault.OFFLINE else None
            state["LiveRoom"] = {
                "liveRoomUserInfo": {
                    "user": self._user_json(creator, status=status),
                    "liveRoom": self._live_room_json(creator, status=status),
                },
                "loadingState": {"getRecommendLive": 1},
            }
        # As in a real page: "<" escaped so no title can end the script early.
        body = (
            "{not json"
            if fault is PageFault.BAD_JSON
            else json.dumps(state).replace("<", "\\u003c")
        )
        html = (
            "<!DOCTYPE html><html><head><title>TikTok LIVE</title></head><body>"
            '<div id="app"></div>'
            f'<script id="SIGI_STATE" type="application/json">{body}</script>'
            "</body></html>"
        )
        return web.Response(
            text=html,
            content_type="text/html",
            headers={"Set-Cookie": "tt_csrf_token=fake-csrf; Path=/; Secure"},
        )

    async def _room_api(self, request: web.Request) -> web.Response:
        await self._recorder.record(request)
        fault = self.faults.room_api.take()
        if isinstance(fault, HttpStatus):
            return web.Response(status=fault.status, text=fault.body)
        if fault is ApiFault.NO_MESSAGE:
            return web.json_response({"statusCode": 0, "data": {}})
        if fault is ApiFault.CAPTCHA:
            return web.Response(
                text="<html><body>Verify to continue</body></html>",
                content_type="text/html",
            )
        creator = self.creators.get(request.query.get("uniqueId", ""))
        if creator is None or fault is ApiFault.USER_NOT_FOUND:
            return web.json_response(
                {"message": "user_not_found", "statusCode": 19881007, "data": {}}
            )
        status = ROOM_STATUS_OFFLINE if fault is ApiFault.OFFLINE else None
        user = self._user_json(creator, status=status)
        if fault is ApiFault.NO_ROOM_ID:
            del user["roomId"]
        return web.json_response(
            {
                "message": "",
                "statusCode": 0,
                "data": {
                    "user": user,
                    "liveRoom": self._live_room_json(creator, status=status),
                },
            }
        )

    # --------------------------------------------------------- webcast API

    async def _check_alive(self, request: web.Request) -> web.Response:
        await self._recorder.record(request)
        fault = self.faults.check_alive.take()
        if isinstance(fault, HttpStatus):
            return web.Response(status=fault.status, text=fault.body)
        room_ids = [r for r in request.query.get("room_ids", "").split(",") if r]
        data = []
        for room_id in room_ids:
            alive = self._creator_of_room(room_id) is not None
            if isinstance(fault, bool):
                alive = fault
            data.append(
                {
                    "alive": alive,
                    "room_id": int(room_id) if room_id.isdigit() else 0,
                    "room_id_str": room_id,
                }
            )
        return web.json_response(
            {"data": data, "extra": {"now": int(time.time() * 1000)}, "status_code": 0}
        )

    def _signed_in(self, recorded: Request) -> bool:
        session = recorded.cookies.get("sessionid")
        return session is not None and session in self.valid_session_ids

    async def _room_info(self, request: web.Request) -> web.Response:
        recorded = await self._recorder.record(request)
        fault = self.faults.room_info.take()
        if isinstance(fault, HttpStatus):
            return web.Response(status=fault.status, text=fault.body)
        if fault is RoomInfoFault.ALMOST_EMPTY:
            return web.json_response({"data": {"message": "room unavailable"}})
        if fault is RoomInfoFault.PROMPTS:
            return web.json_response({"data": {"prompts": ""}, "status_code": 4003110})
        found = self._any_room(request.query.get("room_id", ""))
        if found is None:
            # TikTok's answer for a room id it does not know: one key.
            return web.json_response(
                {"data": {"message": "room not found"}, "status_code": 30003}
            )
        creator, room = found
        restricted = fault is RoomInfoFault.AGE_RESTRICTED or creator.age_restricted
        if restricted and not self._signed_in(recorded):
            return web.json_response(
                {
                    "data": {
                        "prompts": "This LIVE is for adults only. Log in to watch."
                    },
                    "status_code": 0,
                }
            )
        return web.json_response(
            {
                "data": {
                    "id": int(room.room_id),
                    "id_str": room.room_id,
                    "status": ROOM_STATUS_OFFLINE
                    if room.ended
                    else ROOM_STATUS_PAUSED
                    if room.paused
                    else ROOM_STATUS_LIVE,
                    "title": room.title,
                    "create_time": room.created_at,
                    "user_count": room.viewers,
                    "like_count": room.likes,
                    "stats": {"total_user": room.viewers, "like_count": room.likes},
                    "owner": {
                        "id": creator.user_id,
                        "id_str": str(creator.user_id),
                        "display_id": creator.unique_id,
                        "nickname": creator.nickname,
                        "avatar_thumb": {
                            "url_list": [
                                f"https://p16.example/{creator.unique_id}.webp"
                            ]
                        },
                    },
                },
                "extra": {"now": int(time.time() * 1000)},
                "status_code": 0,
            }
        )

    @staticmethod
    def _gifts_json(catalog: dict[str, tuple[int, int, bool]]) -> list[dict[str, Any]]:
        """Gifts as TikTok's JSON describes them."""
        return [
            {
                "id": gift_id,
                "name": name,
                "diamond_count": diamonds,
                "type": 1 if streakable else 2,
                "image": {"url_list": [messages.gift_image_url(gift_id)]},
                "icon": {"url_list": [messages.gift_icon_url(gift_id)]},
            }
            for name, (gift_id, diamonds, streakable) in catalog.items()
        ]

    async def _gift_list(self, request: web.Request) -> web.Response:
        await self._recorder.record(request)
        gifts = self._gifts_json(messages.GIFTS)
        return web.json_response({"data": {"gifts": gifts}, "status_code": 0})

    # ---------------------------------------------------------- sign server

    def _key_problem(
        self, recorded: Request, *, premium: bool = False
    ) -> web.Response | None:
        """401 for a missing or unknown key; 402/403 on premium-only paths."""
        key = recorded.header("X-Api-Key")
        valid = {k for k in (self.required_api_key, *self.premium_api_keys) if k}
        if self.required_api_key is not None and key not in valid:
            message = "Missing API key" if key is None else "API Key is invalid"
            return web.json_response({"code": 401, "message": message}, status=401)
        premium = premium or recorded.path in self.premium_endpoints
        if premium and key not in self.premium_api_keys:
            if key is None:
                return web.json_response(
                    {"code": 402, "message": "This endpoint needs a paid API key."},
                    status=402,
                )
            return web.json_response(
                {"code": 403, "message": "Your plan does not include this endpoint."},
                status=403,
            )
        return None

    def _sign_headers(self, reply: SignReply | None = None) -> CIMultiDict[str]:
        headers: CIMultiDict[str] = CIMultiDict(
            {"X-Request-Id": f"log-{next(self._counter)}", "X-Agent-Id": AGENT_ID}
        )
        if reply is not None:
            headers.update(reply.headers)
        return headers

    async def _canned(self, recorded: Request, reply: SignReply) -> web.Response | None:
        """The answer of an HTTP-level sign fault, or None for a built result."""
        if reply.stall:
            await self._stall(recorded)
            return web.Response(status=503, text="")
        if reply.status != 200 or reply.body is not None:
            return web.Response(
                status=reply.status,
                body=reply.body or b"",
                headers=self._sign_headers(reply),
            )
        return None

    def _current(
        self, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
    ) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
        """A current-layout route: 404 while the fake plays an older sign server."""

        async def _route(request: web.Request) -> web.StreamResponse:
            if self.sign_layout == "legacy":
                await self._recorder.record(request)
                return web.json_response(
                    {"code": 404, "message": "Not Found"}, status=404
                )
            return await handler(request)

        return _route

    @staticmethod
    def _signed_session(recorded: Request) -> str | None:
        """The TikTok session a sign request carried (header; legacy query too)."""
        header = recorded.header("x-cookie-header")
        if header:
            cookie: SimpleCookie = SimpleCookie()
            with contextlib.suppress(CookieError):
                cookie.load(header)
            if "sessionid" in cookie:
                return cookie["sessionid"].value
        return recorded.query.get("session_id")

    async def _sign_fetch(self, request: web.Request) -> web.StreamResponse:
        recorded = await self._recorder.record(request)
        reply = self.faults.sign_fetch.take()
        if reply is not None:
            canned = await self._canned(recorded, reply)
            if canned is not None:
                return canned
        if reply is None and (problem := self._key_problem(recorded)) is not None:
            return problem
        reply = reply or SignReply()
        headers = self._sign_headers(reply)
        n = next(self._counter)
        room_id = request.match_info.get("room_id") or recorded.query.get("room_id", "")
        creator = self._creator_of_room(room_id)
        cursor = f"{int(time.time() * 1000)}_{n}_1_1_0_0" if reply.cursor else ""
        # TikTok's internal_ext is full of "|" and ":": it must be percent-encoded.
        internal_ext = (
            f"internal_src:dim|wss_push_room_id:{room_id}|wss_push_did:{n}"
            f"|first_req_ms:{int(time.time() * 1000)}|fetch_time:{n}|seq:1|wss_info:0-{n}-0-0"
        )
        result = pb.FetchResult(
            messages=creator.history if creator else [],
            cursor=cursor,
            internal_ext=internal_ext,
            fetch_interval=1000,
            now=int(time.time() * 1000),
            fetch_type=1,
            route_params={"cursor": cursor or f"rp-{n}", "internal_ext": internal_ext}
            if reply.route_params
            else {},
            heartbeat_duration=10_000,
            push_server=(
                self.fallback_push_url
                if reply.push_host == "fallback"
                else self.push_server_url
            )
            if reply.push_server
            else "",
            is_first=reply.is_first,
            need_ack=True,
        )
        if reply.route_params:
            self.issued_cursors[result.route_params["cursor"]] = self._signed_session(
                recorded
            )
        if reply.cookie and "X-Set-TT-Cookie" not in headers:
            headers["X-Set-TT-Cookie"] = (
                f"ttwid=1%7Cfake-ttwid-{n}; Path=/; Domain=.tiktok.com"
            )
        return web.Response(
            body=result.SerializeToString(),
            headers=headers,
            content_type="application/x-protobuf",
        )

    async def _sign_url(self, request: web.Request) -> web.Response:
        recorded = await self._recorder.record(request)
        reply = self.faults.sign_url.take()
        if reply is not None:
            return await self._sign_url_reply(recorded, reply)
        if (problem := self._key_problem(recorded)) is not None:
            return problem
        try:
            data = json.loads(recorded.body or b"{}")
        except ValueError:
            return web.json_response({"code": 400, "message": "Bad JSON"}, status=400)
        url = str(data.get("url", ""))
        separator = "&" if "?" in url else "?"
        n = next(self._counter)
        return web.json_response(
            {
                "code": 200,
                "response": {
                    "signedUrl": f"{url}{separator}msToken=fake-ms-token-{n}"
                    f"&X-Bogus=DFSzswVfake{n}&X-Gnarly=fake-gnarly-{n}",
                    "userAgent": data.get("userAgent", ""),
                    "browserName": "Mozilla",
                    "tokens": {"msToken": f"fake-ms-token-{n}"},
                },
            },
            headers=self._sign_headers(),
        )

    async def _sign_url_reply(
        self, recorded: Request, reply: SignUrlReply
    ) -> web.Response:
        if reply.stall:
            await self._stall(recorded)
            return web.Response(status=503, text="")
        headers = self._sign_headers()
        headers.update(reply.headers)
        if reply.json is not None:
            return web.json_response(reply.json, status=reply.status, headers=headers)
        return web.Response(
            status=reply.status, body=reply.body or b"", headers=headers
        )

    async def _bulk_live_check(self, request: web.Request) -> web.StreamResponse:
        """Many creators live or not, for API keys only (402 without one)."""
        recorded = await self._recorder.record(request)
        if (problem := self._key_problem(recorded)) is not None:
            return problem
        if recorded.header("X-Api-Key") is None:
            return web.json_response(
                {"code": 402, "message": "Bulk live checks need an API key."},
                status=402,
            )
        try:
            wanted = [str(i) for i in json.loads(recorded.body)["user_numeric_ids"]]
        except (ValueError, KeyError, TypeError):
            return web.json_response({"code": 400, "message": "Bad body"}, status=400)
        data = {}
        for user_id in wanted:
            creator = next(
                (c for c in self.creators.values() if str(c.user_id) == user_id), None
            )
            room = creator.room if creator is not None else None
            data[user_id] = {
                "is_live": room is not None,
                "room_id": room.room_id if room is not None else None,
            }
        return web.json_response(
            {"code": 200, "response": {"data": data}}, headers=self._sign_headers()
        )

    async def _rate_limits(self, request: web.Request) -> web.StreamResponse:
        recorded = await self._recorder.record(request)
        reply = self.faults.rate_limits.take()
        if reply is None:
            # The sign server's HTTP-level faults (status, body) hit this route too.
            pending = self.faults.sign_fetch
            head = pending.queue[0] if pending.queue else pending.sticky
            if head is not None and (head.status != 200 or head.body is not None):
                reply = pending.take()
        if reply is not None:
            canned = await self._canned(recorded, reply)
            if canned is not None:
                return canned
        if (problem := self._key_problem(recorded)) is not None:
            return problem
        return web.json_response(
            {
                "minute": {"max": 10, "remaining": 9},
                "hour": {"max": 60, "remaining": 59},
                "day": {"max": 300, "remaining": 299},
            },
            headers=self._sign_headers(),
        )

    async def _sign_gifts(self, request: web.Request) -> web.StreamResponse:
        """The gift list of a room, or of every room (Euler's /webcast/gifts)."""
        recorded = await self._recorder.record(request)
        reply = self.faults.sign_gifts.take()
        if reply is not None:
            canned = await self._canned(recorded, reply)
            if canned is not None:
                return canned
        if "room_id" in request.match_info and not self.room_gift_list:
            return web.json_response({"code": 404, "message": "Not Found"}, status=404)
        if (
            problem := self._key_problem(recorded, premium=self.premium_gifts)
        ) is not None:
            return problem
        gifts = self._gifts_json(self.gift_catalog)
        data: Any
        match self.gift_list_layout:
            case "list":
                data = gifts
            case "gifts":
                data = {"gifts": gifts}
            case "data":
                data = {"data": {"gifts": gifts}, "status_code": 0}
            case _:
                data = {"code": 200, "response": {"gifts": gifts}}
        return web.json_response(data, headers=self._sign_headers())

    # ---------------------------------------------------------- push server

    async def _websocket(self, request: web.Request) -> web.StreamResponse:
        return await self._push_socket(request, direct=False)

    async def _direct_websocket(self, request: web.Request) -> web.StreamResponse:
        return await self._push_socket(request, direct=True)

    async def _push_socket(
        self, request: web.Request, *, direct: bool
    ) -> web.StreamResponse:
        """The push WebSocket, signed (from the sign server) or direct (unsigned)."""
        recorded = await self._recorder.record(request)
        if self.stall_handshake is not None and not self.stall_handshake.is_set():
            self.stalled_handshakes += 1
            self._recorder.changed()
            await self.stall_handshake.wait()
        slot = self.faults.direct_handshake if direct else self.faults.ws_handshake
        reply = slot.take()
        if reply is not None and reply.stall:
            self.stalled_handshakes += 1
            await self._stall(recorded)
            return web.Response(status=503, text="")
        user_agent = recorded.header("User-Agent") or ""
        if reply is not None:
            if reply.blocks_identity:
                self.blocked_user_agents.add(user_agent)
            return self._blocked(reply.status, reply.handshake_msg)
        if user_agent in self.blocked_user_agents:
            return self._blocked(415, "DEVICE_BLOCKED")
        if direct:
            if recorded.cookies.get("ttwid") not in self.minted_ttwids:
                return self._blocked(415, "DEVICE_BLOCKED")
            missing = [
                k for k, v in DIRECT_PARAMS.items() if recorded.query.get(k) != v
            ]
            if missing or not recorded.query.get("room_id"):
                return self._blocked(400, f"missing params {missing}")
        creator = self._creator_of_room(recorded.query.get("room_id", ""))
        if creator is None:
            return self._blocked(200, "room is not live")
        if creator.age_restricted and not self._signed_in(recorded):
            # What TikTok answers here is not documented anywhere we could
            # check; the client must not depend on this text.
            return self._blocked(200, "age restricted room")
        # A URL signed with a session must be opened with that session's cookie.
        signed_session = self.issued_cursors.get(recorded.query.get("cursor", ""))
        if (
            not direct
            and signed_session
            and recorded.cookies.get("sessionid") != signed_session
        ):
            return self._blocked(200, "illegal secret key")
        # autoping off: the fake answers pings itself and records the pongs.
        ws = web.WebSocketResponse(protocols=(WS_SUBPROTOCOL,), autoping=False)
        if self.ping_interval is not None:
            ws.headers["Handshake-Options"] = f"ping-interval={self.ping_interval}"
        await ws.prepare(request)
        socket = FakeSocket(self, ws, creator, recorded, direct=direct)
        self.sockets.append(socket)
        self.max_open_sockets = max(self.max_open_sockets, len(self.open_sockets()))
        self._recorder.changed()
        try:
            async for message in ws:
                if message.type == WSMsgType.BINARY:
                    await self._client_frame(socket, message.data)
                elif message.type == WSMsgType.TEXT:
                    await self._client_frame(socket, message.data.encode())
                elif message.type == WSMsgType.PING:
                    await ws.pong(message.data)
                elif message.type == WSMsgType.PONG:
                    socket.pongs.append(message.data)
                    self._recorder.changed()
        except (ConnectionError, RuntimeError) as err:  # the client vanished
            _LOGGER.debug("push socket ended: %s", err)
        finally:
            socket.closed = True
            socket.close_code = ws.close_code
            self._recorder.changed()
        return ws

    async def _fallback_websocket(self, request: web.Request) -> web.StreamResponse:
        """The sign server's own push host: it refuses, as Euler's did in 2026-09."""
        await self._recorder.record(request)
        return self._blocked(417, "illegal app_id")

    @staticmethod
    def _blocked(status: int, handshake_msg: str | None) -> web.Response:
        headers = {"Handshake-Msg": handshake_msg} if handshake_msg else {}
        return web.Response(status=status, text="", headers=headers)

    async def _client_frame(self, socket: FakeSocket, data: bytes) -> None:
        frame = pb.PushFrame()
        try:
            frame.ParseFromString(data)
        except Exception:  # noqa: BLE001 - protobuf raises DecodeError or worse
            socket.malformed.append(data)
            self._recorder.changed()
            return
        socket.received.append(frame)
        self._recorder.changed()
        if socket.silenced or socket.ws.closed:
            return
        if frame.payload_type == "hb" and self.answer_heartbeats:
            await socket.send_frame("hb", frame.payload)
        if (
            frame.payload_type == "im_enter_room"
            and len(socket.frames("im_enter_room")) == 1
        ):
            if socket.direct and socket.creator.history:
                # No first fetch result on a direct socket: the recent
                # history comes as its first frame once the room is entered.
                await socket.send_result(
                    self._next_result(*socket.creator.history, need_ack=True)
                )
            fault = self.faults.socket.take()
            if fault is not None:
                await socket.apply(fault)


def _is_sign_fetch(path: str) -> bool:
    """Whether ``path`` is the sign server's fetch, in either layout."""
    return path == "/sign/webcast/fetch" or (
        path.startswith("/sign/webcast/rooms/") and path.endswith("/connect")
    )
