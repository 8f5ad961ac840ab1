"""Decoding of webcast fetch results into typed events.

Hostile or unexpected input never raises out of here: a message that does not
parse, or whose method is unknown, is counted and skipped.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
import logging
from typing import TypedDict

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
    TopViewer,
    ViewerCountEvent,
    WebcastEvent,
    WebcastUser,
)
from .proto import webcast_pb2 as pb

_LOGGER = logging.getLogger(__name__)

MEMBER_ACTION_JOINED = 1
SOCIAL_ACTION_FOLLOW = 1
SOCIAL_ACTION_SHARE = 3


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
    unknown_methods: dict[str, int] = field(default_factory=dict)
    unknown_fields: int = 0
    malformed_frames: int = 0
    malformed_messages: int = 0
    bad_gzip: int = 0
    oversized_payloads: int = 0


def user_from_proto(user: pb.User) -> WebcastUser:
    """A sender as the events carry it."""
    avatar = user.avatar_thumb.url_list[0] if user.avatar_thumb.url_list else None
    return WebcastUser(
        user_id=user.id,
        unique_id=user.display_id,
        nickname=user.nickname,
        avatar_url=avatar,
    )


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
        """Parse a FetchResult; None (counted) if it is not one."""
        result = pb.FetchResult()
        try:
            result.ParseFromString(payload)
        except Exception:  # noqa: BLE001 - hostile bytes must never end the session
            self.stats.malformed_frames += 1
            _LOGGER.debug(
                "Dropped a payload that is not a fetch result (%d bytes)", len(payload)
            )
            return None
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
                unknown = self.stats.unknown_methods
                unknown[message.method] = unknown.get(message.method, 0) + 1
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

    def _parse[M: Message](self, message: pb.WireMessage, into: M) -> M:
        into.ParseFromString(message.payload)
        # Counting unknown top-level fields shows when TikTok's schema drifts
        # from ours without costing a walk of every nested message.
        self.stats.unknown_fields += len(UnknownFieldSet(into))
        return into

    @staticmethod
    def _base(message: pb.WireMessage, common: pb.MessageCommon) -> _Meta:
        return {
            "msg_id": message.msg_id or common.msg_id,
            "create_time": common.create_time,
            "is_history": message.is_history,
        }

    def _gift(self, message: pb.WireMessage) -> WebcastEvent:
        gift = self._parse(message, pb.GiftMessage())
        return GiftEvent(
            **self._base(message, gift.common),
            user=user_from_proto(gift.user),
            gift_id=gift.gift.id or gift.gift_id,
            gift_name=gift.gift.name,
            diamond_count=gift.gift.diamond_count,
            repeat_count=gift.repeat_count,
            repeat_end=gift.repeat_end == 1,
            streakable=gift.gift.type == GIFT_TYPE_STREAKABLE,
            group_id=gift.group_id,
        )

    def _like(self, message: pb.WireMessage) -> WebcastEvent:
        like = self._parse(message, pb.LikeMessage())
        return LikeEvent(
            **self._base(message, like.common),
            user=user_from_proto(like.user),
            count=like.count,
            total=like.total,
        )

    def _member(self, message: pb.WireMessage) -> WebcastEvent | None:
        member = self._parse(message, pb.MemberMessage())
        if member.action != MEMBER_ACTION_JOINED:
            return None
        return JoinEvent(
            **self._base(message, member.common),
            user=user_from_proto(member.user),
            viewer_count=member.member_count,
        )

    def _social(self, message: pb.WireMessage) -> WebcastEvent | None:
        social = self._parse(message, pb.SocialMessage())
        # TikTok marks the kind in the display text key (e.g.
        # "pm_main_follow_message_viewer_2"); the action field decides only
        # when the key names neither.
        key = social.common.display_text.key
        base = self._base(message, social.common)
        user = user_from_proto(social.user)
        if "follow" in key:
            return FollowEvent(**base, user=user)
        if "share" in key:
            return ShareEvent(**base, user=user)
        if social.action == SOCIAL_ACTION_FOLLOW:
            return FollowEvent(**base, user=user)
        if social.action == SOCIAL_ACTION_SHARE:
            return ShareEvent(**base, user=user)
        return None

    def _chat(self, message: pb.WireMessage) -> WebcastEvent:
        chat = self._parse(message, pb.ChatMessage())
        return CommentEvent(
            **self._base(message, chat.common),
            user=user_from_proto(chat.user),
            text=chat.content,
            language=chat.content_language,
        )

    def _viewers(self, message: pb.WireMessage) -> WebcastEvent:
        seq = self._parse(message, pb.RoomUserSeqMessage())
        return ViewerCountEvent(
            **self._base(message, seq.common),
            viewers=seq.total,
            total_viewers=seq.total_user,
            top_viewers=tuple(
                TopViewer(
                    user=user_from_proto(rank.user), score=rank.score, rank=rank.rank
                )
                for rank in seq.ranks
            ),
        )

    def _control(self, message: pb.WireMessage) -> WebcastEvent:
        control = self._parse(message, pb.ControlMessage())
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
        sub = self._parse(message, pb.SubNotifyMessage())
        return SubscribeEvent(
            **self._base(message, sub.common),
            user=user_from_proto(sub.user),
            sub_month=sub.sub_month,
        )

    def _room(self, message: pb.WireMessage) -> WebcastEvent:
        room = self._parse(message, pb.RoomMessage())
        return RoomMessageEvent(
            **self._base(message, room.common),
            content=room.content,
        )
