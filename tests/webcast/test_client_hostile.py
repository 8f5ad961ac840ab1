"""Hostile or broken frames: counted and skipped, the session goes on."""

from __future__ import annotations

import contextlib
import gzip
import logging

import pytest

from custom_components.tiktok_live.webcast import (
    CommentEvent,
    ConnectEvent,
    WebcastConnectionClosedError,
)
from custom_components.tiktok_live.webcast.const import MAX_INFLATED_PAYLOAD
from custom_components.tiktok_live.webcast.proto import webcast_pb2 as pb
from tests.fake_tiktok import FakeCreator, FakeTikTok, SocketFault, faults, messages

from .conftest import CREATOR, FAN, ClientFactory, open_stream

BOMB = faults.gzip_bomb(MAX_INFLATED_PAYLOAD + 1024)


@pytest.mark.parametrize(
    ("fault", "counter"),
    [
        (faults.garbage(), "malformed_frames"),
        (faults.bad_gzip(), "bad_gzip"),
        (faults.truncated_gzip(), "bad_gzip"),
        (BOMB, "oversized_payloads"),
        (faults.gzip_bomb(16 * MAX_INFLATED_PAYLOAD), "oversized_payloads"),
    ],
    ids=["garbage", "bad-gzip", "truncated-gzip", "bomb-just-past-cap", "bomb-16x"],
)
async def test_hostile_frame_is_counted_and_skipped(
    fake: FakeTikTok,
    creator: FakeCreator,
    make_client: ClientFactory,
    fault: SocketFault,
    counter: str,
) -> None:
    """One hostile frame: its counter goes up by one, the next real event arrives."""
    assert len(fault.frame_bytes()) < 64 * 1024  # small on the wire
    reader, _socket = await open_stream(fake, make_client())
    await fake.inject(creator, fault)
    await fake.push(creator, messages.comment(FAN, "still here"))
    [comment] = await reader.until_count(CommentEvent)
    assert comment.text == "still here"
    stats = reader.connection.stats
    counters = {
        name: getattr(stats, name)
        for name in (
            "malformed_frames",
            "bad_gzip",
            "oversized_payloads",
            "malformed_messages",
        )
    }
    assert counters == {name: int(name == counter) for name in counters}
    assert reader.error is None
    assert [type(e) for e in reader.events] == [ConnectEvent, CommentEvent]
    await reader.connection.close()


async def test_hostile_frames_at_connect_and_bad_messages(
    fake: FakeTikTok, creator: FakeCreator, make_client: ClientFactory
) -> None:
    """A bomb right after entering the room, then every kind of junk, then an event."""
    fake.faults.socket.once(BOMB)
    reader, socket = await open_stream(fake, make_client())
    assert socket.faults == [BOMB]
    await socket.send_raw(b"")
    await socket.ws.send_str("a text frame is not a push frame either")
    await socket.send_frame("msg", b"\x0a\xff\xff\xff")  # not a FetchResult
    bad_message = pb.WireMessage(
        method="WebcastGiftMessage", payload=b"\x0a\xff\xff", msg_id=5
    )
    await fake.push(creator, bad_message)
    await socket.send_frame(
        "msg",
        pb.FetchResult(
            messages=[messages.comment(FAN, "odd codec")]
        ).SerializeToString(),
        headers=[pb.PushHeader(key="compress_type", value="brotli")],
    )
    await fake.push(creator, messages.comment(FAN, "still here"))
    comments = await reader.until_count(CommentEvent, 2)
    assert [c.text for c in comments] == ["odd codec", "still here"]
    stats = reader.connection.stats
    assert stats.oversized_payloads == 1
    assert stats.malformed_messages == 1
    assert stats.malformed_frames >= 2  # the text frame and the bad FetchResult
    assert reader.error is None
    await reader.connection.close()


async def test_unknown_fields_are_counted(
    fake: FakeTikTok, creator: FakeCreator, make_client: ClientFactory
) -> None:
    """Fields our schema lacks are skipped (and counted); the event still decodes."""
    reader, _socket = await open_stream(fake, make_client())
    chat = pb.ChatMessage(content="with extras")
    payload = chat.SerializeToString() + b"\xf8\x07\x01"  # field 127, varint 1
    await fake.push(
        creator, pb.WireMessage(method="WebcastChatMessage", payload=payload, msg_id=77)
    )
    [comment] = await reader.until_count(CommentEvent)
    assert (comment.text, comment.msg_id) == ("with extras", 77)
    assert reader.connection.stats.unknown_fields == 1
    await reader.connection.close()


async def test_a_message_bigger_than_the_cap_ends_the_socket(
    fake: FakeTikTok, creator: FakeCreator, make_client: ClientFactory
) -> None:
    """An uncompressed WebSocket message past the cap is refused (1009), not read."""
    reader, socket = await open_stream(fake, make_client())
    # The client may reset the connection before the fake finished sending.
    with contextlib.suppress(ConnectionError):
        await socket.send_raw(b"\0" * (MAX_INFLATED_PAYLOAD + 1024))
    await reader.finished()
    assert isinstance(reader.error, WebcastConnectionClosedError)
    assert reader.error.code == 1009


async def test_gzip_payload_exactly_at_the_cap_is_read(
    fake: FakeTikTok, creator: FakeCreator, make_client: ClientFactory
) -> None:
    """The cap refuses only what is past it: a big but allowed payload decodes."""
    reader, socket = await open_stream(fake, make_client())
    text = "x" * (MAX_INFLATED_PAYLOAD // 2)
    result = pb.FetchResult(messages=[messages.comment(FAN, text)])
    await socket.send_frame(
        "msg",
        gzip.compress(result.SerializeToString()),
        headers=[pb.PushHeader(key="compress_type", value="gzip")],
    )
    [comment] = await reader.until_count(CommentEvent)
    assert len(comment.text) == len(text)
    assert reader.connection.stats.oversized_payloads == 0
    await reader.connection.close()


async def test_history_is_decoded_once_and_not_acked(
    fake: FakeTikTok, creator: FakeCreator, make_client: ClientFactory
) -> None:
    """The sign server's first result carries history: events, never an ack."""
    creator.history = [
        messages.history(messages.comment(FAN, "old 1")),
        messages.history(messages.comment(FAN, "old 2")),
    ]
    reader, socket = await open_stream(fake, make_client())
    comments = await reader.until_count(CommentEvent, 2)
    assert [(c.text, c.is_history) for c in comments] == [
        ("old 1", True),
        ("old 2", True),
    ]
    assert all(ack[0] != 0 for ack in socket.acks())
    assert reader.connection.unique_id == CREATOR
    with pytest.raises(RuntimeError):  # a connection is iterated once
        reader.connection.__aiter__()
    await reader.connection.close()


async def test_a_repeated_bomb_is_logged_once(
    fake: FakeTikTok,
    creator: FakeCreator,
    make_client: ClientFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Three gzip bombs on one connection: one warning, then debug lines."""
    caplog.set_level(logging.DEBUG)
    reader, _socket = await open_stream(fake, make_client())
    for _ in range(3):
        await fake.inject(creator, BOMB)
    await fake.push(creator, messages.comment(FAN, "after"))
    await reader.until_count(CommentEvent)
    bombs = [r for r in caplog.records if "inflates past" in r.getMessage()]
    assert [r.levelno for r in bombs] == [logging.WARNING, logging.DEBUG, logging.DEBUG]
    await reader.connection.close()
