"""The logbook tells the stream in words: who sent what, who followed, which goal was reached.

Only events that reach the bus (the event types chosen in the options) are
recorded, so only those appear. Each entry names the creator and lands on the
creator's device page, as the event carries its device_id. Simulated events
say so.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Final

from homeassistant.components.logbook.const import (
    LOGBOOK_ENTRY_MESSAGE,
    LOGBOOK_ENTRY_NAME,
)
from homeassistant.core import Event, HomeAssistant, callback

from .const import DOMAIN, EVENT_TIKTOK_LIVE, EventType

# A comment is told whole up to this length; the logbook is no chat archive.
MAX_TEXT: Final = 200

GOAL_NAMES: Final = {
    "likes": "Like goal",
    "diamonds": "Diamond goal",
    "followers": "Follower goal",
}


def _number(value: Any) -> str:
    try:
        return f"{int(value):,}"
    except (TypeError, ValueError):
        return "?"


def _plural(value: Any, word: str) -> str:
    return f"{_number(value)} {word}{'' if value == 1 else 's'}"


def _viewer(data: Mapping[str, Any]) -> str:
    """The sender as the stream shows them: nickname, else @handle."""
    return str(data.get("nickname") or _handle(data))


def _handle(data: Mapping[str, Any]) -> str:
    unique_id = data.get("unique_id")
    return f"@{unique_id}" if unique_id else "A viewer"


def _text(value: Any) -> str:
    text = " ".join(str(value or "").split())
    return text if len(text) <= MAX_TEXT else f"{text[: MAX_TEXT - 1]}…"


def _goal(data: Mapping[str, Any]) -> str:
    name = GOAL_NAMES.get(str(data.get("goal")), "Goal")
    return f"{name} reached ({_number(data.get('target'))})"


MESSAGES: Final[dict[str, Callable[[Mapping[str, Any]], str]]] = {
    EventType.GIFT: lambda d: (
        # The multiplication sign, as TikTok's own gift banners show a count.
        f"{_viewer(d)} sent {_number(d.get('count'))} × "  # noqa: RUF001
        f"{d.get('gift_name') or 'a gift'}"
        f" ({_plural(d.get('total_diamonds'), 'diamond')})"
    ),
    EventType.GIFT_STREAK: lambda d: (
        f"{_viewer(d)} is sending {d.get('gift_name') or 'a gift'}"
        f" × {_number(d.get('count'))}"  # noqa: RUF001
    ),
    EventType.FOLLOW: lambda d: f"{_handle(d)} followed",
    EventType.SHARE: lambda d: f"{_handle(d)} shared the stream",
    EventType.LIKE: lambda d: (
        f"{_viewer(d)} sent {_plural(d.get('count'), 'like')}"
        f" ({_number(d.get('total'))} in this stream)"
    ),
    EventType.LIKE_MILESTONE: lambda d: f"Likes passed {_number(d.get('milestone'))}",
    EventType.COMMENT: lambda d: f"{_viewer(d)}: {_text(d.get('text'))}",
    EventType.JOIN: lambda d: f"{_viewer(d)} joined",
    EventType.SUBSCRIBE: lambda d: f"{_viewer(d)} subscribed",
    EventType.STREAM_STARTED: lambda d: (
        f"Stream started: {_text(d['title'])}" if d.get("title") else "Stream started"
    ),
    EventType.STREAM_ENDED: lambda d: (
        f"Stream ended: {_plural(d.get('diamonds'), 'diamond')},"
        f" {_plural(d.get('likes'), 'like')},"
        f" {_plural(d.get('new_followers'), 'new follower')}"
    ),
    EventType.STREAM_PAUSED: lambda d: "Stream paused",
    EventType.STREAM_RESUMED: lambda d: "Stream resumed",
    EventType.GOAL_REACHED: _goal,
}


def describe(data: Mapping[str, Any]) -> dict[str, str]:
    """The logbook entry of one tiktok_live_event's data."""
    told = MESSAGES.get(str(data.get("type")))
    message = told(data) if told else f"{data.get('type')} event"
    if data.get("simulated"):
        message = f"{message} (simulated)"
    return {
        LOGBOOK_ENTRY_NAME: str(data.get("creator") or "TikTok LIVE"),
        LOGBOOK_ENTRY_MESSAGE: message,
    }


@callback
def async_describe_events(
    hass: HomeAssistant,
    async_describe_event: Callable[[str, str, Callable[[Event], dict[str, str]]], None],
) -> None:
    """Describe tiktok_live_event for the logbook."""

    @callback
    def async_describe_tiktok_live_event(event: Event) -> dict[str, str]:
        return describe(event.data)

    async_describe_event(DOMAIN, EVENT_TIKTOK_LIVE, async_describe_tiktok_live_event)
