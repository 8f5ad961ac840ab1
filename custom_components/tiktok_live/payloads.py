"""Flat, documented event data built from the client's typed events.

Ids are strings: TikTok ids are 19-digit numbers that lose precision as
JavaScript numbers in the frontend and in templates rendered there.
"""

from __future__ import annotations

from typing import Any

from .webcast import (
    CommentEvent,
    FollowEvent,
    GiftEvent,
    JoinEvent,
    ShareEvent,
    SubscribeEvent,
    WebcastUser,
)


def user_data(user: WebcastUser) -> dict[str, Any]:
    """The sender of an event.

    Whether they moderate, subscribe to or follow the creator is there only
    when TikTok said so, either way: an absent key means "not told", never
    "no".
    """
    data: dict[str, Any] = {
        "user_id": str(user.user_id),
        "unique_id": user.unique_id,
        "nickname": user.nickname,
    }
    if user.is_moderator is not None:
        data["is_moderator"] = user.is_moderator
    if user.is_subscriber is not None:
        data["is_subscriber"] = user.is_subscriber
    if user.is_follower is not None:
        data["is_follower"] = user.is_follower
    return data


def gift_data(event: GiftEvent) -> dict[str, Any]:
    """A gift, or a streak update when ``streaking`` is true."""
    count = max(event.repeat_count, 1)
    data: dict[str, Any] = {
        "gift_id": event.gift_id,
        "gift_name": event.gift_name,
        "diamonds": event.diamond_count,
        "count": count,
        "total_diamonds": event.diamond_count * count,
        "streakable": event.streakable,
        "streaking": event.streaking,
        **user_data(event.user),
    }
    if event.image_url:
        data["gift_image_url"] = event.image_url
    return data


def comment_data(event: CommentEvent) -> dict[str, Any]:
    """A chat comment."""
    return {"text": event.text, "language": event.language, **user_data(event.user)}


def join_data(event: JoinEvent) -> dict[str, Any]:
    """A viewer entering the room."""
    return {"viewer_count": event.viewer_count, **user_data(event.user)}


def subscribe_data(event: SubscribeEvent) -> dict[str, Any]:
    """A subscription."""
    return {"sub_month": event.sub_month, **user_data(event.user)}


def social_data(event: FollowEvent | ShareEvent) -> dict[str, Any]:
    """A follow or a share."""
    return user_data(event.user)
