"""Builders of the wire messages the fake TikTok pushes."""

from __future__ import annotations

import itertools
import time

from google.protobuf.message import Message

from custom_components.tiktok_live.webcast.proto import webcast_pb2 as pb

# Message ids look like TikTok's: large, unique, increasing.
_MSG_IDS = itertools.count(7_300_000_000_000_000_001)

GIFTS: dict[str, tuple[int, int, bool]] = {
    # name: (gift id, diamonds, streakable)
    "Rose": (5655, 1, True),
    "TikTok": (5269, 1, True),
    "Finger Heart": (5487, 5, True),
    "Doughnut": (5879, 30, True),
    "Galaxy": (11046, 1000, False),
    "Lion": (6369, 29999, False),
}


def gift_diamonds(name: str) -> int:
    """Diamonds of one gift of this name (1 for names the table lacks)."""
    return GIFTS.get(name, (9999, 1, False))[1]


def next_msg_id() -> int:
    """A fresh message id."""
    return next(_MSG_IDS)


def user(user_id: int, unique_id: str, nickname: str) -> pb.User:
    """A viewer."""
    return pb.User(
        id=user_id,
        display_id=unique_id,
        nickname=nickname,
        avatar_thumb=pb.Image(url_list=[f"https://p16.example/{unique_id}.webp"]),
    )


def wire(
    method: str,
    message: Message,
    *,
    msg_id: int | None = None,
    is_history: bool = False,
) -> pb.WireMessage:
    """Wrap a typed message the way a FetchResult carries it."""
    msg_id = msg_id or next_msg_id()
    common = getattr(message, "common", None)
    if common is not None:
        common.method = method
        common.msg_id = msg_id
        common.create_time = int(time.time() * 1000)
    return pb.WireMessage(
        method=method,
        payload=message.SerializeToString(),
        msg_id=msg_id,
        is_history=is_history,
    )


def gift(
    sender: pb.User,
    name: str = "Rose",
    diamonds: int | None = None,
    *,
    repeat_count: int = 1,
    repeat_end: bool = True,
    streakable: bool | None = None,
    gift_id: int | None = None,
    msg_id: int | None = None,
) -> pb.WireMessage:
    """A gift message; streak updates have ``repeat_end=False``."""
    known_id, known_diamonds, known_streakable = GIFTS.get(name, (9999, 1, False))
    return wire(
        "WebcastGiftMessage",
        pb.GiftMessage(
            common=pb.MessageCommon(),
            gift_id=gift_id or known_id,
            repeat_count=repeat_count,
            repeat_end=1 if repeat_end else 0,
            user=sender,
            group_id=1,
            gift=pb.Gift(
                id=gift_id or known_id,
                name=name,
                diamond_count=known_diamonds if diamonds is None else diamonds,
                type=1
                if (known_streakable if streakable is None else streakable)
                else 2,
            ),
        ),
        msg_id=msg_id,
    )


def gift_streak(sender: pb.User, name: str, count: int) -> list[pb.WireMessage]:
    """A streak as TikTok sends it: one update per tap, then the final message."""
    updates = [
        gift(sender, name, repeat_count=step, repeat_end=False)
        for step in range(1, count + 1)
    ]
    return [*updates, gift(sender, name, repeat_count=count, repeat_end=True)]


def like(sender: pb.User, count: int, total: int = 0) -> pb.WireMessage:
    """A batch of likes."""
    return wire(
        "WebcastLikeMessage",
        pb.LikeMessage(
            common=pb.MessageCommon(), count=count, total=total, user=sender
        ),
    )


def join(sender: pb.User, viewer_count: int = 0, action: int = 1) -> pb.WireMessage:
    """A viewer entering the room (MemberMessage action 1)."""
    return wire(
        "WebcastMemberMessage",
        pb.MemberMessage(
            common=pb.MessageCommon(),
            user=sender,
            member_count=viewer_count,
            action=action,
        ),
    )


def social(sender: pb.User, key: str, action: int) -> pb.WireMessage:
    """A SocialMessage with this display text key and action."""
    return wire(
        "WebcastSocialMessage",
        pb.SocialMessage(
            common=pb.MessageCommon(display_text=pb.Text(key=key)),
            user=sender,
            action=action,
        ),
    )


def follow(sender: pb.User) -> pb.WireMessage:
    """A follow, marked as TikTok marks it."""
    return social(sender, "pm_main_follow_message_viewer_2", 1)


def share(sender: pb.User) -> pb.WireMessage:
    """A share, marked as TikTok marks it."""
    return social(sender, "pm_mt_guidance_share", 3)


def comment(sender: pb.User, text: str) -> pb.WireMessage:
    """A chat comment."""
    return wire(
        "WebcastChatMessage",
        pb.ChatMessage(
            common=pb.MessageCommon(), user=sender, content=text, content_language="en"
        ),
    )


def subscribe(sender: pb.User, months: int = 1) -> pb.WireMessage:
    """A subscription."""
    return wire(
        "WebcastSubNotifyMessage",
        pb.SubNotifyMessage(common=pb.MessageCommon(), user=sender, sub_month=months),
    )


def viewers(
    count: int,
    total: int | None = None,
    top: list[tuple[pb.User, int]] | None = None,
) -> pb.WireMessage:
    """The room's viewer count, with the top viewers as (user, score), best first."""
    return wire(
        "WebcastRoomUserSeqMessage",
        pb.RoomUserSeqMessage(
            common=pb.MessageCommon(),
            ranks=[
                pb.Contributor(user=user, score=score, rank=rank)
                for rank, (user, score) in enumerate(top or [], start=1)
            ],
            total=count,
            total_user=count if total is None else total,
        ),
    )


def crowded_viewers(count: int, ranks: int) -> pb.WireMessage:
    """A hostile viewer count: ``ranks`` top-viewer entries of 10 bytes each, no user.

    (4 MiB - 1 KiB) // 10 ranks make the biggest message a connection accepts.
    """
    message = viewers(count)
    entry = pb.Contributor(score=1_000_000, rank=1_000_000).SerializeToString()
    message.payload += (b"\x12" + bytes([len(entry)]) + entry) * ranks
    return message


def control(action: int) -> pb.WireMessage:
    """A stream control message: 1 paused, 2 resumed, 3 ended, 4 suspended."""
    return wire(
        "WebcastControlMessage",
        pb.ControlMessage(common=pb.MessageCommon(), action=action),
    )


def room_message(text: str) -> pb.WireMessage:
    """A room-wide broadcast."""
    return wire(
        "WebcastRoomMessage", pb.RoomMessage(common=pb.MessageCommon(), content=text)
    )


def history(message: pb.WireMessage) -> pb.WireMessage:
    """The same message marked as replayed history."""
    copy = pb.WireMessage()
    copy.CopyFrom(message)
    copy.is_history = True
    return copy


def unknown(method: str = "WebcastPollMessage") -> pb.WireMessage:
    """A message type the client does not know."""
    return pb.WireMessage(method=method, payload=b"\x08\x01", msg_id=next_msg_id())
