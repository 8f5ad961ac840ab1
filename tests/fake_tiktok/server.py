"""A fake of TikTok web, the webcast API, the sign server and the push WebSocket.

It binds 127.0.0.1 on a free port and speaks the protocol the real services
speak (see the protocol notes), so the client is tested over real sockets. Every
fault that maps to an error class can be injected; everything the client sends
is recorded; tests wait on what happened, never on the clock.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
import gzip
import itertools
import json
import time
from typing import Any

from aiohttp import WSMsgType, web
from multidict import CIMultiDict

from custom_components.tiktok_live.webcast.proto import webcast_pb2 as pb

from . import messages

ROOM_STATUS_LIVE = 2
ROOM_STATUS_OFFLINE = 4


@dataclass
class SignReply:
    """A canned sign server answer (a fault, or anything a test wants)."""

    status: int = 200
    body: bytes | None = None
    headers: dict[str, str] = field(default_factory=dict)
    # For /webcast/fetch with status 200: which parts of a good answer to leave out.
    cookie: bool = True
    cursor: bool = True
    push_server: bool = True
    route_params: bool = True


@dataclass
class WsReply:
    """A canned answer to the WebSocket upgrade instead of 101."""

    status: int = 200
    handshake_msg: str | None = "illegal secret key"


@dataclass
class Request:
    """One recorded HTTP request."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes = b""
    query_string: str = ""


@dataclass
class FakeRoom:
    """One stream."""

    room_id: str
    title: str
    viewers: int
    created_at: int


class FakeCreator:
    """A TikTok account that can go live."""

    def __init__(
        self, fake: FakeTikTok, unique_id: str, user_id: int, nickname: str
    ) -> None:
        self._fake = fake
        self.unique_id = unique_id
        self.user_id = user_id
        self.nickname = nickname
        self.room: FakeRoom | None = None
        self.last_room: FakeRoom | None = None
        # The room info asks for a signed-in adult unless one of these sessions is sent.
        self.age_restricted = False
        # Messages the first fetch result carries ("recent history").
        self.history: list[pb.WireMessage] = []

    @property
    def is_live(self) -> bool:
        """Whether the creator streams right now."""
        return self.room is not None

    def go_live(self, *, title: str = "", viewers: int = 0) -> FakeRoom:
        """Start a new stream (a new room id)."""
        self.room = FakeRoom(
            room_id=str(next(self._fake.room_ids)),
            title=title,
            viewers=viewers,
            created_at=int(time.time()),
        )
        self.last_room = self.room
        self.history = []
        return self.room

    def go_offline(self) -> None:
        """Stop streaming without telling open sockets."""
        self.room = None

    async def end_stream(self) -> None:
        """End the stream the way TikTok does: control action 3, then offline."""
        await self._fake.push(self, messages.control(3))
        self.go_offline()


class FakeSocket:
    """One client WebSocket, and what the client sent over it."""

    def __init__(
        self,
        fake: FakeTikTok,
        ws: web.WebSocketResponse,
        creator: FakeCreator,
        request: Request,
    ) -> None:
        self._fake = fake
        self.ws = ws
        self.creator = creator
        self.request = request
        self.room_id = request.query.get("room_id", "")
        self.compress = request.query.get("compress") == "gzip"
        self.received: list[pb.PushFrame] = []
        self.closed = False

    def frames(self, payload_type: str) -> list[pb.PushFrame]:
        """Frames of one type the client sent."""
        return [f for f in self.received if f.payload_type == payload_type]

    def heartbeat_seq_ids(self) -> list[int]:
        """The seq ids of the heartbeats, in order."""
        ids = []
        for frame in self.frames("hb"):
            hb = pb.HeartbeatPayload()
            hb.ParseFromString(frame.payload)
            ids.append(hb.send_packet_seq_id)
        return ids

    async def send_raw(self, data: bytes) -> None:
        """Send bytes as one binary message, whatever they are."""
        await self.ws.send_bytes(data)

    async def send_result(
        self,
        result: pb.FetchResult,
        *,
        compress: bool | None = None,
        log_id: int | None = None,
    ) -> int:
        """Send a FetchResult in a msg frame; returns its log id."""
        log_id = log_id or next(self._fake.log_ids)
        payload = result.SerializeToString()
        headers = []
        if self.compress if compress is None else compress:
            payload = gzip.compress(payload)
            headers.append(pb.PushHeader(key="compress_type", value="gzip"))
        frame = pb.PushFrame(
            log_id=log_id,
            payload_encoding="pb",
            payload_type="msg",
            headers=headers,
            payload=payload,
        )
        await self.ws.send_bytes(frame.SerializeToString())
        return log_id

    async def close(self, code: int = 1000, message: bytes = b"") -> None:
        """Close from the server side."""
        await self.ws.close(code=code, message=message)

    def drop(self) -> None:
        """Cut the TCP connection without a closing handshake."""
        transport = self.ws._req.transport if self.ws._req else None
        if transport is not None:
            transport.abort()


class FakeTikTok:
    """The whole fake; use as ``async with FakeTikTok() as fake``."""

    def __init__(self, *, host: str = "127.0.0.1", port: int = 0) -> None:
        self._host = host
        self._port = port
        self._runner: web.AppRunner | None = None
        self.creators: dict[str, FakeCreator] = {}
        self.room_ids = itertools.count(7_400_000_000_000_000_001)
        self.log_ids = itertools.count(1)
        self._counter = itertools.count(1)
        self.requests: list[Request] = []
        self.sockets: list[FakeSocket] = []
        self._changed = asyncio.Condition()
        # Faults: queued ones are used once each, in order; a sticky one until cleared.
        self.sign_replies: deque[SignReply] = deque()
        self.sign_reply: SignReply | None = None
        self.sign_url_replies: deque[tuple[int, Any]] = deque()
        self.ws_replies: deque[WsReply] = deque()
        self.ws_reply: WsReply | None = None
        self.required_api_key: str | None = None
        self.valid_session_ids: set[str] = set()
        self.ping_interval: float | None = None
        self.html_without_live_room = False
        self.html_broken = False
        self.api_without_message = False
        self.web_status: int | None = None
        self.check_alive_override: bool | None = None
        self.stall_handshake: asyncio.Event | None = None
        # The most client sockets that were ever open at the same time.
        self.max_open_sockets = 0
        self.stalled_handshakes = 0

    # ------------------------------------------------------------ lifecycle

    async def __aenter__(self) -> FakeTikTok:
        await self.start()
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self.stop()

    async def start(self) -> None:
        """Listen on the host and (free) port."""
        app = web.Application()
        app.router.add_get("/@{unique_id}/live", self._live_page)
        app.router.add_get("/api-live/user/room/", self._room_api)
        app.router.add_get("/webcast/room/check_alive/", self._check_alive)
        app.router.add_get("/webcast/room/info/", self._room_info)
        app.router.add_get("/sign/webcast/fetch", self._sign_fetch)
        app.router.add_post("/sign/webcast/sign_url", self._sign_url)
        app.router.add_get("/sign/webcast/rate_limits", self._rate_limits)
        app.router.add_get("/ws", self._websocket)
        self._runner = web.AppRunner(app, handle_signals=False, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self._host, self._port)
        await site.start()
        server = site._server
        assert server is not None
        self._port = server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    async def stop(self) -> None:
        """Close every socket and stop listening."""
        if self.stall_handshake is not None:
            self.stall_handshake.set()
        for socket in list(self.sockets):
            if not socket.ws.closed:
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

    # ------------------------------------------------------------- creators

    def add_creator(
        self, unique_id: str, *, user_id: int, nickname: str = ""
    ) -> FakeCreator:
        """A creator who is offline until they go live."""
        creator = FakeCreator(self, unique_id, user_id, nickname or unique_id)
        self.creators[unique_id] = creator
        return creator

    def _creator_of_room(self, room_id: str) -> FakeCreator | None:
        for creator in self.creators.values():
            if creator.room is not None and creator.room.room_id == room_id:
                return creator
        return None

    def open_sockets(self, creator: FakeCreator | None = None) -> list[FakeSocket]:
        """The client sockets that are open (of one creator)."""
        return [
            s
            for s in self.sockets
            if not s.closed and (creator is None or s.creator is creator)
        ]

    # ------------------------------------------------------------ pushing

    async def push(
        self,
        creator: FakeCreator,
        *wire_messages: pb.WireMessage,
        need_ack: bool = False,
        compress: bool | None = None,
    ) -> list[int]:
        """One msg frame with these messages to every open socket of the creator."""
        n = next(self._counter)
        result = pb.FetchResult(
            messages=list(wire_messages),
            cursor=f"cursor-{n}",
            internal_ext=f"ie-{n}",
            need_ack=need_ack,
        )
        return [
            await socket.send_result(result, compress=compress)
            for socket in self.open_sockets(creator)
        ]

    async def sync(self, creator: FakeCreator, timeout: float = 10) -> None:
        """Return once the client handled everything pushed before.

        The client reads frames one by one and acks a frame before its events,
        so the ack of an empty frame sent now proves the earlier frames' events
        were all handled.
        """
        sockets = self.open_sockets(creator)
        n = next(self._counter)
        result = pb.FetchResult(
            cursor=f"sync-{n}", internal_ext=f"sync-{n}", need_ack=True
        )
        log_ids = {await s.send_result(result) for s in sockets}

        def acked() -> bool:
            got = {f.log_id for s in sockets for f in s.frames("ack")}
            return log_ids <= got or all(s.closed for s in sockets)

        await self.wait_for(acked, timeout)

    async def wait_connected(
        self, creator: FakeCreator, count: int = 1, timeout: float = 10
    ) -> FakeSocket:
        """Wait until ``count`` sockets of the creator entered the room, then sync."""

        def entered() -> bool:
            sockets = [
                s
                for s in self.sockets
                if s.creator is creator and s.frames("im_enter_room")
            ]
            return len(sockets) >= count

        await self.wait_for(entered, timeout)
        socket = [s for s in self.sockets if s.creator is creator][count - 1]
        await self.sync(creator, timeout)
        return socket

    async def wait_for(
        self, predicate: Callable[[], bool], timeout: float = 10
    ) -> None:
        """Wait until something the fake recorded makes ``predicate`` true."""
        async with asyncio.timeout(timeout), self._changed:
            await self._changed.wait_for(predicate)

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    def sign_requests(self, path: str = "/sign/webcast/fetch") -> list[Request]:
        """Recorded sign server requests of one endpoint."""
        return [r for r in self.requests if r.path == path]

    # -------------------------------------------------------------- routes

    async def _record(self, request: web.Request) -> Request:
        recorded = Request(
            method=request.method,
            path=request.path,
            query=dict(request.query),
            headers=dict(request.headers),
            body=await request.read() if request.can_read_body else b"",
            query_string=request.query_string,
        )
        self.requests.append(recorded)
        await self._notify()
        return recorded

    def _user_json(self, creator: FakeCreator) -> dict[str, Any]:
        return {
            "id": str(creator.user_id),
            "uniqueId": creator.unique_id,
            "nickname": creator.nickname,
            "roomId": creator.room.room_id if creator.room else "",
            "status": ROOM_STATUS_LIVE if creator.is_live else ROOM_STATUS_OFFLINE,
            "secUid": f"sec-{creator.user_id}",
        }

    async def _live_page(self, request: web.Request) -> web.Response:
        await self._record(request)
        if self.web_status is not None:
            return web.Response(status=self.web_status, text="")
        if self.html_broken:
            return web.Response(
                text="<html><body>Please wait...</body></html>",
                content_type="text/html",
            )
        creator = self.creators.get(request.match_info["unique_id"])
        state: dict[str, Any] = {"AppContext": {"appContext": {"language": "en"}}}
        if creator is not None and not self.html_without_live_room:
            state["LiveRoom"] = {"liveRoomUserInfo": {"user": self._user_json(creator)}}
        html = (
            "<!DOCTYPE html><html><head><title>TikTok LIVE</title></head><body>"
            f'<script id="SIGI_STATE" type="application/json">{json.dumps(state)}</script>'
            "</body></html>"
        )
        return web.Response(
            text=html,
            content_type="text/html",
            headers={"Set-Cookie": "tt_csrf_token=fake-csrf; Path=/; Secure"},
        )

    async def _room_api(self, request: web.Request) -> web.Response:
        await self._record(request)
        if self.web_status is not None:
            return web.Response(status=self.web_status, text="")
        creator = self.creators.get(request.query.get("uniqueId", ""))
        if self.api_without_message:
            return web.json_response({"statusCode": 0, "data": {}})
        if creator is None:
            return web.json_response(
                {"message": "user_not_found", "statusCode": 19881007, "data": {}}
            )
        live_room: dict[str, Any] = {
            "status": ROOM_STATUS_LIVE if creator.is_live else ROOM_STATUS_OFFLINE
        }
        if creator.room:
            live_room["title"] = creator.room.title
        return web.json_response(
            {
                "message": "",
                "statusCode": 0,
                "data": {"user": self._user_json(creator), "liveRoom": live_room},
            }
        )

    async def _check_alive(self, request: web.Request) -> web.Response:
        await self._record(request)
        room_id = request.query.get("room_ids", "")
        alive = self._creator_of_room(room_id) is not None
        if self.check_alive_override is not None:
            alive = self.check_alive_override
        return web.json_response(
            {"data": [{"alive": alive, "room_id": int(room_id or 0)}]}
        )

    async def _room_info(self, request: web.Request) -> web.Response:
        recorded = await self._record(request)
        creator = self._creator_of_room(request.query.get("room_id", ""))
        if creator is None or creator.room is None:
            return web.json_response({"data": {"status": ROOM_STATUS_OFFLINE}})
        cookies = recorded.headers.get("Cookie", "")
        signed_in = any(f"sessionid={sid}" in cookies for sid in self.valid_session_ids)
        if creator.age_restricted and not signed_in:
            return web.json_response(
                {"data": {"prompts": "This LIVE is for adults only. Log in to watch."}}
            )
        room = creator.room
        return web.json_response(
            {
                "data": {
                    "id_str": room.room_id,
                    "status": ROOM_STATUS_LIVE,
                    "title": room.title,
                    "create_time": room.created_at,
                    "user_count": room.viewers,
                    "owner": {
                        "id_str": str(creator.user_id),
                        "display_id": creator.unique_id,
                    },
                }
            }
        )

    def _key_problem(self, recorded: Request) -> web.Response | None:
        if self.required_api_key is None:
            return None
        key = recorded.headers.get("X-Api-Key")
        if key == self.required_api_key:
            return None
        if key is None:
            return web.json_response(
                {"code": 402, "message": "This endpoint needs an API key."}, status=402
            )
        return web.json_response(
            {"code": 401, "message": "API Key is invalid"}, status=401
        )

    async def _sign_fetch(self, request: web.Request) -> web.StreamResponse:
        recorded = await self._record(request)
        reply = self.sign_replies.popleft() if self.sign_replies else self.sign_reply
        if reply is None and (problem := self._key_problem(recorded)) is not None:
            return problem
        reply = reply or SignReply()
        n = next(self._counter)
        headers = CIMultiDict(
            {"X-Request-Id": f"log-{n}", "X-Agent-Id": "fake-agent", **reply.headers}
        )
        if reply.status != 200 or reply.body is not None:
            return web.Response(
                status=reply.status, body=reply.body or b"", headers=headers
            )
        creator = self._creator_of_room(recorded.query.get("room_id", ""))
        history = creator.history if creator else []
        result = pb.FetchResult(
            messages=history,
            cursor=f"first-cursor-{n}" if reply.cursor else "",
            internal_ext=f"first-ie-{n}",
            fetch_interval=1000,
            now=int(time.time() * 1000),
            route_params={"cursor": f"rp cursor {n}", "internal_ext": f"rp-ie-{n}"}
            if reply.route_params
            else {},
            push_server=f"ws://{self._host}:{self._port}/ws"
            if reply.push_server
            else "",
            is_first=True,
            need_ack=True,
        )
        if reply.cookie:
            headers["X-Set-TT-Cookie"] = (
                f"ttwid=fake-ttwid-{n}; Path=/; Domain=.tiktok.com"
            )
        return web.Response(
            body=result.SerializeToString(),
            headers=headers,
            content_type="application/x-protobuf",
        )

    async def _sign_url(self, request: web.Request) -> web.Response:
        recorded = await self._record(request)
        if self.sign_url_replies:
            status, body = self.sign_url_replies.popleft()
            if isinstance(body, (dict, list)):
                return web.json_response(body, status=status)
            return web.Response(status=status, body=body or b"")
        if (problem := self._key_problem(recorded)) is not None:
            return problem
        data = json.loads(recorded.body or b"{}")
        url = data.get("url", "")
        return web.json_response(
            {
                "code": 200,
                "response": {
                    "signedUrl": f"{url}&msToken=fake-ms-token&X-Bogus=fake",
                    "userAgent": data.get("userAgent", ""),
                },
            }
        )

    async def _rate_limits(self, request: web.Request) -> web.StreamResponse:
        recorded = await self._record(request)
        reply = self.sign_replies.popleft() if self.sign_replies else self.sign_reply
        if reply is not None and (reply.status != 200 or reply.body is not None):
            return web.Response(
                status=reply.status, body=reply.body or b"", headers=reply.headers
            )
        if (problem := self._key_problem(recorded)) is not None:
            return problem
        return web.json_response(
            {
                "minute": {"max": 10, "remaining": 9},
                "hour": {"max": 60, "remaining": 59},
                "day": {"max": 300, "remaining": 299},
            }
        )

    async def _websocket(self, request: web.Request) -> web.StreamResponse:
        recorded = await self._record(request)
        if self.stall_handshake is not None:
            self.stalled_handshakes += 1
            await self._notify()
            await self.stall_handshake.wait()
        reply = self.ws_replies.popleft() if self.ws_replies else self.ws_reply
        if reply is not None:
            headers = (
                {"Handshake-Msg": reply.handshake_msg} if reply.handshake_msg else {}
            )
            return web.Response(status=reply.status, text="", headers=headers)
        creator = self._creator_of_room(recorded.query.get("room_id", ""))
        if creator is None:
            return web.Response(status=200, headers={"Handshake-Msg": "room not live"})
        ws = web.WebSocketResponse(protocols=("echo-protocol",), autoping=True)
        if self.ping_interval is not None:
            ws.headers["Handshake-Options"] = f"ping-interval={self.ping_interval}"
        await ws.prepare(request)
        socket = FakeSocket(self, ws, creator, recorded)
        self.sockets.append(socket)
        self.max_open_sockets = max(self.max_open_sockets, len(self.open_sockets()))
        await self._notify()
        try:
            async for message in ws:
                if message.type != WSMsgType.BINARY:
                    continue
                frame = pb.PushFrame()
                frame.ParseFromString(message.data)
                socket.received.append(frame)
                await self._notify()
        finally:
            socket.closed = True
            await self._notify()
        return ws


def open_socket_count(sockets: Iterable[FakeSocket]) -> int:
    """How many of these sockets are open."""
    return sum(1 for s in sockets if not s.closed)
