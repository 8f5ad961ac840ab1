"""Decoding of webcast fetch results into typed events.

Hostile or unexpected input never raises out of here: a message that does not
parse, or whose method is unknown, is counted and skipped. The work per message
is bounded whatever it holds (top viewers are not parsed, unknown fields are
counted in ordinary-size messages only, unknown methods in a capped table, a
sender's badges looked into only for the first MAX_BADGES), and text that is not
UTF-8 costs only the broken characters (U+FFFD), never the event.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
import logging
import re
from typing import Final, TypedDict

from google.protobuf.message import Message
from google.protobuf.unknown_fields import UnknownFieldSet

from .const import GIFT_TYPE_STREAKABLE
from .models import (
    CommentEvent,
    ControlAction,
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
    WebcastEvent,
    WebcastUser,
)
from .proto import webcast_pb2 as pb

_LOGGER = logging.getLogger(__name__)

MEMBER_ACTION_JOINED = 1
SOCIAL_ACTION_FOLLOW = 1
SOCIAL_ACTION_SHARE = 3

# ConnectionStats.unknown_methods keeps this many distinct names (each cut to
# MAX_METHOD_NAME characters); further names are counted under the overflow key.
MAX_UNKNOWN_METHODS: Final = 64
MAX_METHOD_NAME: Final = 64
UNKNOWN_METHODS_OVERFLOW: Final = "<other>"

# Counting unknown top-level fields (schema drift) must not cost more than the
# message: protobuf's UnknownFieldSet builds a Python object per unknown field
# (0.25-0.5 us each), so the 1.4 million of a hostile 4 MiB payload took over a
# second. Real TikTok messages are 1-4 KiB with 20-40 unknown fields: those are
# counted exactly; bigger payloads are not counted at all.
_COUNTED_UNKNOWN_BYTES: Final = 4096
# RoomUserSeqMessage.ranks (the top viewers): its view leaves it out, so
# protobuf keeps it as raw bytes instead of parsing 400,000 nested messages.
_RANKS: Final = frozenset({2})

# BadgeStruct.scene_type (BadgeSceneType) values that tell a sender's standing
# with the creator: ADMIN is a moderator of this creator, SUBSCRIBER a subscriber.
BADGE_SCENE_ADMIN: Final = 1
BADGE_SCENE_SUBSCRIBER: Final = 4
# Badges looked at per sender: real accounts show a handful, and a hostile list
# of a million costs no more than this many.
MAX_BADGES: Final = 16
# A raw BadgeStruct whose scene_type is ADMIN (1) or SUBSCRIBER (4), read at its
# head: protobuf writes fields in number order, so scene_type (3, a varint)
# follows at most display_type (1) and priority_type (2). One C call per badge
# instead of a parse (a nested field never matches: it is not at the head),
# bounded per badge, and a badge broken further on costs nothing.
_STANDING_BADGE: Final = re.compile(
    rb"(?:[\x08\x10][\x80-\xff]{0,9}[\x00-\x7f]){0,4}\x18([\x01\x04])"
)
_ADMIN_SCENE: Final = bytes([BADGE_SCENE_ADMIN])


class _Meta(TypedDict):
    """Fields every event takes from its wire message."""

    msg_id: int
    create_time: int
    is_history: bool


@dataclass(slots=True)
class ConnectionStats:
    """Counters of one connection, for diagnostics."""

    frames_received: int = 0
    messages_decoded: int = 0
    events_emitted: int = 0
    acks_sent: int = 0
    heartbeats_sent: int = 0
    # Heartbeats the push server sent back: a server that answers them is
    # never quiet for long on a healthy socket, however quiet the room.
    heartbeats_received: int = 0
    # At most MAX_UNKNOWN_METHODS names, then UNKNOWN_METHODS_OVERFLOW.
    unknown_methods: dict[str, int] = field(default_factory=dict)
    unknown_fields: int = 0
    malformed_frames: int = 0
    malformed_messages: int = 0
    bad_gzip: int = 0
    oversized_payloads: int = 0


def _utf8(raw: bytes) -> bytes:
    """``raw`` with every sequence that is not UTF-8 replaced by U+FFFD."""
    return raw.decode("utf-8", "replace").encode()


def user_from_proto(
    user: pb.UserView,
    is_moderator: bool | None = None,
    is_subscriber: bool | None = None,
    is_follower: bool | None = None,
) -> WebcastUser:
    """A sender as the events carry it, with what is known of their standing.

    Text arrives as bytes (see webcast.proto) and is decoded here and in the
    handlers with errors="replace", inline: a helper call per string would cost
    a measurable share of an event.
    """
    urls = user.avatar_thumb.url_list
    return WebcastUser(
        user.id,
        user.display_id.decode("utf-8", "replace"),
        user.nickname.decode("utf-8", "replace"),
        urls[0].decode("utf-8", "replace") if urls else None,
        is_moderator,
        is_subscriber,
        is_follower,
    )


def identified_user(
    user: pb.UserView, message: pb.ChatMessageView | pb.GiftMessageView
) -> WebcastUser:
    """The sender of a chat or gift message, standing from its UserIdentity.

    A UserIdentity that is there answers all three, False included; without
    one nothing is known (badges do not stand in for it: TikTok sends one).
    """
    if not message.HasField("user_identity"):
        return user_from_proto(user)
    identity = message.user_identity
    return user_from_proto(
        user,
        identity.is_moderator_of_anchor,
        identity.is_subscriber_of_anchor,
        identity.is_follower_of_anchor,
    )


def badged_user(user: pb.UserView, is_follower: bool | None = None) -> WebcastUser:
    """The sender of a message without UserIdentity: badges are evidence for, never against.

    A moderator or subscriber badge makes that flag True; no badge leaves it
    None (many clients and messages show no badges at all).
    """
    badges = user.badge_list
    if not badges:
        return user_from_proto(user, None, None, is_follower)
    moderator, subscriber = badge_standing(badges)
    return user_from_proto(user, moderator, subscriber, is_follower)


def badge_standing(badges: Sequence[bytes]) -> tuple[bool | None, bool | None]:
    """(moderator, subscriber) from the first MAX_BADGES raw BadgeStructs: True or None."""
    moderator: bool | None = None
    subscriber: bool | None = None
    match = _STANDING_BADGE.match
    for raw in badges[:MAX_BADGES]:
        if (found := match(raw)) is not None:
            if found[1] == _ADMIN_SCENE:
                moderator = True
            else:
                subscriber = True
    return moderator, subscriber


def gift_image_url(gift: pb.GiftView) -> str | None:
    """The gift's picture: the first URL of its image, else of its icon."""
    urls = gift.image.url_list
    if urls and urls[0]:
        return urls[0].decode("utf-8", "replace")
    urls = gift.icon.url_list
    if urls and urls[0]:
        return urls[0].decode("utf-8", "replace")
    return None


def _repaired_result(payload: bytes) -> pb.FetchResult | None:
    """The FetchResult in ``payload`` with its text made UTF-8; None if it is none.

    For a result that protobuf refused: one method name that is not UTF-8 must
    cost that message (its method is unknown now), not the whole frame.
    """
    view = pb.FetchResultView()
    try:
        view.ParseFromString(payload)
        for message in view.messages:
            message.method = _utf8(message.method)
        for param in view.route_params:
            param.key, param.value = _utf8(param.key), _utf8(param.value)
        view.cursor = _utf8(view.cursor)
        view.internal_ext = _utf8(view.internal_ext)
        view.push_server = _utf8(view.push_server)
        result = pb.FetchResult()
        result.ParseFromString(view.SerializeToString())
    except Exception:  # noqa: BLE001 - not a fetch result at all
        return None
    return result


class WebcastDecoder:
    """Turns FetchResults into events, counting whatever it has to skip."""

    def __init__(self, stats: ConnectionStats | None = None) -> None:
        """Count into ``stats`` (a fresh one by default)."""
        self.stats = stats or ConnectionStats()
        self._handlers: dict[str, Callable[[pb.WireMessage], WebcastEvent | None]] = {
            "WebcastGiftMessage": self._gift,
            "WebcastLikeMessage": self._like,
            "WebcastMemberMessage": self._member,
            "WebcastSocialMessage": self._social,
            "WebcastChatMessage": self._chat,
            "WebcastRoomUserSeqMessage": self._viewers,
            "WebcastControlMessage": self._control,
            "WebcastSubNotifyMessage": self._subscribe,
            "WebcastRoomMessage": self._room,
        }

    def parse_result(self, payload: bytes) -> pb.FetchResult | None:
        """Parse a FetchResult; None (counted) if it is not one.

        Text that is not UTF-8 (a method name, the cursor) is repaired with
        U+FFFD rather than losing every message of the result.
        """
        result = pb.FetchResult()
        try:
            result.ParseFromString(payload)
        except Exception:  # noqa: BLE001 - hostile bytes must never end the session
            repaired = _repaired_result(payload)
            if repaired is None:
                self.stats.malformed_frames += 1
                _LOGGER.debug(
                    "Dropped a payload that is not a fetch result (%d bytes)",
                    len(payload),
                )
                return None
            _LOGGER.debug("Repaired text that is not UTF-8 in a fetch result")
            result = repaired
        return result

    def decode(self, result: pb.FetchResult) -> list[WebcastEvent]:
        """The events of ``result``, in order (see events())."""
        return list(self.events(result))

    def decode_bytes(self, payload: bytes) -> list[WebcastEvent]:
        """The events of a serialized FetchResult; [] (counted) if it is not one."""
        result = self.parse_result(payload)
        return [] if result is None else self.decode(result)

    def events(self, result: pb.FetchResult) -> Iterator[WebcastEvent]:
        """One event per known, well-formed message, in order."""
        for message in result.messages:
            handler = self._handlers.get(message.method)
            if handler is None:
                self._count_unknown_method(message.method)
                continue
            try:
                event = handler(message)
            except Exception:  # noqa: BLE001 - DecodeError, or worse on hostile bytes
                self.stats.malformed_messages += 1
                _LOGGER.debug("Dropped a malformed %s", message.method)
                continue
            self.stats.messages_decoded += 1
            if event is not None:
                self.stats.events_emitted += 1
                yield event

    def _count_unknown_method(self, method: str) -> None:
        """Count a method we have no handler for, in a table of capped size."""
        unknown = self.stats.unknown_methods
        name = method[:MAX_METHOD_NAME]
        if name not in unknown and len(unknown) >= MAX_UNKNOWN_METHODS:
            name = UNKNOWN_METHODS_OVERFLOW
        unknown[name] = unknown.get(name, 0) + 1

    def _parse[M: Message](
        self, message: pb.WireMessage, into: M, omitted: frozenset[int] = frozenset()
    ) -> M:
        """``message``'s payload parsed into ``into`` (a view), unknown fields counted.

        ``omitted``: field numbers the view leaves out on purpose (not drift).
        """
        payload = message.payload
        into.ParseFromString(payload)
        # Counting unknown top-level fields shows when TikTok's schema drifts
        # from ours without costing a walk of every nested message; bounded as
        # explained at _COUNTED_UNKNOWN_BYTES.
        count = 0
        if len(payload) <= _COUNTED_UNKNOWN_BYTES:
            unknown = UnknownFieldSet(into)
            count = sum(
                1 for i in range(len(unknown)) if unknown[i].field_number not in omitted
            )
        self.stats.unknown_fields += count
        return into

    @staticmethod
    def _base(message: pb.WireMessage, common: pb.MessageCommonView) -> _Meta:
        return {
            "msg_id": message.msg_id or common.msg_id,
            "create_time": common.create_time,
            "is_history": message.is_history,
        }

    def _gift(self, message: pb.WireMessage) -> WebcastEvent:
        gift = self._parse(message, pb.GiftMessageView())
        struct = gift.gift
        return GiftEvent(
            **self._base(message, gift.common),
            user=identified_user(gift.user, gift),
            gift_id=struct.id or gift.gift_id,
            gift_name=struct.name.decode("utf-8", "replace"),
            diamond_count=struct.diamond_count,
            repeat_count=gift.repeat_count,
            repeat_end=gift.repeat_end == 1,
            streakable=struct.type == GIFT_TYPE_STREAKABLE,
            group_id=gift.group_id,
            image_url=gift_image_url(struct),
        )

    def _like(self, message: pb.WireMessage) -> WebcastEvent:
        like = self._parse(message, pb.LikeMessageView())
        return LikeEvent(
            **self._base(message, like.common),
            user=badged_user(like.user),
            count=like.count,
            total=like.total,
        )

    def _member(self, message: pb.WireMessage) -> WebcastEvent | None:
        member = self._parse(message, pb.MemberMessageView())
        if member.action != MEMBER_ACTION_JOINED:
            return None
        return JoinEvent(
            **self._base(message, member.common),
            user=badged_user(member.user),
            viewer_count=member.member_count,
        )

    def _social(self, message: pb.WireMessage) -> WebcastEvent | None:
        social = self._parse(message, pb.SocialMessageView())
        # TikTok marks the kind in the display text key (e.g.
        # "pm_main_follow_message_viewer_2"); the action field decides only
        # when the key names neither.
        # A follow makes its sender a follower of the creator; a share says
        # nothing about it.
        key = social.common.display_text.key  # bytes: no need to decode it
        if b"follow" in key:
            follow = True
        elif b"share" in key:
            follow = False
        elif social.action == SOCIAL_ACTION_FOLLOW:
            follow = True
        elif social.action == SOCIAL_ACTION_SHARE:
            follow = False
        else:
            return None
        base = self._base(message, social.common)
        if follow:
            return FollowEvent(**base, user=badged_user(social.user, True))
        return ShareEvent(**base, user=badged_user(social.user))

    def _chat(self, message: pb.WireMessage) -> WebcastEvent:
        chat = self._parse(message, pb.ChatMessageView())
        return CommentEvent(
            **self._base(message, chat.common),
            user=identified_user(chat.user, chat),
            text=chat.content.decode("utf-8", "replace"),
            language=chat.content_language.decode("utf-8", "replace"),
        )

    def _viewers(self, message: pb.WireMessage) -> WebcastEvent:
        # The view has no ranks field: the top viewers (nothing reads them)
        # stay raw bytes however many there are.
        seq = self._parse(message, pb.RoomUserSeqMessageView(), omitted=_RANKS)
        return ViewerCountEvent(
            **self._base(message, seq.common),
            viewers=seq.total,
            total_viewers=seq.total_user,
        )

    def _control(self, message: pb.WireMessage) -> WebcastEvent:
        control = self._parse(message, pb.ControlMessageView())
        base = self._base(message, control.common)
        match control.action:
            case ControlAction.ENDED | ControlAction.SUSPENDED:
                return LiveEndEvent(**base, action=control.action)
            case ControlAction.PAUSED:
                return LivePauseEvent(**base, action=control.action)
            case ControlAction.RESUMED:
                return LiveResumeEvent(**base, action=control.action)
            case _:
                return ControlEvent(**base, action=control.action)

    def _subscribe(self, message: pb.WireMessage) -> WebcastEvent:
        sub = self._parse(message, pb.SubNotifyMessageView())
        # Not a subscriber on the notice's word alone: it also announces gifted
        # subscriptions (whose sender may be the giver) and reminders, and its
        # message_type 0 (SUB_SUCCESS) reads the same as one left out. Only
        # a subscriber badge says so.
        return SubscribeEvent(
            **self._base(message, sub.common),
            user=badged_user(sub.user),
            sub_month=sub.sub_month,
        )

    def _room(self, message: pb.WireMessage) -> WebcastEvent:
        room = self._parse(message, pb.RoomMessageView())
        return RoomMessageEvent(
            **self._base(message, room.common),
            content=room.content.decode("utf-8", "replace"),
        )
