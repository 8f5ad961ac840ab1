"""A connection's life: enter room, heartbeats, acks, every event, gzip, closes."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import UTC, datetime
import gzip
import json

import pytest

from custom_components.tiktok_live.webcast import (
    CommentEvent,
    ConnectEvent,
    ControlEvent,
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
    WebcastConnectionClosedError,
    WebcastConnectionError,
    WebcastUser,
)
from custom_components.tiktok_live.webcast.proto import webcast_pb2 as pb
from tests.fake_tiktok import FakeCreator, FakeTikTok, HttpStatus, faults, messages

from .conftest import (
    CREATOR,
    CREATOR_ID,
    FAN,
    ClientFactory,
    Reader,
    of,
    open_stream,
)

FAN_USER = WebcastUser(
    user_id=7001,
    unique_id="rose_fan",
    nickname="Rose Fan",
    avatar_url="https://p16.example/rose_fan.webp",
)


async def test_resolve_creator(fake: FakeTikTok, make_client: ClientFactory) -> None:
    """Live and offline creators resolve to their account; the page is the fallback."""
    live = fake.add_creator("live_one", user_id=11, nickname="Live One")
    room = live.go_live(title="t", viewers=7)
    fake.add_creator("offline_one", user_id=12, nickname="Offline One")
    client = make_client()
    resolved = await client.resolve_creator("https://www.tiktok.com/@live_one/live")
    assert resolved == Creator(
        user_id=11,
        unique_id="live_one",
        nickname="Live One",
        room_id=room.room_id,
        is_live=True,
        status=2,
        title="t",
        viewers=7,
        started_at=datetime.fromtimestamp(room.created_at, UTC),
    )
    assert fake.requests[-1].path == "/api-live/user/room/"
    assert fake.requests[-1].query["uniqueId"] == "live_one"
    offline = await client.resolve_creator("@offline_one")
    assert offline == Creator(
        user_id=12,
        unique_id="offline_one",
        nickname="Offline One",
        room_id=None,
        is_live=False,
        status=4,
        viewers=0,
    )
    fake.faults.room_api.always(faults.ApiFault.CAPTCHA)
    assert await client.resolve_creator("live_one") == replace(resolved, source="page")
    assert fake.requests[-1].path == "/@live_one/live"
    assert await client.resolve_creator("offline_one") == replace(
        offline, source="page"
    )


async def test_room_info_is_kept(
    fake: FakeTikTok, creator: FakeCreator, make_client: ClientFactory
) -> None:
    """Title, start time (UTC) and viewers of the room info, as client.room_info."""
    client = make_client()
    connection = await client.connect(CREATOR)
    await connection.close()
    room = creator.last_room
    assert room is not None
    info = client.room_info(room.room_id)
    assert info is not None
    assert info.room_id == room.room_id
    assert info.title == "Testing"
    assert info.viewers == 5
    assert info.started_at == datetime.fromtimestamp(room.created_at, UTC)
    assert (info.status, info.withheld) == (2, False)
    info = fake.requests_to("/webcast/room/info/")[0]
    assert info.query["room_id"] == room.room_id
    assert info.query["aid"] == "1988"
    assert info.query["device_platform"] == "web_pc"


async def test_every_event_type(
    fake: FakeTikTok, creator: FakeCreator, make_client: ClientFactory
) -> None:
    """One of each, decoded with their data, in order; history first."""
    creator.history = [messages.history(messages.comment(FAN, "from history"))]
    reader, _socket = await open_stream(fake, make_client())
    top = [(FAN, 500), (messages.user(9, "second", "Second"), 20)]
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
        messages.viewers(31, total=80, top=top),
        messages.room_message("Welcome to TikTok LIVE!"),
        messages.control(1),
        messages.control(2),
        messages.unknown(),
    )
    await creator.end_stream()
    await reader.finished()
    events = reader.events

    room = creator.last_room
    assert room is not None
    assert events[0] == ConnectEvent(unique_id=CREATOR, room_id=room.room_id)
    assert isinstance(events[1], CommentEvent)
    assert (events[1].text, events[1].is_history) == ("from history", True)
    gifts = of(events, GiftEvent)
    assert [(g.gift_name, g.repeat_count, g.streaking) for g in gifts] == [
        ("Rose", 1, True),
        ("Rose", 2, True),
        ("Rose", 2, False),
        ("Galaxy", 1, False),
    ]
    assert (gifts[2].gift_id, gifts[2].diamond_count, gifts[2].total_diamonds) == (
        5655,
        1,
        2,
    )
    assert gifts[3].diamond_count == 1000
    assert not gifts[3].streakable
    assert gifts[0].user == FAN_USER
    [like] = of(events, LikeEvent)
    assert (like.count, like.total, like.user) == (15, 115, FAN_USER)
    [join] = of(events, JoinEvent)
    assert (join.viewer_count, join.user) == (30, FAN_USER)
    # A follow makes its sender a follower of the creator.
    assert [e.user for e in of(events, FollowEvent)] == [
        replace(FAN_USER, is_follower=True)
    ]
    assert [e.user for e in of(events, ShareEvent)] == [FAN_USER]
    comments = of(events, CommentEvent)
    assert [(c.text, c.is_history) for c in comments] == [
        ("from history", True),
        ("hello", False),
    ]
    assert comments[1].language == "en"
    [sub] = of(events, SubscribeEvent)
    assert (sub.sub_month, sub.user) == (3, FAN_USER)
    [viewers] = of(events, ViewerCountEvent)
    assert (viewers.viewers, viewers.total_viewers) == (31, 80)
    [room_message] = of(events, RoomMessageEvent)
    assert room_message.content == "Welcome to TikTok LIVE!"
    assert [type(e) for e in of(events, ControlEvent)] == [
        LivePauseEvent,
        LiveResumeEvent,
        LiveEndEvent,
    ]
    assert isinstance(events[-2], LiveEndEvent)
    assert events[-1] == DisconnectEvent(code=1000, reason="stream ended")
    assert all(e.msg_id for e in events[1:-1])
    assert all(e.create_time > 1_700_000_000_000 for e in events[1:-1])
    stats = reader.connection.stats
    assert stats.unknown_methods == {"WebcastPollMessage": 1}
    assert stats.events_emitted >= len(events) - 2
    assert reader.connection.closed


@pytest.mark.parametrize("action", [3, 4])
async def test_stream_end_closes_with_1000(
    fake: FakeTikTok, creator: FakeCreator, make_client: ClientFactory, action: int
) -> None:
    """Control 3 (ended) or 4 (suspended): LiveEndEvent, the client closes with 1000."""
    reader, socket = await open_stream(fake, make_client())
    await creator.end_stream(action)
    await reader.finished()
    [end] = of(reader.events, LiveEndEvent)
    assert end.action == action
    assert reader.events[-1] == DisconnectEvent(code=1000, reason="stream ended")
    assert await fake.wait_closed(socket) == 1000


async def test_end_in_the_same_frame_as_other_messages(
    fake: FakeTikTok, creator: FakeCreator, make_client: ClientFactory
) -> None:
    """Messages in a batch are processed in order; the end comes last."""
    reader, _socket = await open_stream(fake, make_client())
    await fake.push(creator, messages.comment(FAN, "last words"), messages.control(3))
    await reader.finished()
    kinds = [type(e) for e in reader.events]
    assert kinds == [ConnectEvent, CommentEvent, LiveEndEvent, DisconnectEvent]


async def test_enter_room_then_heartbeats_at_the_handshake_interval(
    fake: FakeTikTok, creator: FakeCreator, make_client: ClientFactory
) -> None:
    """Handshake-Options ping-interval=0.05: enter room first, then hb 1, 2, 3…."""
    fake.ping_interval = 0.05
    reader, socket = await open_stream(fake, make_client())
    assert reader.connection.heartbeat_interval == 0.05
    assert await fake.wait_for_heartbeats(socket, 3) == [1, 2, 3]
    assert socket.received[0].payload_type == "im_enter_room"
    enter = socket.enter_room()
    assert enter is not None
    assert enter.room_id == int(socket.room_id)
    assert (enter.live_id, enter.identity, enter.filter_welcome_msg) == (
        12,
        "audience",
        "0",
    )
    assert socket.received[0].payload_encoding == "pb"
    assert all(hb.room_id == int(socket.room_id) for hb in socket.heartbeats())
    assert all(f.payload_encoding == "pb" for f in socket.frames("hb"))
    await reader.connection.close()
    await reader.finished()
    assert isinstance(reader.events[-1], DisconnectEvent)
    assert reader.connection.stats.heartbeats_sent == len(socket.frames("hb"))


async def test_default_heartbeat_interval(
    fake: FakeTikTok, creator: FakeCreator, make_client: ClientFactory
) -> None:
    """Without Handshake-Options the interval is 5 s; the first beat goes at once."""
    reader, socket = await open_stream(fake, make_client())
    assert reader.connection.heartbeat_interval == 5.0
    assert await fake.wait_for_heartbeats(socket, 1) == [1]
    assert "Handshake-Options" not in socket.ws.headers
    await reader.connection.close()


async def test_acks(
    fake: FakeTikTok, creator: FakeCreator, make_client: ClientFactory
) -> None:
    """need_ack: an ack with the frame's log id and its internal_ext, as raw text."""
    reader, socket = await open_stream(fake, make_client())
    syncs = len(socket.frames("ack"))  # wait_connected's sync frame
    [log_id] = await fake.push(creator, messages.comment(FAN, "ack me"), need_ack=True)
    ack = await fake.wait_for_ack(socket, log_id)
    sent = next(f for f in socket.sent if f.log_id == log_id)
    result = pb.FetchResult()
    result.ParseFromString(gzip.decompress(sent.payload))
    assert ack.payload == result.internal_ext.encode()
    assert ack.payload_encoding == "pb"
    # A result without internal_ext is acked with "-".
    [bare] = await fake.push_result(
        creator, pb.FetchResult(need_ack=True, messages=[messages.comment(FAN, "x")])
    )
    assert (await fake.wait_for_ack(socket, bare)).payload == b"-"
    await fake.push(creator, messages.comment(FAN, "no ack wanted"))
    await fake.sync(creator)
    # The first result (from the sign server) has need_ack but is never acked.
    assert len(socket.frames("ack")) == syncs + 3
    assert reader.connection.stats.acks_sent == syncs + 3
    comments = await reader.until_count(CommentEvent, 3)
    assert [c.text for c in comments] == ["ack me", "x", "no ack wanted"]
    await reader.connection.close()


async def test_server_control_frames_are_ignored(
    fake: FakeTikTok, creator: FakeCreator, make_client: ClientFactory
) -> None:
    """The server's own hb and im_enter_room_resp frames are read and skipped."""
    fake.answer_heartbeats = True
    fake.ping_interval = 0.05
    reader, socket = await open_stream(fake, make_client())
    await fake.wait_for_heartbeats(socket, 3)
    await socket.send_frame("im_enter_room_resp", b"\x08\x01")
    await fake.push(creator, messages.comment(FAN, "after control frames"))
    [comment] = await reader.until_count(CommentEvent)
    assert comment.text == "after control frames"
    stats = reader.connection.stats
    assert stats.frames_received >= 5  # sync, hb replies, enter resp, the comment
    assert stats.malformed_frames == 0
    assert [type(e) for e in reader.events] == [ConnectEvent, CommentEvent]
    await reader.connection.close()


async def test_gzip_and_plain_frames(
    fake: FakeTikTok, creator: FakeCreator, make_client: ClientFactory
) -> None:
    """gzip by header (compress=gzip); gzip sniffed without header; plain payloads."""
    reader, socket = await open_stream(fake, make_client())
    assert socket.compress
    assert socket.request.query["compress"] == "gzip"
    await fake.push(creator, messages.comment(FAN, "gzip"))
    assert socket.sent[-1].headers[0].key == "compress_type"
    assert socket.sent[-1].headers[0].value == "gzip"
    assert socket.sent[-1].payload.startswith(b"\x1f\x8b\x08")
    await fake.push(creator, messages.comment(FAN, "plain"), compress=False)
    sniffed = pb.FetchResult(messages=[messages.comment(FAN, "sniffed")])
    await socket.send_frame("msg", gzip.compress(sniffed.SerializeToString()))
    none_header = pb.FetchResult(messages=[messages.comment(FAN, "none")])
    await socket.send_frame(
        "msg",
        none_header.SerializeToString(),
        headers=[pb.PushHeader(key="compress_type", value="none")],
    )
    comments = await reader.until_count(CommentEvent, 4)
    assert [c.text for c in comments] == ["gzip", "plain", "sniffed", "none"]
    await reader.connection.close()


async def test_uncompressed_connection(
    fake: FakeTikTok, creator: FakeCreator, make_client: ClientFactory
) -> None:
    """compress=False asks for plain frames with an empty compress parameter."""
    reader, socket = await open_stream(fake, make_client(), compress=False)
    assert socket.request.query["compress"] == ""
    assert not socket.compress
    await fake.push(creator, messages.comment(FAN, "plain"))
    assert not socket.sent[-1].headers
    [comment] = await reader.until_count(CommentEvent)
    assert comment.text == "plain"
    await reader.connection.close()


async def test_websocket_request(
    fake: FakeTikTok, creator: FakeCreator, make_client: ClientFactory
) -> None:
    """URL, subprotocol, cookies from the sign server, one User-Agent everywhere."""
    client = make_client(sign_api_key="a-key")
    connection = await client.connect(CREATOR)
    await connection.close()
    [sign] = fake.sign_requests()
    [ws] = fake.requests_to("/ws")
    room_id = creator.last_room.room_id  # type: ignore[union-attr]
    # Euler's current layout: the room in the path; our own name, not another library's.
    assert sign.path == f"/sign/webcast/rooms/{room_id}/connect"
    assert [k for k, _ in sign.query_all] == [
        "client",
        "user_agent",
        "client_enter",
        "platform",
    ]
    assert sign.query["client"] == "tiktok-live-homeassistant"
    assert (sign.query["client_enter"], sign.query["platform"]) == ("true", "web")
    assert sign.headers["X-Api-Key"] == "a-key"
    assert sign.header("Accept") == "application/protobuf,application/json"
    assert sign.header("User-Agent") == "tiktok-live-homeassistant/0.2.0"
    assert "Cookie" not in sign.headers
    # The socket: subprotocol, anonymous cookies only, the same browser User-Agent.
    assert ws.headers["Sec-WebSocket-Protocol"] == "echo-protocol"
    assert ws.cookies["ttwid"].startswith("1%7Cfake-ttwid-")
    assert "tt-target-idc" not in ws.cookies
    assert ws.headers["Cookie"].endswith(";")
    assert ws.headers["User-Agent"] == sign.query["user_agent"] == client.user_agent
    assert "Origin" not in ws.headers
    # The URL: route params percent-encoded, TikTok's defaults, two version_codes.
    issued = list(fake.issued_cursors)[-1]
    assert ws.query["cursor"] == issued
    assert ws.query["internal_ext"].startswith("internal_src:dim|wss_push_room_id:")
    assert (
        "internal_ext=internal_src%3Adim%7Cwss_push_room_id%3A" in ws.raw_query_string
    )
    assert ws.query["room_id"] == room_id
    assert (ws.query["device_platform"], ws.query["identity"]) == ("web", "audience")
    assert (ws.query["aid"], ws.query["live_id"]) == ("1988", "12")
    assert ws.query["heartbeat_duration"] == "10000"
    assert ws.query["resp_content_type"] == "protobuf"
    versions = [v for k, v in ws.query_all if k == "version_code"]
    assert versions == ["180800", "270000"]
    assert ws.query_string.endswith("&compress=gzip&version_code=270000")
    assert "webcast_sdk_version" not in ws.query


@pytest.mark.parametrize("code", [1000, 1001])
async def test_normal_server_close(
    fake: FakeTikTok, creator: FakeCreator, make_client: ClientFactory, code: int
) -> None:
    """1000/1001 from the server end the iteration with a DisconnectEvent."""
    reader, socket = await open_stream(fake, make_client())
    await socket.close(code)
    await reader.finished()
    assert reader.error is None
    assert reader.events[-1] == DisconnectEvent(code=code)
    assert reader.connection.closed


@pytest.mark.parametrize("code", [1011, 4001])
async def test_abnormal_server_close(
    fake: FakeTikTok, creator: FakeCreator, make_client: ClientFactory, code: int
) -> None:
    """Any other code raises WebcastConnectionClosedError, without a DisconnectEvent."""
    reader, _socket = await open_stream(fake, make_client())
    await fake.inject(creator, faults.close(code, "going away"))
    await reader.finished()
    assert type(reader.error) is WebcastConnectionClosedError
    assert reader.error.code == code
    assert reader.error.reason == "going away"
    assert str(reader.error).startswith("TikTokLive v7.0.1 -> ")
    assert not of(reader.events, DisconnectEvent)


async def test_close_without_a_code(
    fake: FakeTikTok, creator: FakeCreator, make_client: ClientFactory
) -> None:
    """A close frame without a code is a normal end: DisconnectEvent, no code."""
    reader, socket = await open_stream(fake, make_client())
    await socket.apply(faults.close_without_code())
    await reader.finished()
    assert reader.error is None
    assert reader.events[-1] == DisconnectEvent(code=None)
    await fake.wait_closed(socket)


async def test_websocket_pings_are_answered(
    fake: FakeTikTok, creator: FakeCreator, make_client: ClientFactory
) -> None:
    """A WebSocket ping gets its pong (as from a browser); the stream goes on."""
    reader, socket = await open_stream(fake, make_client())
    await socket.ping(b"are you there")
    await fake.wait_for(lambda: socket.pongs == [b"are you there"])
    await fake.push(creator, messages.comment(FAN, "after the ping"))
    [comment] = await reader.until_count(CommentEvent)
    assert comment.text == "after the ping"
    assert [type(e) for e in reader.events] == [ConnectEvent, CommentEvent]
    await reader.connection.close()


async def test_dropped_connection(
    fake: FakeTikTok, creator: FakeCreator, make_client: ClientFactory
) -> None:
    """A TCP drop without a closing handshake raises, without a DisconnectEvent."""
    reader, socket = await open_stream(fake, make_client())
    await fake.inject(creator, faults.drop())
    await reader.finished()
    assert isinstance(reader.error, WebcastConnectionClosedError)
    assert not of(reader.events, DisconnectEvent)
    await fake.wait_closed(socket)
    assert socket.closed


async def test_silence_timeout(
    fake: FakeTikTok, creator: FakeCreator, make_client: ClientFactory
) -> None:
    """The push server goes silent: after silence_timeout the iteration raises."""
    fake.faults.socket.once(faults.silence())
    connection = await make_client(silence_timeout=0.2).connect(CREATOR)
    reader = Reader(connection)
    socket = await fake.wait_entered(creator)
    assert socket.silenced
    assert await fake.push(creator, messages.comment(FAN, "lost")) == []
    await reader.finished()
    assert type(reader.error) is WebcastConnectionError
    assert "No frame from TikTok for 0.2 seconds" in str(reader.error)
    assert not of(reader.events, CommentEvent)
    await connection.close()
    assert await fake.wait_closed(socket) == 1000


async def test_frames_keep_a_quiet_connection_alive(
    fake: FakeTikTok, creator: FakeCreator, make_client: ClientFactory
) -> None:
    """The silence timeout counts from the last frame, heartbeat answers included."""
    fake.answer_heartbeats = True
    fake.ping_interval = 0.05
    connection = await make_client(silence_timeout=0.25).connect(CREATOR)
    reader = Reader(connection)
    socket = await fake.wait_entered(creator)
    # Twelve answered heartbeats take 0.6 s: more than twice the silence timeout.
    await fake.wait_for_heartbeats(socket, 12)
    assert reader.error is None
    assert not reader.task.done()
    # Counted, so the integration knows this server answers its heartbeats.
    await fake.sync(creator)
    assert reader.connection.stats.heartbeats_received >= 11
    await connection.close()
    await reader.finished()


async def test_close_from_another_task(
    fake: FakeTikTok, creator: FakeCreator, make_client: ClientFactory
) -> None:
    """close() while a read is pending ends the iteration cleanly; heartbeats stop."""
    fake.ping_interval = 0.05
    reader, socket = await open_stream(fake, make_client())
    await fake.wait_for_heartbeats(socket, 2)
    await reader.connection.close()
    await reader.connection.close()  # idempotent
    await reader.finished()
    assert isinstance(reader.events[-1], DisconnectEvent)
    assert await fake.wait_closed(socket) == 1000
    beats = len(socket.frames("hb"))
    assert reader.connection.stats.heartbeats_sent == beats
    # This server never answered one.
    assert reader.connection.stats.heartbeats_received == 0


@pytest.mark.parametrize("stage", ["sign", "handshake"])
async def test_disconnect_during_connect(
    fake: FakeTikTok, creator: FakeCreator, make_client: ClientFactory, stage: str
) -> None:
    """disconnect() aborts a connect stuck at the sign server or in the handshake."""
    if stage == "sign":
        fake.faults.sign_fetch.once(faults.sign_stall())
    else:
        fake.faults.ws_handshake.once(faults.handshake_stall())
    client = make_client()
    connecting = asyncio.create_task(client.connect(CREATOR))
    await fake.wait_for(lambda: len(fake.stalled_requests) == 1)
    await client.disconnect()
    with pytest.raises(WebcastConnectionError, match="Disconnected while connecting"):
        await connecting
    fake.release_stalled()
    assert client.connection is None
    assert not fake.open_sockets()
    assert len(fake.requests_to("/ws")) == (stage == "handshake")
    # The client is usable again.
    connection = await client.connect(CREATOR)
    await connection.close()


async def test_stalled_handshake_times_out(
    fake: FakeTikTok, creator: FakeCreator, make_client: ClientFactory
) -> None:
    """Without a disconnect, a stalled upgrade ends at the request timeout."""
    fake.faults.ws_handshake.once(faults.handshake_stall())
    client = make_client(request_timeout=0.2)
    with pytest.raises(WebcastConnectionError) as caught:
        await client.connect(CREATOR)
    assert type(caught.value) is WebcastConnectionError
    assert client.connection is None


async def test_first_result_without_is_first(
    fake: FakeTikTok, creator: FakeCreator, make_client: ClientFactory
) -> None:
    """is_first false: no enter room, no heartbeats, no ConnectEvent; frames still read."""
    fake.ping_interval = 0.05
    fake.faults.sign_fetch.once(faults.SignReply(is_first=False))
    reader = Reader(await make_client().connect(CREATOR))
    socket = await fake.wait_for_socket(creator)
    [log_id] = await fake.push(
        creator, messages.comment(FAN, "no enter"), need_ack=True
    )
    [comment] = await reader.until_count(CommentEvent)
    assert comment.text == "no enter"
    await fake.wait_for_ack(socket, log_id)
    assert not of(reader.events, ConnectEvent)
    assert [f.payload_type for f in socket.received] == ["ack"]
    await reader.connection.close()


async def test_a_later_is_first_enters_again(
    fake: FakeTikTok, creator: FakeCreator, make_client: ClientFactory
) -> None:
    """A later result with is_first: enter room again, heartbeats restart at 1."""
    fake.ping_interval = 0.05
    reader, socket = await open_stream(fake, make_client())
    await fake.wait_for_heartbeats(socket, 2)
    await fake.push_result(creator, pb.FetchResult(is_first=True, cursor="again"))
    await fake.wait_for(lambda: len(socket.frames("im_enter_room")) == 2)
    restart = socket.received.index(socket.frames("im_enter_room")[1])
    await fake.wait_for(lambda: len(socket.received) > restart + 2)
    later = [
        socket.heartbeats()[i].send_packet_seq_id
        for i, f in enumerate(socket.frames("hb"))
        if socket.received.index(f) > restart
    ]
    assert later[:2] == [1, 2]
    await reader.connection.close()


async def test_stream_ended_in_the_history(
    fake: FakeTikTok, creator: FakeCreator, make_client: ClientFactory
) -> None:
    """The first result already says the stream ended: the connection ends at once."""
    creator.history = [messages.comment(FAN, "bye"), messages.control(3)]
    reader = Reader(await make_client().connect(CREATOR))
    await reader.finished()
    assert [type(e) for e in reader.events] == [
        ConnectEvent,
        CommentEvent,
        LiveEndEvent,
        DisconnectEvent,
    ]
    socket = await fake.wait_for_socket(creator)
    assert await fake.wait_closed(socket) == 1000


async def test_two_clients_share_one_session(
    fake: FakeTikTok, creator: FakeCreator, make_client: ClientFactory
) -> None:
    """Two clients on one aiohttp session, each with its socket and its events."""
    first, second = make_client(), make_client()
    one = Reader(await first.connect(CREATOR))
    two = Reader(await second.connect(CREATOR))
    await fake.wait_entered(creator, count=2)
    await fake.push(creator, messages.comment(FAN, "to both"))
    for reader in (one, two):
        [comment] = await reader.until_count(CommentEvent)
        assert comment.text == "to both"
    assert fake.max_open_sockets == 2
    await first.disconnect()
    await second.disconnect()


async def test_both_status_fields_of_the_live_page(
    fake: FakeTikTok, creator: FakeCreator, make_client: ClientFactory
) -> None:
    """The page's user says live, its room says ended: offline (either field can be stale)."""
    room_id = creator.last_room.room_id  # type: ignore[union-attr]
    state = {
        "LiveRoom": {
            "liveRoomUserInfo": {
                "user": {"id": str(CREATOR_ID), "roomId": room_id, "status": 2},
                "liveRoom": {"status": 4, "title": "old"},
            }
        }
    }
    page = (
        '<html><script id="SIGI_STATE" type="application/json">'
        f"{json.dumps(state)}</script></html>"
    )
    fake.faults.room_api.once(HttpStatus(503))
    fake.faults.live_page.once(HttpStatus(200, page))
    found = await make_client().check_live(CREATOR)
    assert (found.is_live, found.status, found.source) == (False, 4, "page")


async def test_one_frame_per_loop_turn(
    fake: FakeTikTok, creator: FakeCreator, make_client: ClientFactory
) -> None:
    """Many small frames arriving in one socket read: other tasks run between them."""
    reader, socket = await open_stream(fake, make_client())
    frames = 200
    seen_by_others: list[int] = []
    loop = asyncio.get_running_loop()

    def other_task() -> None:
        # Another callback on the loop: it must get turns while the burst is read.
        seen_by_others.append(len(of(reader.events, CommentEvent)))
        if len(seen_by_others) < frames:
            loop.call_soon(other_task)

    # All frames are written before the client reads any of them.
    for n in range(frames):
        await socket.send_result(
            fake._next_result(messages.comment(FAN, str(n)), need_ack=False)
        )
    loop.call_soon(other_task)
    await reader.until_count(CommentEvent, frames)
    assert len(set(seen_by_others)) > frames // 2, seen_by_others[:20]
    await reader.connection.close()
    await reader.finished()


async def test_a_huge_frame_is_handed_out_in_turns(
    fake: FakeTikTok, creator: FakeCreator, make_client: ClientFactory
) -> None:
    """One frame of 2,000 tiny messages: the loop gets turns while they are handed out."""
    reader, _socket = await open_stream(fake, make_client())
    loop = asyncio.get_running_loop()
    seen_by_others: list[int] = []

    def other_task() -> None:
        seen_by_others.append(len(of(reader.events, CommentEvent)))
        if seen_by_others[-1] < 2000:
            loop.call_soon(other_task)

    await fake.push(creator, *[messages.comment(FAN, str(n)) for n in range(2000)])
    loop.call_soon(other_task)
    await reader.until_count(CommentEvent, 2000)
    # The reader's own hand-offs add turns too; without the in-frame yield
    # the whole frame would be read in a turn or two.
    assert len({n for n in seen_by_others if 0 < n < 2000}) >= 4, seen_by_others
    await reader.connection.close()
    await reader.finished()
