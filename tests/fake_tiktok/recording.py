"""What the client sent to the fake, and waiting for it without polling.

Every HTTP request (path, query, headers, body) and every frame a client sends
over a push WebSocket is recorded. Each record wakes an ``asyncio.Condition``,
so a test waits for exactly the thing it needs::

    await fake.wait_for(lambda: len(socket.frames("hb")) >= 3)
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from http.cookies import CookieError, SimpleCookie
import time

from aiohttp import web

from custom_components.tiktok_live.webcast.proto import webcast_pb2 as pb


@dataclass
class Request:
    """One recorded HTTP request (WebSocket upgrades included)."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes = b""
    query_string: str = ""
    # The query as sent on the wire (percent-encoding kept).
    raw_query_string: str = ""
    # Every value of a repeated query parameter, in order (version_code twice).
    query_all: list[tuple[str, str]] = field(default_factory=list)
    # When it arrived (time.monotonic()), to measure request rates.
    at: float = 0.0
    # The client's local port (to tell which connection, e.g. a proxy's, it came on).
    peer_port: int = 0

    @classmethod
    async def of(cls, request: web.Request) -> Request:
        """Record an aiohttp request."""
        return cls(
            method=request.method,
            path=request.path,
            query=dict(request.query),
            headers=dict(request.headers),
            body=await request.read() if request.can_read_body else b"",
            query_string=request.query_string,
            raw_query_string=request.rel_url.raw_query_string,
            query_all=list(request.query.items()),
            at=time.monotonic(),
            peer_port=_peer_port(request),
        )

    @property
    def cookies(self) -> dict[str, str]:
        """The Cookie header as name → value."""
        jar: SimpleCookie = SimpleCookie()
        try:
            jar.load(self.headers.get("Cookie", ""))
        except CookieError:
            return {}
        return {name: morsel.value for name, morsel in jar.items()}

    def header(self, name: str) -> str | None:
        """A header, case-insensitively."""
        lowered = name.lower()
        return next((v for k, v in self.headers.items() if k.lower() == lowered), None)


def _peer_port(request: web.Request) -> int:
    transport = request.transport
    peer = transport.get_extra_info("peername") if transport is not None else None
    return int(peer[1]) if isinstance(peer, tuple) and len(peer) > 1 else 0


def decode_enter_room(frame: pb.PushFrame) -> pb.EnterRoomPayload:
    """The payload of an im_enter_room frame."""
    payload = pb.EnterRoomPayload()
    payload.ParseFromString(frame.payload)
    return payload


def decode_heartbeat(frame: pb.PushFrame) -> pb.HeartbeatPayload:
    """The payload of an hb frame."""
    payload = pb.HeartbeatPayload()
    payload.ParseFromString(frame.payload)
    return payload


class Recorder:
    """Recorded requests, and a change signal that wakes every waiter.

    ``changed()`` is synchronous (state changes such as a creator going live
    call it too): it sets the current ``asyncio.Event`` and swaps in a fresh
    one, so each waiter re-checks its predicate once per change.
    """

    def __init__(self) -> None:
        self.requests: list[Request] = []
        self._event = asyncio.Event()

    async def record(self, request: web.Request) -> Request:
        """Keep the request and wake the waiters."""
        recorded = await Request.of(request)
        self.requests.append(recorded)
        self.changed()
        return recorded

    def changed(self) -> None:
        """Something changed: every waiter re-checks its predicate."""
        event, self._event = self._event, asyncio.Event()
        event.set()

    async def wait_for(
        self, predicate: Callable[[], bool], timeout: float = 10
    ) -> None:
        """Return once ``predicate()`` is true; re-checked at every change."""
        async with asyncio.timeout(timeout):
            while True:
                event = self._event
                if predicate():
                    return
                await event.wait()

    def of_path(self, path: str) -> list[Request]:
        """Recorded requests to one path."""
        return [r for r in self.requests if r.path == path]

    async def wait_for_request(
        self, path: str, count: int = 1, timeout: float = 10
    ) -> Request:
        """The ``count``-th request to ``path``, once it arrived."""
        await self.wait_for(lambda: len(self.of_path(path)) >= count, timeout)
        return self.of_path(path)[count - 1]
