"""Who sent it, and the gift's picture: UserIdentity, badges and Gift.image decoded.

A sender's standing with the creator (moderator, subscriber, follower) is True
or False only where the message carries a UserIdentity (chat, gift); badges
elsewhere can only say True; whatever nothing says stays None. The reference
for each case is protobuf's own parse of the full message (the writer's types).
"""

from __future__ import annotations

from collections.abc import Callable
import itertools
import random

import pytest

from custom_components.tiktok_live.webcast import (
    CommentEvent,
    FollowEvent,
    GiftEvent,
    JoinEvent,
    LikeEvent,
    ShareEvent,
    SubscribeEvent,
    WebcastDecoder,
    WebcastEvent,
    WebcastUser,
)
from custom_components.tiktok_live.webcast.decoder import MAX_BADGES
from custom_components.tiktok_live.webcast.proto import webcast_pb2 as pb
from tests.fake_tiktok import messages
from tests.fake_tiktok.messages import (
    BADGE_ADMIN,
    BADGE_FANS,
    BADGE_SUBSCRIBER,
    BADGE_USER_GRADE,
)

type Standing = tuple[bool | None, bool | None, bool | None]


def decode(
    *wire: pb.WireMessage, decoder: WebcastDecoder | None = None
) -> list[WebcastEvent]:
    """The events of one FetchResult holding ``wire``."""
    return (decoder or WebcastDecoder()).decode(pb.FetchResult(messages=list(wire)))


def standing(user: WebcastUser) -> Standing:
    """(is_moderator, is_subscriber, is_follower)."""
    return (user.is_moderator, user.is_subscriber, user.is_follower)


def only(*wire: pb.WireMessage) -> WebcastEvent:
    """The one event of these messages."""
    [event] = decode(*wire)
    return event


def sender_of(event: WebcastEvent) -> WebcastUser:
    """The user an event carries."""
    user = getattr(event, "user", None)
    assert isinstance(user, WebcastUser), event
    return user


def with_raw_badges(message: pb.WireMessage, *badges: bytes) -> pb.WireMessage:
    """``message`` (a like) whose sender carries these raw BadgeStructs, as sent."""
    like = pb.LikeMessage()
    like.ParseFromString(message.payload)
    user = like.user.SerializeToString()
    for badge in badges:
        user += b"\x82\x04" + _varint(len(badge)) + badge  # field 64, bytes
    like.ClearField("user")
    payload = like.SerializeToString() + b"\x2a" + _varint(len(user)) + user
    return pb.WireMessage(method=message.method, payload=payload, msg_id=message.msg_id)


def _varint(value: int) -> bytes:
    out = bytearray()
    while True:
        low, value = value & 0x7F, value >> 7
        out.append(low | (0x80 if value else 0))
        if not value:
            return bytes(out)


def badge(scene: int, *, display: int = 1, priority: int = 1) -> bytes:
    """A BadgeStruct as TikTok writes it: display and priority type, then the scene."""
    return pb.BadgeStruct(
        display_type=display, priority_type=priority, scene_type=scene
    ).SerializeToString()


# ----------------------------------------------------- UserIdentity (chat, gift)

FLAGS = list(itertools.product([False, True], repeat=3))


@pytest.mark.parametrize(("moderator", "subscriber", "follower"), FLAGS)
@pytest.mark.parametrize("kind", ["comment", "gift"])
def test_user_identity_answers_all_three(
    kind: str, moderator: bool, subscriber: bool, follower: bool
) -> None:
    """Chat (field 18) and gift (field 32): each flag as sent, False included."""
    fan = messages.viewer(
        7001,
        "rose_fan",
        "Rose Fan",
        moderator=moderator,
        subscriber=subscriber,
        follower=follower,
    )
    wire = messages.comment(fan, "hi") if kind == "comment" else messages.gift(fan)
    event = only(wire)
    assert isinstance(event, CommentEvent | GiftEvent)
    assert standing(event.user) == (moderator, subscriber, follower)
    assert event.user.unique_id == "rose_fan"


@pytest.mark.parametrize("kind", ["comment", "gift"])
def test_an_empty_user_identity_is_three_noes(kind: str) -> None:
    """TikTok's identity of a plain viewer has no field set: it is there, so False."""
    if kind == "comment":
        message: pb.ChatMessage | pb.GiftMessage = pb.ChatMessage(content="hi")
    else:
        message = pb.GiftMessage(gift=pb.Gift(id=5655, name="Rose"))
    message.user.CopyFrom(messages.user(7001, "rose_fan", "Rose Fan"))
    message.user_identity.SetInParent()
    method = "WebcastChatMessage" if kind == "comment" else "WebcastGiftMessage"
    event = only(pb.WireMessage(method=method, payload=message.SerializeToString()))
    assert standing(sender_of(event)) == (False, False, False)


@pytest.mark.parametrize("kind", ["comment", "gift"])
def test_without_user_identity_nothing_is_known(kind: str) -> None:
    """No UserIdentity: None, even with moderator and subscriber badges (no guess)."""
    fan = messages.viewer(
        7001, "rose_fan", "Rose Fan", moderator=True, subscriber=True, identity=False
    )
    wire = messages.comment(fan, "hi") if kind == "comment" else messages.gift(fan)
    assert standing(sender_of(only(wire))) == (None, None, None)


def test_a_plain_user_sender_carries_no_identity() -> None:
    """The fake's plain pb.User senders (most tests) send no UserIdentity: all None."""
    fan = messages.user(7001, "rose_fan", "Rose Fan")
    for wire in (messages.comment(fan, "x"), messages.gift(fan), messages.like(fan, 1)):
        assert standing(sender_of(only(wire))) == (None, None, None)


# ---------------------------------------------- badges (no UserIdentity there)

BUILDERS: dict[str, Callable[[messages.Sender], pb.WireMessage]] = {
    "like": lambda s: messages.like(s, 5, total=5),
    "join": lambda s: messages.join(s, 10),
    "share": messages.share,
    "subscribe": lambda s: messages.subscribe(s, 2),
    "follow": messages.follow,
}
EVENTS = {
    "like": LikeEvent,
    "join": JoinEvent,
    "share": ShareEvent,
    "subscribe": SubscribeEvent,
    "follow": FollowEvent,
}


@pytest.mark.parametrize("kind", BUILDERS)
@pytest.mark.parametrize(
    ("moderator", "subscriber"), list(itertools.product([False, True], repeat=2))
)
def test_badges_are_evidence_for_never_against(
    kind: str, moderator: bool, subscriber: bool
) -> None:
    """ADMIN → moderator, SUBSCRIBER → subscriber; a missing badge is None, never False."""
    fan = messages.viewer(
        7001,
        "rose_fan",
        "Rose Fan",
        moderator=moderator,
        subscriber=subscriber,
        follower=True,  # no badge says it, so nothing but a follow shows it
    )
    event = only(BUILDERS[kind](fan))
    assert type(event) is EVENTS[kind]
    # A follow makes its sender a follower; nothing else here says either way.
    follower = True if kind == "follow" else None
    assert standing(sender_of(event)) == (
        True if moderator else None,
        True if subscriber else None,
        follower,
    )


@pytest.mark.parametrize("kind", BUILDERS)
def test_other_badges_say_nothing(kind: str) -> None:
    """Level and fan club badges (scenes 8, 10), or none at all: still None."""
    for scenes in ([BADGE_USER_GRADE, BADGE_FANS], []):
        fan = messages.user(7001, "rose_fan", "Rose Fan", badges=scenes)
        moderator, subscriber, _ = standing(sender_of(only(BUILDERS[kind](fan))))
        assert (moderator, subscriber) == (None, None)


def test_a_badge_anywhere_in_the_first_max_badges_counts() -> None:
    """Up to MAX_BADGES badges are looked at, in order; the rest are not."""
    filler = [BADGE_USER_GRADE] * (MAX_BADGES - 1)
    last_seen = messages.user(1, "a", "A", badges=[*filler, BADGE_ADMIN])
    past_it = messages.user(2, "b", "B", badges=[*filler, BADGE_FANS, BADGE_ADMIN])
    assert sender_of(only(messages.like(last_seen, 1))).is_moderator is True
    assert sender_of(only(messages.like(past_it, 1))).is_moderator is None


def test_a_huge_badge_list_stays_bounded() -> None:
    """200,000 badges (a hostile sender): the like arrives, only the first are read."""
    fan = messages.user(7001, "rose_fan", "Rose Fan")
    hostile = with_raw_badges(
        messages.like(fan, 3, total=3),
        badge(BADGE_SUBSCRIBER),
        *[b""] * 200_000,
        badge(BADGE_ADMIN),  # far past MAX_BADGES: never looked at
    )
    decoder = WebcastDecoder()
    [event] = decode(hostile, decoder=decoder)
    assert isinstance(event, LikeEvent)
    assert event.count == 3
    assert standing(event.user) == (None, True, None)
    assert decoder.stats.malformed_messages == 0
    assert decoder.stats.unknown_fields == 0


@pytest.mark.parametrize(
    "broken",
    [
        b"\xff\xff\xff",  # no valid tag at all
        b"\x18",  # scene tag without its value
        b"\x0a\xff\xff\xff\xff\x0f",  # a length far past the end
        b"\x08\x01\x10\x01\x18\x04\xa2\x01\xff",  # the head is fine, the rest broken
        b"\x0b\x18\x01",  # a group start
    ],
)
def test_a_broken_badge_costs_nothing_else(broken: bytes) -> None:
    """A badge that does not parse: the event and the other badges still count."""
    fan = messages.user(7001, "rose_fan", "Rose Fan")
    wire = with_raw_badges(messages.like(fan, 1), broken, badge(BADGE_ADMIN))
    decoder = WebcastDecoder()
    [event] = decode(wire, decoder=decoder)
    assert isinstance(event, LikeEvent)
    assert event.user.is_moderator is True
    assert decoder.stats.malformed_messages == 0


def test_scene_bytes_inside_a_nested_field_are_no_badge() -> None:
    """0x18 0x01 inside a badge's image (not its scene_type) is not a moderator."""
    nested = b"\x18\x01\x18\x04"
    grade = badge(BADGE_USER_GRADE) + b"\xa2\x01" + bytes([len(nested)]) + nested
    fan = messages.user(7001, "rose_fan", "Rose Fan")
    event = only(with_raw_badges(messages.like(fan, 1), grade))
    assert standing(sender_of(event)) == (None, None, None)


def test_long_varints_before_the_scene() -> None:
    """display_type and priority_type of several bytes (or none) still lead to the scene."""
    fan = messages.user(7001, "rose_fan", "Rose Fan")
    badges = [
        badge(BADGE_ADMIN, display=300, priority=2**31 - 1),
        pb.BadgeStruct(scene_type=BADGE_SUBSCRIBER).SerializeToString(),
    ]
    event = only(with_raw_badges(messages.like(fan, 1), *badges))
    assert standing(sender_of(event)) == (True, True, None)


def reference_standing(wire: pb.WireMessage) -> Standing:
    """What protobuf's full parse of the message (writer types) says, by the same rules."""
    if wire.method in ("WebcastChatMessage", "WebcastGiftMessage"):
        full: pb.ChatMessage | pb.GiftMessage = (
            pb.ChatMessage()
            if wire.method == "WebcastChatMessage"
            else pb.GiftMessage()
        )
        full.ParseFromString(wire.payload)
        if not full.HasField("user_identity"):
            return (None, None, None)
        identity = full.user_identity
        return (
            identity.is_moderator_of_anchor,
            identity.is_subscriber_of_anchor,
            identity.is_follower_of_anchor,
        )
    like = pb.LikeMessage()
    like.ParseFromString(wire.payload)
    scenes = {b.scene_type for b in like.user.badge_list[:MAX_BADGES]}
    return (
        True if BADGE_ADMIN in scenes else None,
        True if BADGE_SUBSCRIBER in scenes else None,
        None,
    )


def test_decoder_agrees_with_a_full_parse() -> None:
    """Random senders, badges and identities: the decoder says what a full parse says."""
    rng = random.Random(1988)
    scenes = [BADGE_ADMIN, BADGE_SUBSCRIBER, BADGE_USER_GRADE, BADGE_FANS, 6, 0, 2**20]
    checked = 0
    for n in range(1500):
        raw = []
        for _ in range(rng.randint(0, MAX_BADGES + 4)):
            one = badge(
                rng.choice(scenes),
                display=rng.choice([0, 1, 2, 200, 70_000]),
                priority=rng.choice([0, 1, 30, 2**31 - 1]),
            )
            if rng.random() < 0.5:  # nested content, scene-like bytes included
                nested = rng.randbytes(rng.randint(0, 30)) + b"\x18\x01"
                one += b"\xa2\x01" + _varint(len(nested)) + nested
            raw.append(one)
        fan = messages.user(n, f"fan_{n}", f"Fan {n}")
        kind = rng.choice(["like", "chat", "gift"])
        if kind == "like":
            wire = with_raw_badges(messages.like(fan, 1), *raw)
        else:
            sender = messages.Viewer(
                fan,
                moderator=rng.random() < 0.3,
                subscriber=rng.random() < 0.3,
                follower=rng.random() < 0.5,
                identity=rng.random() < 0.8,
            )
            wire = (
                messages.comment(sender, "x")
                if kind == "chat"
                else messages.gift(sender)
            )
        assert standing(sender_of(only(wire))) == reference_standing(wire), n
        checked += 1
    assert checked == 1500


# ------------------------------------------------------------ gift pictures


def test_gift_image_first_url() -> None:
    """Gift.image (field 1): its first URL."""
    fan = messages.user(7001, "rose_fan", "Rose Fan")
    event = only(messages.gift(fan, "Rose", image="https://p16.example/rose.png"))
    assert isinstance(event, GiftEvent)
    assert event.image_url == "https://p16.example/rose.png"
    both = pb.GiftMessage(
        gift=pb.Gift(
            id=1,
            image=pb.Image(
                url_list=["https://a.example/1.png", "https://b.example/2.png"]
            ),
            icon=pb.Image(url_list=["https://c.example/icon.png"]),
        )
    )
    event = only(
        pb.WireMessage(method="WebcastGiftMessage", payload=both.SerializeToString())
    )
    assert isinstance(event, GiftEvent)
    assert event.image_url == "https://a.example/1.png"


def test_gift_icon_when_there_is_no_image() -> None:
    """No image (or an empty first URL): Gift.icon (field 21)."""
    fan = messages.user(7001, "rose_fan", "Rose Fan")
    event = only(messages.gift(fan, "Galaxy", icon=True))
    assert isinstance(event, GiftEvent)
    assert event.image_url == messages.gift_icon_url(11046)
    empty_first = pb.GiftMessage(
        gift=pb.Gift(
            id=1,
            image=pb.Image(url_list=["", "https://b.example/2.png"]),
            icon=pb.Image(url_list=["https://c.example/icon.png"]),
        )
    )
    event = only(
        pb.WireMessage(
            method="WebcastGiftMessage", payload=empty_first.SerializeToString()
        )
    )
    assert isinstance(event, GiftEvent)
    assert event.image_url == "https://c.example/icon.png"


def test_gift_without_a_picture_is_none() -> None:
    """Neither image nor icon (or no Gift at all): None, not ""."""
    fan = messages.user(7001, "rose_fan", "Rose Fan")
    event = only(messages.gift(fan, "Rose"))
    assert isinstance(event, GiftEvent)
    assert event.image_url is None
    bare = pb.GiftMessage(gift_id=5, gift=pb.Gift(image=pb.Image(url_list=[""])))
    event = only(
        pb.WireMessage(method="WebcastGiftMessage", payload=bare.SerializeToString())
    )
    assert isinstance(event, GiftEvent)
    assert event.image_url is None


def test_gift_image_not_utf8() -> None:
    """A URL that is not UTF-8 costs only its broken bytes."""
    fan = messages.user(7001, "rose_fan", "Rose Fan")
    wire = messages.gift(fan, "Rose", image="https://p16.example/@@.webp")
    wire.payload = wire.payload.replace(b"@@", b"\xff\xfe")
    event = only(wire)
    assert isinstance(event, GiftEvent)
    assert event.image_url == "https://p16.example/\ufffd\ufffd.webp"


def test_new_fields_are_no_schema_drift() -> None:
    """UserIdentity, badges and the gift icon are known fields: nothing counted as drift."""
    fan = messages.viewer(7001, "rose_fan", "Rose Fan", moderator=True, subscriber=True)
    decoder = WebcastDecoder()
    decode(
        messages.comment(fan, "hi"),
        messages.gift(fan, "Rose", image=True, icon=True),
        messages.like(fan, 1),
        decoder=decoder,
    )
    assert decoder.stats.unknown_fields == 0
    assert decoder.stats.events_emitted == 3


def test_badges_stay_raw_bytes_in_the_view() -> None:
    """The user view keeps badge_list as bytes: protobuf builds no message per badge."""
    view = pb.UserView.DESCRIPTOR.fields_by_number[64]
    written = pb.User.DESCRIPTOR.fields_by_number[64]
    assert view.type == view.TYPE_BYTES
    assert written.message_type is pb.BadgeStruct.DESCRIPTOR
