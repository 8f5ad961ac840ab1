"""Builders of the wire messages the fake TikTok pushes.

A sender is a plain ``pb.User`` (no standing with the creator: chat and gift
messages then carry no UserIdentity) or a ``Viewer`` from ``viewer()``, which
says whether they moderate, subscribe to and follow the creator::

    mia = messages.viewer(7002, "mod_mia", "Mia", moderator=True, follower=True)
    messages.comment(mia, "hi")  # UserIdentity 5 and 4 set, 2 clear; ADMIN badge
    messages.like(mia, 5)        # no UserIdentity in likes: the ADMIN badge only
    messages.gift(mia, "Rose", image=True)  # with the gift's picture
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
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


# BadgeStruct.scene_type (BadgeSceneType) values.
BADGE_ADMIN = 1
BADGE_SUBSCRIBER = 4
BADGE_USER_GRADE = 8
BADGE_FANS = 10


def gift_diamonds(name: str) -> int:
    """Diamonds of one gift of this name (1 for names the table lacks)."""
    return GIFTS.get(name, (9999, 1, False))[1]


def gift_image_url(gift_id: int) -> str:
    """The picture of a gift (Gift.image), as the fake's gift lists give it too."""
    return f"https://p16.example/gift/{gift_id}.webp"


def gift_icon_url(gift_id: int) -> str:
    """The small icon of a gift (Gift.icon)."""
    return f"https://p16.example/gift/{gift_id}-icon.webp"


def next_msg_id() -> int:
    """A fresh message id."""
    return next(_MSG_IDS)


def user(
    user_id: int, unique_id: str, nickname: str, *, badges: Iterable[int] = ()
) -> pb.User:
    """A viewer; ``badges`` are the scene types of their badges (BADGE_*)."""
    return pb.User(
        id=user_id,
        display_id=unique_id,
        nickname=nickname,
        avatar_thumb=pb.Image(url_list=[f"https://p16.example/{unique_id}.webp"]),
        badge_list=[
            pb.BadgeStruct(display_type=1, priority_type=1, scene_type=scene)
            for scene in badges
        ],
    )


@dataclass(frozen=True)
class Viewer:
    """A viewer and where they stand with the creator.

    Chat and gift messages of a Viewer carry a UserIdentity (unless
    ``identity`` is False) answering all three flags; ``user`` shows an ADMIN
    badge for a moderator and a SUBSCRIBER badge for a subscriber (unless
    ``badges`` is False), the only hint other messages carry. Following has no
    badge.
    """

    user: pb.User
    moderator: bool = False
    subscriber: bool = False
    follower: bool = False
    identity: bool = True
    badges: bool = True

    @property
    def user_id(self) -> int:
        """The viewer's numeric id."""
        return self.user.id

    @property
    def unique_id(self) -> str:
        """The viewer's @handle."""
        return self.user.display_id

    def user_identity(self) -> pb.UserIdentity | None:
        """What a chat or gift message of this viewer says about them."""
        if not self.identity:
            return None
        return pb.UserIdentity(
            is_moderator_of_anchor=self.moderator,
            is_subscriber_of_anchor=self.subscriber,
            is_follower_of_anchor=self.follower,
        )


type Sender = pb.User | Viewer


def viewer(
    user_id: int,
    unique_id: str,
    nickname: str,
    *,
    moderator: bool = False,
    subscriber: bool = False,
    follower: bool = False,
    identity: bool = True,
    badges: bool = True,
    other_badges: Iterable[int] = (BADGE_USER_GRADE,),
) -> Viewer:
    """A viewer with a standing: moderator, subscriber and follower of the creator.

    ``identity`` False: their chat and gift messages carry no UserIdentity.
    ``badges`` False: no ADMIN / SUBSCRIBER badge shows what they are.
    ``other_badges`` come first, as TikTok lists a level badge before the rest.
    """
    scenes = list(other_badges)
    if badges and moderator:
        scenes.append(BADGE_ADMIN)
    if badges and subscriber:
        scenes.append(BADGE_SUBSCRIBER)
    return Viewer(
        user(user_id, unique_id, nickname, badges=scenes),
        moderator=moderator,
        subscriber=subscriber,
        follower=follower,
        identity=identity,
        badges=badges,
    )


def _sender(sender: Sender) -> tuple[pb.User, pb.UserIdentity | None]:
    """The User of a sender, and the UserIdentity its chat and gifts carry."""
    if isinstance(sender, Viewer):
        return sender.user, sender.user_identity()
    return sender, None


def _url(value: bool | str, default: str) -> str | None:
    if value is True:
        return default
    return value or None


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
    sender: Sender,
    name: str = "Rose",
    diamonds: int | None = None,
    *,
    repeat_count: int = 1,
    repeat_end: bool = True,
    streakable: bool | None = None,
    gift_id: int | None = None,
    msg_id: int | None = None,
    image: bool | str = False,
    icon: bool | str = False,
) -> pb.WireMessage:
    """A gift message; streak updates have ``repeat_end=False``.

    ``image`` / ``icon``: True gives the gift its picture (gift_image_url) /
    icon (gift_icon_url), a string that URL; False leaves it out.
    """
    known_id, known_diamonds, known_streakable = GIFTS.get(name, (9999, 1, False))
    the_id = gift_id or known_id
    sent_by, identity = _sender(sender)
    image_url = _url(image, gift_image_url(the_id))
    icon_url = _url(icon, gift_icon_url(the_id))
    return wire(
        "WebcastGiftMessage",
        pb.GiftMessage(
            common=pb.MessageCommon(),
            gift_id=the_id,
            repeat_count=repeat_count,
            repeat_end=1 if repeat_end else 0,
            user=sent_by,
            group_id=1,
            gift=pb.Gift(
                id=the_id,
                name=name,
                diamond_count=known_diamonds if diamonds is None else diamonds,
                type=1
                if (known_streakable if streakable is None else streakable)
                else 2,
                image=pb.Image(url_list=[image_url]) if image_url else None,
                icon=pb.Image(url_list=[icon_url]) if icon_url else None,
            ),
            user_identity=identity,
        ),
        msg_id=msg_id,
    )


def gift_streak(
    sender: Sender, name: str, count: int, *, image: bool | str = False
) -> list[pb.WireMessage]:
    """A streak as TikTok sends it: one update per tap, then the final message."""
    updates = [
        gift(sender, name, repeat_count=step, repeat_end=False, image=image)
        for step in range(1, count + 1)
    ]
    return [
        *updates,
        gift(sender, name, repeat_count=count, repeat_end=True, image=image),
    ]


def like(sender: Sender, count: int, total: int = 0) -> pb.WireMessage:
    """A batch of likes (no UserIdentity: only the sender's badges)."""
    return wire(
        "WebcastLikeMessage",
        pb.LikeMessage(
            common=pb.MessageCommon(), count=count, total=total, user=_sender(sender)[0]
        ),
    )


def join(sender: Sender, viewer_count: int = 0, action: int = 1) -> pb.WireMessage:
    """A viewer entering the room (MemberMessage action 1)."""
    return wire(
        "WebcastMemberMessage",
        pb.MemberMessage(
            common=pb.MessageCommon(),
            user=_sender(sender)[0],
            member_count=viewer_count,
            action=action,
        ),
    )


def social(sender: Sender, key: str, action: int) -> pb.WireMessage:
    """A SocialMessage with this display text key and action."""
    return wire(
        "WebcastSocialMessage",
        pb.SocialMessage(
            common=pb.MessageCommon(display_text=pb.Text(key=key)),
            user=_sender(sender)[0],
            action=action,
        ),
    )


def follow(sender: Sender) -> pb.WireMessage:
    """A follow, marked as TikTok marks it."""
    return social(sender, "pm_main_follow_message_viewer_2", 1)


def share(sender: Sender) -> pb.WireMessage:
    """A share, marked as TikTok marks it."""
    return social(sender, "pm_mt_guidance_share", 3)


def comment(sender: Sender, text: str) -> pb.WireMessage:
    """A chat comment (with the UserIdentity of a Viewer)."""
    sent_by, identity = _sender(sender)
    return wire(
        "WebcastChatMessage",
        pb.ChatMessage(
            common=pb.MessageCommon(),
            user=sent_by,
            content=text,
            content_language="en",
            user_identity=identity,
        ),
    )


def subscribe(sender: Sender, months: int = 1) -> pb.WireMessage:
    """A subscription (no UserIdentity: only the sender's badges)."""
    return wire(
        "WebcastSubNotifyMessage",
        pb.SubNotifyMessage(
            common=pb.MessageCommon(), user=_sender(sender)[0], sub_month=months
        ),
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
