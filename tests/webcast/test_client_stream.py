"""A connection's life: enter room, heartbeats, acks, every event, gzip, closes, hostile frames."""

from __future__ import annotations

import asyncio
import gzip
from typing import Any

import pytest

from custom_components.tiktok_live.webcast import (
    CommentEvent,
    ConnectEvent,
    Creator,
    DisconnectEvent,
    FollowEvent,
    GiftEvent,
    JoinEvent,
    LikeEvent,
    LiveEndEvent,
    LivePauseEvent,
    LiveResumeEvent,
    RoomMessageEvent,
    ShareEvent,
    SubscribeEvent,
    ViewerCountEvent,
    WebcastConnection,
    WebcastConnectionClosedError,
    WebcastConnectionError,
    WebcastEvent,
)
from custom_components.tiktok_live.webcast.const import MAX_INFLATED_PAYLOAD
from custom_components.tiktok_live.webcast.proto import webcast_pb2 as pb
from tests.fake_tiktok import FakeCreator, FakeSocket, FakeTikTok, messages

from .conftest import CREATOR, CREATOR_ID, FAN, ClientFactory


class Reader:
    """Reads a connection's events in the background, so tests can await them."""

    def __init__(self, connection: WebcastConnection) -> None:
        self.connection = connection
        self.events: list[WebcastEvent] = []
        self.error: BaseException | None = None
        self._changed = asyncio.Condition()
        self.task = asyncio.create_task(self._read())

    async def _read(self) -> None:
        try:
            async for event in self.connection:
                self.events.append(event)
                async with self._changed:
                    self._changed.notify_all()
        except WebcastConnectionError as err:
            self.error = err
        finally:
            async with self._changed:
                self._changed.notify_all()

    async def until(self, predicate: Any, timeout: float = 5) -> None:
        async with asyncio.timeout(timeout), self._changed:
            await self._changed.wait_for(
                lambda: predicate(self.events) or self.task.done()
            )

    async def until_count(self, event_type: type, count: int = 1) -> list[Any]:
        await self.until(lambda events: len(of(events, event_type)) >= count)
        return of(self.events, event_type)

    async def finished(self) -> None:
        await asyncio.wait_for(asyncio.shield(self.task), 5)


def of(events: list[WebcastEvent], event_type: type) -> list[Any]:
    return [e for e in events if isinstance(e, event_type)]


async def open_stream(
    fake: FakeTikTok, make_client: ClientFactory, **kwargs: Any
) -> tuple[Reader, FakeSocket]:
    client = make_client()
    connection = await client.connect(CREATOR, **kwargs)
    reader = Reader(connection)
    creator = fake.creators[CREATOR]
    socket = await fake.wait_connected(creator)
    return reader, socket


async def test_resolve_creator(fake: FakeTikTok, make_client: ClientFactory) -> None:
    """Live and offline creators resolve to their account; the API is the fallback."""
    live = fake.add_creator("live_one", user_id=11, nickname="Live One")
    live.go_live(title="t")
    fake.add_creator("offline_one", user_id=12, nickname="Offline One")
    client = make_client()
    resolved = await client.resolve_creator("https://www.tiktok.com/@live_one/live")
    assert resolved == Creator(
        user_id=11,
        unique_id="live_one",
        nickname="Live One",
        room_id=live.room.room_id if live.room else None,
        is_live=True,
    )
    offline = await client.resolve_creator("@offline_one")
    assert (offline.user_id, offline.is_live, offline.room_id) == (12, False, None)
    fake.html_broken = True
    via_api = await client.resolve_creator("live_one")
    assert via_api.user_id == 11
    assert via_api.is_live
    assert fake.requests[-1].path == "/api-live/user/room/"
    assert fake.requests[-1].query["uniqueId"] == "live_one"


async def test_every_event_type(
    fake: FakeTikTok, creator: FakeCreator, make_client: ClientFactory
) -> None:
    """One of each, decoded with their data, in order."""
    creator.history = [messages.comment(FAN, "from history")]
    reader, _socket = await open_stream(fake, make_client)
    await fake.push(
        creator,
        *messages.gift_streak(FAN, "Rose", 2),
        messages.gift(FAN, "Galaxy"),
        messages.like(FAN, 15, total=115),
        messages.join(FAN, 30),
        messages.follow(FAN),
        messages.share(FAN),
        messages.comment(FAN, "hello"),
        messages.subscribe(FAN, 3),
        messages.viewers(31, total=80),
        messages.room_message("Welcome to TikTok LIVE!"),
        messages.control(1),
        messages.control(2),
        messages.unknown(),
    )
    await creator.end_stream()
    await reader.finished()
    events = reader.events

    assert events[0] == ConnectEvent(
        unique_id=CREATOR, room_id=creator.last_room.room_id
    )  # type: ignore[union-attr]
    assert isinstance(events[1], CommentEvent)
    assert events[1].text == "from history"
    gifts = of(events, GiftEvent)
    assert [(g.gift_name, g.repeat_count, g.streaking) for g in gifts] == [
        ("Rose", 1, True),
        ("Rose", 2, True),
        ("Rose", 2, False),
        ("Galaxy", 1, False),
    ]
    assert gifts[2].total_diamonds == 2
    assert gifts[3].diamond_count == 1000
    assert not gifts[3].streakable
    assert gifts[0].user.user_id == 7001
    assert gifts[0].user.unique_id == "rose_fan"
    assert gifts[0].user.nickname == "Rose Fan"
    assert gifts[0].user.avatar_url == "https://p16.example/rose_fan.webp"
    [like] = of(events, LikeEvent)
    assert (like.count, like.total) == (15, 115)
    [join] = of(events, JoinEvent)
    assert join.viewer_count == 30
    assert len(of(events, FollowEvent)) == 1
    assert len(of(events, ShareEvent)) == 1
    comments = of(events, CommentEvent)
    assert [c.text for c in comments] == ["from history", "hello"]
    [sub] = of(events, SubscribeEvent)
    assert sub.sub_month == 3
    [viewers] = of(events, ViewerCountEvent)
    assert (viewers.viewers, viewers.total_viewers) == (31, 80)
    [room] = of(events, RoomMessageEvent)
    assert room.content == "Welcome to TikTok LIVE!"
    assert len(of(events, LivePauseEvent)) == 1
    assert len(of(events, LiveResumeEvent)) == 1
    assert isinstance(events[-2], LiveEndEvent)
    assert events[-1] == DisconnectEvent(code=1000, reason="stream ended")
    assert all(e.msg_id for e in events[1:-1])
    stats = reader.connection.stats
    assert stats.unknown_methods == {"WebcastPollMessage": 1}
    assert reader.connection.closed


async def test_enter_room_heartbeats_and_interval(
    fake: FakeTikTok, creator: FakeCreator, make_client: ClientFactory
) -> None:
    """Enter room first, then heartbeats 1, 2, 3 at the handshake's ping-interval."""
    fake.ping_interval = 0.05
    reader, socket = await open_stream(fake, make_client)
    assert reader.connection.heartbeat_interval == 0.05
    await fake.wait_for(lambda: len(socket.frames("hb")) >= 3)
    assert socket.received[0].payload_type == "im_enter_room"
    enter = pb.EnterRoomPayload()
    enter.ParseFromString(socket.received[0].payload)
    assert enter.room_id == int(socket.room_id)
    assert enter.live_id == 12
    assert enter.identity == "audience"
    assert socket.heartbeat_seq_ids()[:3] == [1, 2, 3]
    await reader.connection.close()
    await reader.finished()
    assert isinstance(reader.events[-1], DisconnectEvent)


async def test_default_heartbeat_interval(
    fake: FakeTikTok, creator: FakeCreator, make_client: ClientFactory
) -> None:
    """Without Handshake-Options the interval is 5 s; the first beat goes at once."""
    reader, socket = await open_stream(fake, make_client)
    assert reader.connection.heartbeat_interval == 5.0
    await fake.wait_for(lambda: len(socket.frames("hb")) >= 1)
    assert socket.heartbeat_seq_ids() == [1]
    await reader.connection.close()


async def test_acks(
    fake: FakeTikTok, creator: FakeCreator, make_client: ClientFactory
) -> None:
    """need_ack: an ack with the frame's log id and internal_ext, before dispatch."""
    reader, socket = await open_stream(fake, make_client)
    [log_id] = await fake.push(creator, messages.comment(FAN, "ack me"), need_ack=True)
    await fake.push(creator, messages.comment(FAN, "no ack"))
    await fake.sync(creator)
    acks = [f for f in socket.frames("ack") if f.log_id == log_id]
    assert len(acks) == 1
    assert acks[0].payload.decode().startswith("ie-")
    # The first result (from the sign server) is never acked, nor frames without
    # need_ack: the other acks answer the fake's two sync frames.
    assert len(socket.frames("ack")) == 3
    assert all(f.log_id for f in socket.frames("ack"))
    assert reader.connection.stats.acks_sent == 3
    await reader.connection.close()


async def test_gzip_and_plain_frames(
    fake: FakeTikTok, creator: FakeCreator, make_client: ClientFactory
) -> None:
    """gzip by header; gzip sniffed without header; plain payloads."""
    reader, socket = await open_stream(fake, make_client)
    assert socket.compress
    assert socket.request.query["compress"] == "gzip"
    await fake.push(creator, messages.comment(FAN, "gzip"))
    await fake.push(creator, messages.comment(FAN, "plain"), compress=False)
    sniffed = pb.FetchResult(messages=[messages.comment(FAN, "sniffed")])
    await socket.send_raw(
        pb.PushFrame(
            log_id=99,
            payload_type="msg",
            payload=gzip.compress(sniffed.SerializeToString()),
        ).SerializeToString()
    )
    comments = await reader.until_count(CommentEvent, 3)
    assert [c.text for c in comments] == ["gzip", "plain", "sniffed"]
    await reader.connection.close()


async def test_uncompressed_connection(
    fake: FakeTikTok, creator: FakeCreator, make_client: ClientFactory
) -> None:
    """compress=False asks for plain frames with an empty compress parameter."""
    _reader, socket = await open_stream(fake, make_client, compress=False)
    assert socket.request.query["compress"] == ""
    assert not socket.compress
    assert socket.request.query["room_id"] == socket.room_id
    # TikTok's URL ends with a second version_code, after the first one.
    assert socket.request.query_string.endswith("&compress=&version_code=270000")
    assert "version_code=180800" in socket.request.query_string
    await _reader.connection.close()


async def test_websocket_request(
    fake: FakeTikTok, creator: FakeCreator, make_client: ClientFactory
) -> None:
    """Subprotocol, cookies from the sign server, one User-Agent everywhere."""
    client = make_client()
    connection = await client.connect(CREATOR)
    await connection.close()
    [sign] = fake.sign_requests()
    [ws] = [r for r in fake.requests if r.path == "/ws"]
    assert ws.headers["Sec-WebSocket-Protocol"] == "echo-protocol"
    assert "ttwid=fake-ttwid-" in ws.headers["Cookie"]
    assert "tt-target-idc=useast1a;" in ws.headers["Cookie"]
    assert ws.headers["User-Agent"] == sign.query["user_agent"] == client.user_agent
    assert sign.query["client"] == "ttlive-python"
    assert sign.query["room_id"] == creator.last_room.room_id  # type: ignore[union-attr]
    assert "session_id" not in sign.query
    assert "X-Api-Key" not in sign.headers
    assert ws.query["cursor"].startswith("rp cursor")
    assert ws.query["device_platform"] == "web"


@pytest.mark.parametrize("code", [1000, 1001])
async def test_normal_server_close(
    fake: FakeTikTok, creator: FakeCreator, make_client: ClientFactory, code: int
) -> None:
    """1000/1001 from the server end the iteration with a DisconnectEvent."""
    reader, socket = await open_stream(fake, make_client)
    await socket.close(code)
    await reader.finished()
    assert reader.error is None
    assert reader.events[-1] == DisconnectEvent(code=code)


@pytest.mark.parametrize("code", [1011, 4001])
async def test_abnormal_server_close(
    fake: FakeTikTok, creator: FakeCreator, make_client: ClientFactory, code: int
) -> None:
    """Any other code raises, without a DisconnectEvent."""
    reader, socket = await open_stream(fake, make_client)
    await socket.close(code, b"going away")
    await reader.finished()
    assert isinstance(reader.error, WebcastConnectionClosedError)
    assert reader.error.code == code
    assert not of(reader.events, DisconnectEvent)


async def test_dropped_connection(
    fake: FakeTikTok, creator: FakeCreator, make_client: ClientFactory
) -> None:
    """A TCP drop without a closing handshake raises."""
    reader, socket = await open_stream(fake, make_client)
    socket.drop()
    await reader.finished()
    assert isinstance(reader.error, WebcastConnectionClosedError)


async def test_hostile_frames_are_counted_and_skipped(
    fake: FakeTikTok, creator: FakeCreator, make_client: ClientFactory
) -> None:
    """Garbage, broken gzip, a gzip bomb, a bad message: the session goes on."""
    reader, socket = await open_stream(fake, make_client)
    await socket.send_raw(b"\xff\x00garbage\x13")
    gzip_header = [pb.PushHeader(key="compress_type", value="gzip")]
    await socket.send_raw(
        pb.PushFrame(
            payload_type="msg", headers=gzip_header, payload=b"not gzip at all"
        ).SerializeToString()
    )
    truncated = gzip.compress(b"x" * 1000)[:20]
    await socket.send_raw(
        pb.PushFrame(
            payload_type="msg", headers=gzip_header, payload=truncated
        ).SerializeToString()
    )
    bomb = gzip.compress(b"\0" * (MAX_INFLATED_PAYLOAD + 1024))
    assert len(bomb) < 64 * 1024
    await socket.send_raw(
        pb.PushFrame(
            payload_type="msg", headers=gzip_header, payload=bomb
        ).SerializeToString()
    )
    bad_message = pb.WireMessage(
        method="WebcastGiftMessage", payload=b"\x0a\xff\xff", msg_id=5
    )
    await fake.push(creator, bad_message)
    await fake.push(creator, messages.comment(FAN, "still here"))
    [comment] = await reader.until_count(CommentEvent)
    assert comment.text == "still here"
    stats = reader.connection.stats
    assert stats.malformed_frames == 1
    assert stats.bad_gzip == 2
    assert stats.oversized_payloads == 1
    assert stats.malformed_messages == 1
    assert reader.error is None
    await reader.connection.close()


async def test_unknown_fields_are_counted(
    fake: FakeTikTok, creator: FakeCreator, make_client: ClientFactory
) -> None:
    """Fields our schema lacks are skipped (and counted), the event still decodes."""
    reader, _socket = await open_stream(fake, make_client)
    chat = pb.ChatMessage(content="with extras")
    payload = chat.SerializeToString() + b"\xf8\x07\x01"  # field 127, varint 1
    await fake.push(
        creator, pb.WireMessage(method="WebcastChatMessage", payload=payload, msg_id=77)
    )
    [comment] = await reader.until_count(CommentEvent)
    assert comment.text == "with extras"
    assert reader.connection.stats.unknown_fields == 1
    await reader.connection.close()


async def test_silence_timeout(
    fake: FakeTikTok, creator: FakeCreator, make_client: ClientFactory
) -> None:
    """No frame at all for the silence timeout: the iteration raises."""
    client = make_client(silence_timeout=0.2)
    connection = await client.connect(CREATOR)
    reader = Reader(connection)
    await reader.finished()
    assert isinstance(reader.error, WebcastConnectionError)
    assert "No frame" in str(reader.error)
    await connection.close()


async def test_close_from_another_task(
    fake: FakeTikTok, creator: FakeCreator, make_client: ClientFactory
) -> None:
    """close() while a read is pending ends the iteration cleanly, heartbeats stop."""
    fake.ping_interval = 0.05
    reader, socket = await open_stream(fake, make_client)
    await reader.connection.close()
    await reader.connection.close()  # idempotent
    await reader.finished()
    assert isinstance(reader.events[-1], DisconnectEvent)
    await fake.wait_for(lambda: socket.closed)
    beats = len(socket.frames("hb"))
    assert reader.connection.stats.heartbeats_sent == beats
    assert CREATOR_ID  # the creator fixture is the one connected
