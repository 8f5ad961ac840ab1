"""Hostile messages: the decoder's work per message stays bounded, bad text costs no event.

Structure only, never timing (the speed of these cases is in scripts/bench.py,
section "hostile"). Each test here fails with a decoder that parses every top
viewer, keeps every unknown method name, walks every unknown field, or lets
protobuf refuse a message over one byte that is not UTF-8.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
import random
from typing import cast

from google.protobuf.descriptor import Descriptor, FieldDescriptor
from google.protobuf.descriptor_pb2 import DescriptorProto, FieldDescriptorProto
import pytest

from custom_components.tiktok_live.webcast import (
    CommentEvent,
    FollowEvent,
    GiftEvent,
    JoinEvent,
    LikeEvent,
    LiveEndEvent,
    RoomMessageEvent,
    SubscribeEvent,
    ViewerCountEvent,
    WebcastDecoder,
    WebcastEvent,
    WebcastUser,
)
from custom_components.tiktok_live.webcast.decoder import (
    MAX_METHOD_NAME,
    MAX_UNKNOWN_METHODS,
    UNKNOWN_METHODS_OVERFLOW,
)
from custom_components.tiktok_live.webcast.proto import webcast_pb2 as pb
from tests.fake_tiktok import messages

FAN = messages.user(7001, "rose_fan", "Rose Fan")
FAN_EVENT_USER = WebcastUser(
    user_id=7001,
    unique_id="rose_fan",
    nickname="Rose Fan",
    avatar_url="https://p16.example/rose_fan.webp",
)
NOBODY = WebcastUser(user_id=0, unique_id="", nickname="", avatar_url=None)
# Field 200 as a varint: a field no schema of ours has, 3 bytes on the wire.
UNKNOWN_FIELD = b"\xc0\x0c\x01"
# Placeholders of the same length as the bytes that replace them.
MARK = "@@"
NOT_UTF8 = b"\xff\xfe"  # two bytes that start no UTF-8 sequence
REPLACED = "\ufffd\ufffd"


def decode(
    *wire: pb.WireMessage, decoder: WebcastDecoder | None = None
) -> list[WebcastEvent]:
    """The events of one FetchResult holding ``wire``."""
    return (decoder or WebcastDecoder()).decode(pb.FetchResult(messages=list(wire)))


def broken(message: pb.WireMessage) -> pb.WireMessage:
    """``message`` with each MARK in its payload replaced by bytes that are not UTF-8."""
    assert MARK.encode() in message.payload
    message.payload = message.payload.replace(MARK.encode(), NOT_UTF8)
    return message


# ------------------------------------------------------------- top viewers


def test_a_crowded_viewer_count_is_cheap() -> None:
    """200,000 ranks: the count arrives; the ranks are neither parsed nor counted as drift."""
    decoder = WebcastDecoder()
    [event] = decode(messages.crowded_viewers(1234, 200_000), decoder=decoder)
    assert isinstance(event, ViewerCountEvent)
    assert event.viewers == 1234
    assert decoder.stats.unknown_fields == 0


def test_ranks_are_not_parsed_by_the_view() -> None:
    """The viewer-count view has no ranks field: protobuf keeps them as raw bytes."""
    view = pb.RoomUserSeqMessageView.DESCRIPTOR
    assert "ranks" in pb.RoomUserSeqMessage.DESCRIPTOR.fields_by_name
    assert 2 not in view.fields_by_number


def test_ranks_of_a_small_message_are_no_unknown_fields() -> None:
    """Ranks are left out on purpose: counting them as drift would be a lie."""
    decoder = WebcastDecoder()
    decode(messages.viewers(5, top=[(FAN, 10), (FAN, 5)]), decoder=decoder)
    assert decoder.stats.unknown_fields == 0


# ---------------------------------------------------------- unknown methods


def test_random_method_names_fill_a_capped_table() -> None:
    """10,000 distinct names: MAX_UNKNOWN_METHODS kept, the rest under one key, none lost."""
    rng = random.Random(1988)
    names = [f"Webcast{rng.getrandbits(64):016x}" for _ in range(10_000)]
    decoder = WebcastDecoder()
    decode(*(pb.WireMessage(method=name) for name in names), decoder=decoder)
    unknown = decoder.stats.unknown_methods
    assert len(unknown) == MAX_UNKNOWN_METHODS + 1
    assert list(unknown)[:MAX_UNKNOWN_METHODS] == names[:MAX_UNKNOWN_METHODS]
    assert unknown[UNKNOWN_METHODS_OVERFLOW] == 10_000 - MAX_UNKNOWN_METHODS
    assert sum(unknown.values()) == 10_000


def test_names_already_kept_still_count_after_the_table_is_full() -> None:
    """A name seen early keeps its own count once the table has overflowed."""
    decoder = WebcastDecoder()
    first = pb.WireMessage(method="WebcastPollMessage")
    flood = [pb.WireMessage(method=f"X{n}") for n in range(2 * MAX_UNKNOWN_METHODS)]
    decode(first, *flood, first, decoder=decoder)
    assert decoder.stats.unknown_methods["WebcastPollMessage"] == 2


def test_long_method_names_are_cut() -> None:
    """A megabyte-long method name is stored as its first MAX_METHOD_NAME characters."""
    decoder = WebcastDecoder()
    long_name = "WebcastPollMessage" + "x" * 1_000_000
    decode(pb.WireMessage(method=long_name), decoder=decoder)
    decode(pb.WireMessage(method=long_name + "y"), decoder=decoder)
    assert decoder.stats.unknown_methods == {long_name[:MAX_METHOD_NAME]: 2}


# ------------------------------------------------------------ unknown fields


def test_a_flood_of_unknown_fields_is_not_walked() -> None:
    """100,000 unknown fields: the like arrives, and they are not counted one by one."""
    message = messages.like(FAN, 2, total=10)
    message.payload += UNKNOWN_FIELD * 100_000
    decoder = WebcastDecoder()
    [event] = decode(message, decoder=decoder)
    assert isinstance(event, LikeEvent)
    assert (event.count, event.total, event.user) == (2, 10, FAN_EVENT_USER)
    assert decoder.stats.unknown_fields == 0


@pytest.mark.parametrize("unknown", [0, 1, 7, 30])
def test_unknown_fields_of_an_ordinary_message_are_counted_exactly(
    unknown: int,
) -> None:
    """A message of an ordinary size: every unknown top-level field is counted."""
    message = messages.comment(FAN, "hello")
    message.payload += UNKNOWN_FIELD * unknown
    decoder = WebcastDecoder()
    [event] = decode(message, decoder=decoder)
    assert isinstance(event, CommentEvent)
    assert decoder.stats.unknown_fields == unknown


# ---------------------------------------------------------- text, not UTF-8


def sender(nickname: str = "Rose Fan", handle: str = "rose_fan") -> pb.User:
    """FAN with other names."""
    return messages.user(7001, handle, nickname)


CASES: list[tuple[str, Callable[[], pb.WireMessage], Callable[[WebcastEvent], str]]] = [
    (
        "gift nickname",
        lambda: messages.gift(sender(nickname=f"Ro{MARK}se"), "Rose"),
        lambda e: e.user.nickname if isinstance(e, GiftEvent) else "",
    ),
    (
        "gift handle",
        lambda: messages.gift(sender(handle=f"rose{MARK}"), "Rose"),
        lambda e: e.user.unique_id if isinstance(e, GiftEvent) else "",
    ),
    (
        "gift name",
        lambda: messages.gift(FAN, f"Ro{MARK}se", diamonds=1),
        lambda e: e.gift_name if isinstance(e, GiftEvent) else "",
    ),
    (
        "avatar url",
        lambda: messages.like(
            pb.User(
                id=7001,
                avatar_thumb=pb.Image(url_list=[f"https://p16.example/{MARK}.webp"]),
            ),
            1,
            total=1,
        ),
        lambda e: e.user.avatar_url or "" if isinstance(e, LikeEvent) else "",
    ),
    (
        "comment",
        lambda: messages.comment(FAN, f"hi {MARK}!"),
        lambda e: e.text if isinstance(e, CommentEvent) else "",
    ),
    (
        "join nickname",
        lambda: messages.join(sender(nickname=f"{MARK}"), 3),
        lambda e: e.user.nickname if isinstance(e, JoinEvent) else "",
    ),
    (
        "subscriber nickname",
        lambda: messages.subscribe(sender(nickname=f"sub{MARK}"), 2),
        lambda e: e.user.nickname if isinstance(e, SubscribeEvent) else "",
    ),
    (
        "room message",
        lambda: messages.room_message(f"Welcome {MARK}"),
        lambda e: e.content if isinstance(e, RoomMessageEvent) else "",
    ),
    (
        "follow nickname",
        lambda: messages.follow(sender(nickname=f"new {MARK}")),
        lambda e: e.user.nickname if isinstance(e, FollowEvent) else "",
    ),
]


@pytest.mark.parametrize(
    ("make", "text"), [case[1:] for case in CASES], ids=[case[0] for case in CASES]
)
def test_text_that_is_not_utf8_costs_only_the_bad_bytes(
    make: Callable[[], pb.WireMessage], text: Callable[[WebcastEvent], str]
) -> None:
    """The event arrives, with U+FFFD where the bytes were not UTF-8."""
    decoder = WebcastDecoder()
    [event] = decode(broken(make()), decoder=decoder)
    assert REPLACED in text(event)
    assert decoder.stats.malformed_messages == 0


def test_broken_text_keeps_the_rest_of_the_event() -> None:
    """Only the broken characters change: ids, counts and the other text are intact."""
    [event] = decode(broken(messages.gift(sender(nickname=f"Ro{MARK}se"), "Galaxy")))
    assert event == GiftEvent(
        msg_id=event.msg_id,
        create_time=event.create_time,
        user=WebcastUser(
            user_id=7001,
            unique_id="rose_fan",
            nickname=f"Ro{REPLACED}se",
            avatar_url="https://p16.example/rose_fan.webp",
        ),
        gift_id=11046,
        gift_name="Galaxy",
        diamond_count=1000,
        repeat_count=1,
        repeat_end=True,
        streakable=False,
        group_id=1,
    )


def test_comment_language_not_utf8() -> None:
    """The language tag is text too."""
    message = pb.ChatMessage(
        common=pb.MessageCommon(), user=FAN, content="hi", content_language=MARK
    )
    wire = pb.WireMessage(
        method="WebcastChatMessage", payload=message.SerializeToString()
    )
    [event] = decode(broken(wire))
    assert isinstance(event, CommentEvent)
    assert (event.text, event.language) == ("hi", REPLACED)


def test_stream_end_with_broken_tips_still_ends() -> None:
    """A control message whose tips are not UTF-8 still ends the stream."""
    message = pb.ControlMessage(common=pb.MessageCommon(), action=3, tips=MARK)
    wire = pb.WireMessage(
        method="WebcastControlMessage", payload=message.SerializeToString()
    )
    assert [type(e) for e in decode(broken(wire))] == [LiveEndEvent]


def test_follow_key_not_utf8_is_still_a_follow() -> None:
    """The display text key decides follow/share even with broken bytes around it."""
    [event] = decode(broken(messages.social(FAN, f"pm_main_follow_{MARK}", 0)))
    assert event == FollowEvent(
        msg_id=event.msg_id,
        create_time=event.create_time,
        user=replace(FAN_EVENT_USER, is_follower=True),
    )


def test_a_method_not_utf8_costs_only_its_message() -> None:
    """One method name that is not UTF-8 no longer loses the whole fetch result."""
    result = pb.FetchResult(
        messages=[
            messages.comment(FAN, "before"),
            pb.WireMessage(method=f"Webcast{MARK}Message", payload=b"\x08\x01"),
            messages.comment(FAN, "after"),
        ],
        cursor="c",
        internal_ext="ie",
        need_ack=True,
        route_params={"k": "v"},
    )
    payload = result.SerializeToString()
    assert payload.count(MARK.encode()) == 1
    decoder = WebcastDecoder()
    events = decoder.decode_bytes(payload.replace(MARK.encode(), NOT_UTF8))
    assert [e.text for e in events if isinstance(e, CommentEvent)] == [
        "before",
        "after",
    ]
    assert decoder.stats.unknown_methods == {f"Webcast{REPLACED}Message": 1}
    assert decoder.stats.malformed_frames == 0


def test_fetch_result_text_not_utf8_is_repaired() -> None:
    """cursor, internal_ext, push_server and route params come back with U+FFFD."""
    result = pb.FetchResult(
        messages=[messages.comment(FAN, "kept")],
        cursor="c1",
        internal_ext="ie#1",
        push_server="wss://push.example/%%",
        route_params={"room_id": "7", "bad": "v!!"},
        need_ack=True,
        is_first=True,
        fetch_interval=1000,
    )
    payload = result.SerializeToString()
    for marker in ("#1", "%%", "!!"):
        assert payload.count(marker.encode()) == 1
        payload = payload.replace(marker.encode(), NOT_UTF8)
    decoder = WebcastDecoder()
    parsed = decoder.parse_result(payload)
    assert parsed is not None
    assert (parsed.cursor, parsed.internal_ext) == ("c1", f"ie{REPLACED}")
    assert parsed.push_server == f"wss://push.example/{REPLACED}"
    assert dict(parsed.route_params) == {"room_id": "7", "bad": f"v{REPLACED}"}
    assert (parsed.need_ack, parsed.is_first, parsed.fetch_interval) == (
        True,
        True,
        1000,
    )
    assert [type(e) for e in decoder.decode(parsed)] == [CommentEvent]
    assert decoder.stats.malformed_frames == 0


# ----------------------------------------------------------- the views


def views() -> list[Descriptor]:
    """Every message type whose name ends in View."""
    return [
        message
        for name, message in pb.DESCRIPTOR.message_types_by_name.items()
        if name.endswith("View")
    ]


def written(view: Descriptor) -> Descriptor:
    """The message a view reads: its name without View (route params: the map entry)."""
    if view.name == "RouteParamView":
        writer = pb.FetchResult.DESCRIPTOR.fields_by_name["route_params"].message_type
    else:
        writer = pb.DESCRIPTOR.message_types_by_name[view.name.removesuffix("View")]
    return cast(Descriptor, writer)


def test_no_view_has_a_string_field() -> None:
    """One `string` field in a view would let one bad byte lose the whole event again."""
    assert len(views()) >= 16
    for view in views():
        for field in view.fields:
            assert field.type != FieldDescriptor.TYPE_STRING, field.full_name


def fields(message: Descriptor) -> dict[int, FieldDescriptorProto]:
    """The message's fields as declared (labels included on every protobuf version)."""
    declared = DescriptorProto()
    # Untyped in the stubs of protobuf 5.29, typed in those of 7.x.
    message.CopyToProto(declared)  # type: ignore[no-untyped-call, unused-ignore]
    return {field.number: field for field in declared.field}


@pytest.mark.parametrize("view", views(), ids=lambda view: view.name)
def test_views_are_wire_identical_to_the_messages(view: Descriptor) -> None:
    """Same numbers, labels and wire types as the message the fake writes; text as bytes."""
    writer = written(view)
    mine, theirs = fields(view), fields(writer)
    # Left out on purpose: RoomUserSeqMessage.ranks (see webcast.proto).
    omitted = {2} if view.name == "RoomUserSeqMessageView" else set()
    # Kept as raw bytes on purpose (same wire type): User.badge_list.
    raw = {64} if view.name == "UserView" else set()
    assert set(mine) == set(theirs) - omitted
    for number, field in mine.items():
        other = theirs[number]
        assert (field.name, field.label) == (other.name, other.label)
        if number in raw:
            assert other.type == FieldDescriptorProto.TYPE_MESSAGE, field.name
            assert field.type == FieldDescriptorProto.TYPE_BYTES, field.name
            continue
        if other.type == FieldDescriptorProto.TYPE_STRING:
            assert field.type == FieldDescriptorProto.TYPE_BYTES, field.name
        else:
            assert field.type == other.type, field.name
        inner = view.fields_by_number[number].message_type
        if inner is not None:
            # The same type (no text in it), or the view of it.
            expected = writer.fields_by_number[number].message_type
            assert inner is expected or written(inner) is expected, field.name
