"""Decoding without a socket: wire messages built with webcast_pb2 become events.

Every message here is built field by field, so each test shows which wire field
ends up in which event attribute.
"""

from __future__ import annotations

from dataclasses import replace
import random

from google.protobuf.message import Message
import pytest

from custom_components.tiktok_live.webcast import (
    CommentEvent,
    ConnectionStats,
    ControlEvent,
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
    WebcastDecoder,
    WebcastEvent,
    WebcastUser,
)
from custom_components.tiktok_live.webcast.proto import webcast_pb2 as pb

FAN = pb.User(
    id=7001,
    display_id="rose_fan",
    nickname="Rose Fan",
    avatar_thumb=pb.Image(url_list=["https://p16.example/a.webp", "https://b.webp"]),
)
FAN_EVENT_USER = WebcastUser(
    user_id=7001,
    unique_id="rose_fan",
    nickname="Rose Fan",
    avatar_url="https://p16.example/a.webp",
)
CREATE_TIME = 1_767_000_000_123


def common(msg_id: int = 0, key: str = "") -> pb.MessageCommon:
    """A message's common part, as TikTok fills it."""
    return pb.MessageCommon(
        msg_id=msg_id,
        create_time=CREATE_TIME,
        display_text=pb.Text(key=key) if key else None,
    )


def wire(
    method: str, message: Message, msg_id: int = 900, *, is_history: bool = False
) -> pb.WireMessage:
    """``message`` wrapped as a FetchResult carries it."""
    return pb.WireMessage(
        method=method,
        payload=message.SerializeToString(),
        msg_id=msg_id,
        is_history=is_history,
    )


def decode(
    *messages: pb.WireMessage, decoder: WebcastDecoder | None = None
) -> list[WebcastEvent]:
    """The events of one FetchResult holding ``messages``."""
    decoder = decoder or WebcastDecoder()
    return decoder.decode(pb.FetchResult(messages=list(messages)))


def gift(
    *,
    gift_type: int = 1,
    repeat_count: int = 1,
    repeat_end: int = 1,
    gift_id_in_gift: int = 5655,
    gift_id: int = 0,
) -> pb.WireMessage:
    """A Rose (1 diamond) gift message."""
    return wire(
        "WebcastGiftMessage",
        pb.GiftMessage(
            common=common(),
            gift_id=gift_id,
            repeat_count=repeat_count,
            repeat_end=repeat_end,
            group_id=42,
            user=FAN,
            gift=pb.Gift(
                id=gift_id_in_gift, name="Rose", diamond_count=1, type=gift_type
            ),
        ),
    )


def social(key: str, action: int) -> pb.WireMessage:
    """A SocialMessage with this display text key and action."""
    return wire(
        "WebcastSocialMessage",
        pb.SocialMessage(common=common(key=key), user=FAN, action=action),
    )


# ----------------------------------------------------------------- each type


def test_gift_fields() -> None:
    """Every wire field of a gift lands in the event; meta data from wrapper and common."""
    [event] = decode(gift(repeat_count=3, repeat_end=1))
    assert event == GiftEvent(
        msg_id=900,
        create_time=CREATE_TIME,
        is_history=False,
        user=FAN_EVENT_USER,
        gift_id=5655,
        gift_name="Rose",
        diamond_count=1,
        repeat_count=3,
        repeat_end=True,
        streakable=True,
        group_id=42,
    )
    assert event.total_diamonds == 3
    assert not event.streaking


def test_gift_streak_updates_then_end() -> None:
    """A streakable gift (type 1) streaks until repeat_end; the last one counts."""
    events = decode(
        gift(repeat_count=1, repeat_end=0),
        gift(repeat_count=2, repeat_end=0),
        gift(repeat_count=5, repeat_end=1),
    )
    gifts = [e for e in events if isinstance(e, GiftEvent)]
    assert [(g.repeat_count, g.repeat_end, g.streaking) for g in gifts] == [
        (1, False, True),
        (2, False, True),
        (5, True, False),
    ]
    assert gifts[-1].total_diamonds == 5


def test_non_streakable_gift_never_streaks() -> None:
    """Any other gift type is complete in each message, whatever repeat_end says."""
    [event] = decode(gift(gift_type=2, repeat_count=1, repeat_end=0))
    assert isinstance(event, GiftEvent)
    assert not event.streakable
    assert not event.streaking
    assert event.total_diamonds == 1


def test_gift_id_falls_back_to_the_message_field() -> None:
    """gift.id first; the message's own gift_id when the gift struct has none."""
    [event] = decode(gift(gift_id_in_gift=0, gift_id=8888))
    assert isinstance(event, GiftEvent)
    assert event.gift_id == 8888
    [event] = decode(gift(gift_id_in_gift=5655, gift_id=8888))
    assert isinstance(event, GiftEvent)
    assert event.gift_id == 5655


def test_gift_without_a_gift_struct() -> None:
    """No Gift at all: zero diamonds, not streakable, no error."""
    message = wire(
        "WebcastGiftMessage",
        pb.GiftMessage(common=common(), gift_id=77, repeat_count=2, user=FAN),
    )
    [event] = decode(message)
    assert isinstance(event, GiftEvent)
    assert (event.gift_id, event.gift_name, event.diamond_count) == (77, "", 0)
    assert not event.streakable
    assert event.total_diamonds == 0


def test_like() -> None:
    """count is this batch, total the room's running total."""
    [event] = decode(
        wire(
            "WebcastLikeMessage",
            pb.LikeMessage(common=common(), count=15, total=3000, user=FAN),
        )
    )
    assert event == LikeEvent(
        msg_id=900, create_time=CREATE_TIME, user=FAN_EVENT_USER, count=15, total=3000
    )


def test_join_is_member_action_1() -> None:
    """Action 1 joins, with the viewer count; other actions are decoded, not emitted."""
    decoder = WebcastDecoder()
    events = decode(
        wire(
            "WebcastMemberMessage",
            pb.MemberMessage(common=common(), user=FAN, member_count=12, action=1),
        ),
        wire(
            "WebcastMemberMessage",
            pb.MemberMessage(common=common(), user=FAN, member_count=13, action=3),
        ),
        wire("WebcastMemberMessage", pb.MemberMessage(common=common(), user=FAN)),
        decoder=decoder,
    )
    assert events == [
        JoinEvent(
            msg_id=900, create_time=CREATE_TIME, user=FAN_EVENT_USER, viewer_count=12
        )
    ]
    assert decoder.stats.messages_decoded == 3
    assert decoder.stats.events_emitted == 1


@pytest.mark.parametrize(
    ("key", "action", "expected"),
    [
        # The display text key decides, whatever the action says.
        ("pm_main_follow_message_viewer_2", 3, FollowEvent),
        ("pm_mt_guidance_share", 1, ShareEvent),
        ("pm_mt_guidance_viewer_5_share", 0, ShareEvent),
        # A key naming neither: the action (1 follow, 3 share).
        ("", 1, FollowEvent),
        ("", 3, ShareEvent),
        ("pm_something_else", 1, FollowEvent),
        ("pm_something_else", 3, ShareEvent),
        # Neither key nor action: nothing.
        ("", 0, None),
        ("pm_something_else", 2, None),
    ],
)
def test_follow_and_share_classification(
    key: str, action: int, expected: type[FollowEvent | ShareEvent] | None
) -> None:
    """common.display_text.key contains follow/share; else the action field."""
    events = decode(social(key, action))
    if expected is None:
        assert events == []
    else:
        # A follow makes its sender a follower; a share says nothing about it.
        user = replace(
            FAN_EVENT_USER, is_follower=True if expected is FollowEvent else None
        )
        assert events == [expected(msg_id=900, create_time=CREATE_TIME, user=user)]


def test_comment() -> None:
    """The text is ``content``; its language comes along."""
    [event] = decode(
        wire(
            "WebcastChatMessage",
            pb.ChatMessage(
                common=common(), user=FAN, content="hello 👋", content_language="en"
            ),
        )
    )
    assert event == CommentEvent(
        msg_id=900,
        create_time=CREATE_TIME,
        user=FAN_EVENT_USER,
        text="hello 👋",
        language="en",
    )


def test_subscribe() -> None:
    """A subscription notice with its month count."""
    [event] = decode(
        wire(
            "WebcastSubNotifyMessage",
            pb.SubNotifyMessage(common=common(), user=FAN, sub_month=4),
        )
    )
    assert event == SubscribeEvent(
        msg_id=900, create_time=CREATE_TIME, user=FAN_EVENT_USER, sub_month=4
    )


def test_viewer_count() -> None:
    """total is the current count, total_user the cumulative one; ranks are not read."""
    other = pb.User(id=8002, display_id="second", nickname="Second")
    [event] = decode(
        wire(
            "WebcastRoomUserSeqMessage",
            pb.RoomUserSeqMessage(
                common=common(),
                total=120,
                total_user=900,
                ranks=[
                    pb.Contributor(user=FAN, score=500, rank=1),
                    pb.Contributor(user=other, score=20, rank=2),
                ],
            ),
        )
    )
    assert event == ViewerCountEvent(
        msg_id=900,
        create_time=CREATE_TIME,
        viewers=120,
        total_viewers=900,
    )


def test_room_message() -> None:
    """A room-wide broadcast's text."""
    [event] = decode(
        wire(
            "WebcastRoomMessage",
            pb.RoomMessage(common=common(), content="Welcome to TikTok LIVE!"),
        )
    )
    assert event == RoomMessageEvent(
        msg_id=900, create_time=CREATE_TIME, content="Welcome to TikTok LIVE!"
    )


@pytest.mark.parametrize(
    ("action", "expected"),
    [
        (0, ControlEvent),
        (1, LivePauseEvent),
        (2, LiveResumeEvent),
        (3, LiveEndEvent),
        (4, LiveEndEvent),
        (99, ControlEvent),
    ],
)
def test_control_actions(action: int, expected: type[ControlEvent]) -> None:
    """3 (ended) and 4 (suspended) end the stream; unknown actions stay plain."""
    [event] = decode(
        wire("WebcastControlMessage", pb.ControlMessage(common=common(), action=action))
    )
    assert type(event) is expected
    assert isinstance(event, ControlEvent)
    assert event.action == action


# ------------------------------------------------------------- shared fields


def test_msg_id_from_the_wrapper_else_common() -> None:
    """WireMessage.msg_id first, common.msg_id when the wrapper has none."""
    like = pb.LikeMessage(common=common(msg_id=111), count=1, user=FAN)
    [first, second] = decode(
        wire("WebcastLikeMessage", like, msg_id=222),
        wire("WebcastLikeMessage", like, msg_id=0),
    )
    assert (first.msg_id, second.msg_id) == (222, 111)
    assert first.create_time == CREATE_TIME


def test_history_flag_is_kept() -> None:
    """is_history as sent, so consumers can tell replayed messages apart."""
    like = pb.LikeMessage(common=common(), count=1, user=FAN)
    events = decode(
        wire("WebcastLikeMessage", like, is_history=True),
        wire("WebcastLikeMessage", like, is_history=False),
    )
    assert [e.is_history for e in events] == [True, False]


def test_user_without_avatar_or_names() -> None:
    """Missing user fields become empty values, never errors."""
    [event] = decode(
        wire("WebcastChatMessage", pb.ChatMessage(common=common(), content="x"))
    )
    assert isinstance(event, CommentEvent)
    assert event.user == WebcastUser(
        user_id=0, unique_id="", nickname="", avatar_url=None
    )


def test_order_is_kept_across_types() -> None:
    """Messages of a batch come out in the order they came in."""
    events = decode(
        social("pm_main_follow_message_viewer_2", 1),
        gift(),
        wire("WebcastControlMessage", pb.ControlMessage(common=common(), action=3)),
        wire("WebcastChatMessage", pb.ChatMessage(common=common(), content="bye")),
    )
    assert [type(e) for e in events] == [
        FollowEvent,
        GiftEvent,
        LiveEndEvent,
        CommentEvent,
    ]


# ------------------------------------------------------ what is skipped


def test_unknown_methods_are_counted_and_skipped() -> None:
    """Per method name; the known messages around them still decode."""
    decoder = WebcastDecoder()
    poll = pb.WireMessage(method="WebcastPollMessage", payload=b"\x08\x01")
    events = decode(
        poll,
        gift(),
        poll,
        pb.WireMessage(method="WebcastBarrageMessage"),
        decoder=decoder,
    )
    assert [type(e) for e in events] == [GiftEvent]
    assert decoder.stats.unknown_methods == {
        "WebcastPollMessage": 2,
        "WebcastBarrageMessage": 1,
    }
    assert decoder.stats.messages_decoded == 1


@pytest.mark.parametrize(
    "payload",
    [
        b"\x0a\xff\xff\xff\xff\x0f",  # length far past the end
        b"\x0a\x05abc",  # truncated embedded message
        b"\x07",  # wire type 7 does not exist
        b"\x1a\x05ab",  # content string shorter than its length
        b"\x0b",  # group start without its end
    ],
)
def test_malformed_payload_is_counted_and_skipped(payload: bytes) -> None:
    """A payload that does not parse as its type; the next message still decodes."""
    decoder = WebcastDecoder()
    events = decode(
        pb.WireMessage(method="WebcastChatMessage", payload=payload),
        gift(),
        decoder=decoder,
    )
    assert [type(e) for e in events] == [GiftEvent]
    assert decoder.stats.malformed_messages == 1
    assert decoder.stats.messages_decoded == 1
    assert decoder.stats.events_emitted == 1


def test_unknown_fields_are_counted() -> None:
    """Fields our schema lacks are skipped, and counted to show schema drift."""
    message = wire("WebcastLikeMessage", pb.LikeMessage(common=common(), count=2))
    # Field 200 (varint 1) and field 201 (a string): not in our LikeMessage.
    message.payload += b"\xc0\x0c\x01" + b"\xca\x0c\x03abc"
    decoder = WebcastDecoder()
    [event] = decode(message, decoder=decoder)
    assert isinstance(event, LikeEvent)
    assert event.count == 2
    assert decoder.stats.unknown_fields == 2


def test_known_messages_have_no_unknown_fields() -> None:
    """Our own encoding round-trips without a stray field."""
    decoder = WebcastDecoder()
    decode(gift(), social("follow", 1), decoder=decoder)
    assert decoder.stats.unknown_fields == 0


def test_fetch_result_bytes() -> None:
    """Serialized results decode; bytes that are no FetchResult are counted."""
    decoder = WebcastDecoder()
    payload = pb.FetchResult(messages=[gift()], cursor="c").SerializeToString()
    assert [type(e) for e in decoder.decode_bytes(payload)] == [GiftEvent]
    assert decoder.parse_result(b"\x0a\xff\xff") is None
    assert decoder.decode_bytes(b"\x0a\xff\xff") == []
    assert decoder.stats.malformed_frames == 2


def test_counters_go_into_the_given_stats() -> None:
    """A connection passes its own stats object; the decoder counts into it."""
    stats = ConnectionStats()
    decoder = WebcastDecoder(stats)
    decode(gift(), pb.WireMessage(method="X"), decoder=decoder)
    assert decoder.stats is stats
    assert (stats.messages_decoded, stats.events_emitted) == (1, 1)
    assert stats.unknown_methods == {"X": 1}


def test_random_bytes_never_raise() -> None:
    """Fuzz: random payloads under every known method, and as whole results."""
    rng = random.Random(1988)
    methods = [
        "WebcastGiftMessage",
        "WebcastLikeMessage",
        "WebcastMemberMessage",
        "WebcastSocialMessage",
        "WebcastChatMessage",
        "WebcastRoomUserSeqMessage",
        "WebcastControlMessage",
        "WebcastSubNotifyMessage",
        "WebcastRoomMessage",
    ]
    messages, results = WebcastDecoder(), WebcastDecoder()
    for _ in range(2000):
        junk = rng.randbytes(rng.randint(0, 64))
        message = pb.WireMessage(method=rng.choice(methods), payload=junk)
        messages.decode(pb.FetchResult(messages=[message]))
        results.decode_bytes(junk)
    # Each message is either decoded or counted as malformed, never lost.
    assert messages.stats.messages_decoded + messages.stats.malformed_messages == 2000
    assert messages.stats.malformed_messages > 0
    assert results.stats.malformed_frames > 0
