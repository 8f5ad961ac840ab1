"""Typed, immutable values that the client hands to its users."""

from __future__ import annotations

from dataclasses import dataclass
import enum


@dataclass(frozen=True, slots=True)
class WebcastUser:
    """A TikTok account as it appears in a LIVE event.

    ``is_moderator``, ``is_subscriber`` and ``is_follower`` say where the
    account stands with the creator whose stream this is. None means TikTok
    did not say: never read it as False. A chat or gift message carries the
    answer whole (True or False); other messages at most a moderator or
    subscriber badge (True when it is there, None when not), and a follow
    event makes its sender a follower.
    """

    user_id: int
    unique_id: str
    nickname: str
    avatar_url: str | None = None
    is_moderator: bool | None = None
    is_subscriber: bool | None = None
    is_follower: bool | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class WebcastEvent:
    """Base of every event a connection yields.

    ``msg_id`` is TikTok's id for the message (0 for events the client makes
    up itself, such as connect and disconnect); it is stable across
    reconnects, so consumers use it to drop replayed history.
    """

    msg_id: int = 0
    create_time: int = 0
    is_history: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class ConnectEvent(WebcastEvent):
    """The WebSocket is open and the room entered."""

    unique_id: str
    room_id: str


@dataclass(frozen=True, slots=True, kw_only=True)
class DisconnectEvent(WebcastEvent):
    """The connection ended; ``code`` is the WebSocket close code if one was seen."""

    code: int | None = None
    reason: str = ""


class ControlAction(enum.IntEnum):
    """Values of WebcastControlMessage.action."""

    UNKNOWN = 0
    PAUSED = 1
    RESUMED = 2
    ENDED = 3
    SUSPENDED = 4


@dataclass(frozen=True, slots=True, kw_only=True)
class ControlEvent(WebcastEvent):
    """A stream control message."""

    action: int


@dataclass(frozen=True, slots=True, kw_only=True)
class LiveEndEvent(ControlEvent):
    """The creator ended the stream (or TikTok suspended it)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class LivePauseEvent(ControlEvent):
    """The creator paused the stream."""


@dataclass(frozen=True, slots=True, kw_only=True)
class LiveResumeEvent(ControlEvent):
    """The creator resumed a paused stream."""


@dataclass(frozen=True, slots=True, kw_only=True)
class GiftEvent(WebcastEvent):
    """One gift message; streakable gifts arrive once per streak update.

    A consumer that wants each gift once counts it when ``streaking`` is False:
    the final message of a streak, or any message of a non-streakable gift.
    ``image_url`` is the gift's picture (None when TikTok sent none).
    """

    user: WebcastUser
    gift_id: int
    gift_name: str
    diamond_count: int
    repeat_count: int
    repeat_end: bool
    streakable: bool
    group_id: int = 0
    image_url: str | None = None

    @property
    def streaking(self) -> bool:
        """Whether more updates of this streak are still to come."""
        return self.streakable and not self.repeat_end

    @property
    def total_diamonds(self) -> int:
        """Diamonds of the whole (so far) streak: count times unit value."""
        return self.diamond_count * max(self.repeat_count, 1)


@dataclass(frozen=True, slots=True, kw_only=True)
class LikeEvent(WebcastEvent):
    """A batch of likes; ``total`` is the room's running total."""

    user: WebcastUser
    count: int
    total: int


@dataclass(frozen=True, slots=True, kw_only=True)
class JoinEvent(WebcastEvent):
    """A viewer entered the room."""

    user: WebcastUser
    viewer_count: int


@dataclass(frozen=True, slots=True, kw_only=True)
class FollowEvent(WebcastEvent):
    """A viewer followed the creator."""

    user: WebcastUser


@dataclass(frozen=True, slots=True, kw_only=True)
class ShareEvent(WebcastEvent):
    """A viewer shared the stream."""

    user: WebcastUser


@dataclass(frozen=True, slots=True, kw_only=True)
class CommentEvent(WebcastEvent):
    """A chat comment."""

    user: WebcastUser
    text: str
    language: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class SubscribeEvent(WebcastEvent):
    """A viewer subscribed (or renewed)."""

    user: WebcastUser
    sub_month: int


@dataclass(frozen=True, slots=True, kw_only=True)
class ViewerCountEvent(WebcastEvent):
    """The room's viewer count (WebcastRoomUserSeqMessage)."""

    viewers: int
    total_viewers: int


@dataclass(frozen=True, slots=True, kw_only=True)
class RoomMessageEvent(WebcastEvent):
    """A room-wide broadcast such as TikTok's welcome text."""

    content: str


@dataclass(frozen=True, slots=True)
class GiftInfo:
    """One gift of a room's gift list (TikTokLiveClient.fetch_gifts)."""

    gift_id: int
    name: str
    diamonds: int
    image_url: str | None
    # Streakable gifts (type 1) arrive as a streak of updates, then a final one.
    streakable: bool
