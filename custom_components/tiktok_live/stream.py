"""One creator's stream as Home Assistant sees it: events in; state, statistics and events out.

The stream model knows nothing about sockets or retries. The supervisor tells
it what TikTok's checks said and hands it every event of the connection; it
keeps the stream's statistics, drops messages it has seen before (also across
restarts), coalesces likes, and hands out the events automations get.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
import time
from typing import Any, Final

from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers.event import async_call_later
from homeassistant.util import dt as dt_util

from .const import LIKE_COALESCE_INTERVAL, EventType
from .goals import GoalKind, Goals
from .payloads import (
    comment_data,
    gift_data,
    join_data,
    social_data,
    subscribe_data,
    user_data,
)
from .stream_stats import StreamStatistics
from .webcast import (
    CommentEvent,
    ConnectEvent,
    Creator,
    FollowEvent,
    GiftEvent,
    JoinEvent,
    LikeEvent,
    LiveEndEvent,
    LivePauseEvent,
    LiveResumeEvent,
    RoomInfo,
    ShareEvent,
    SubscribeEvent,
    ViewerCountEvent,
    WebcastEvent,
    WebcastUser,
)

# Message ids are remembered at least this long (a reconnect replays recent
# history, and a busy stream sends thousands of messages in between) ...
DEDUP_HORIZON: Final = 15 * 60.0
# ... and at most this many at once, whatever the rate (about 8 MB).
DEDUP_MAX_IDS: Final = 100_000
# Ids kept across a restart or reload: a reconnect replays the newest only.
DEDUP_PERSISTED: Final = 5_000
# Ids in the periodic save while streaming (a crash loses less than a stop).
DEDUP_PERSISTED_PERIODIC: Final = 500

type FireCallback = Callable[[EventType, dict[str, Any], bool], None]


class RecentIds:
    """TikTok message ids seen lately, to drop history replayed on reconnect."""

    def __init__(
        self,
        *,
        horizon: float = DEDUP_HORIZON,
        max_ids: int = DEDUP_MAX_IDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """Remember ids for ``horizon`` seconds, at most ``max_ids`` of them."""
        self._horizon = horizon
        self._max_ids = max_ids
        self._clock = clock
        self._ids: set[int] = set()
        self._order: deque[tuple[float, int]] = deque()

    def __len__(self) -> int:
        """How many ids are remembered."""
        return len(self._ids)

    def seen(self, msg_id: int) -> bool:
        """Whether ``msg_id`` came before; remembers it if not."""
        if msg_id in self._ids:
            return True
        now = self._clock()
        self._ids.add(msg_id)
        self._order.append((now, msg_id))
        order, ids = self._order, self._ids
        while len(ids) > self._max_ids or order[0][0] < now - self._horizon:
            ids.discard(order.popleft()[1])
        return False

    def newest(self, count: int) -> list[int]:
        """The ``count`` most recent ids, oldest first."""
        start = max(len(self._order) - count, 0)
        return [msg_id for _, msg_id in list(self._order)[start:]]

    def restore(self, ids: list[Any]) -> None:
        """Remember ids from storage (they count as seen just now)."""
        for msg_id in ids:
            if isinstance(msg_id, int) and not isinstance(msg_id, bool):
                self.seen(msg_id)


@dataclass(slots=True)
class StreamOptions:
    """What the user chose about how events are handed out."""

    # Whether the steps of a gift streak are fired (not only its end).
    gift_streak_updates: bool
    like_milestone: int


class StreamModel:
    """State, statistics and events of one creator's stream."""

    def __init__(
        self,
        hass: HomeAssistant,
        *,
        options: Callable[[], StreamOptions],
        fire: FireCallback,
        changed: Callable[[], None],
    ) -> None:
        """Hand events to ``fire`` and state changes to ``changed``."""
        self._hass = hass
        self._options = options
        self._fire = fire
        self._changed = changed
        # None until the first check: unknown, not "offline".
        self.is_live: bool | None = None
        self.paused = False
        self.stats = StreamStatistics()
        self.goals = Goals()
        self.recent = RecentIds()
        self._like_timer: CALLBACK_TYPE | None = None
        self._pending_likes = 0
        self._pending_likers: set[int] = set()
        self._pending_like_user: WebcastUser | None = None
        self._pending_like_simulated = False
        # Set when something worth saving changed since the last save.
        self.dirty = False

    # ------------------------------------------------------- from the checks

    def creator_live(self, creator: Creator) -> None:
        """A check says the creator streams (in ``creator.room_id``, when known)."""
        if creator.room_id is not None and creator.room_id != self.stats.room_id:
            self._start_stream(creator.room_id, creator.title, creator.started_at)
            if creator.viewers is not None:
                self.stats.set_viewers(creator.viewers)
        elif creator.title and creator.title != self.stats.title:
            self.stats.title = creator.title
        self.paused = creator.paused
        self.is_live = True
        self._changed()

    def creator_offline(self) -> None:
        """The creator does not stream (confirmed): end the stream if one was on."""
        if self.is_live:
            self._end_stream()
        self.is_live = False
        self.paused = False
        self._changed()

    def room_info(self, info: RoomInfo | None) -> None:
        """Room info of the stream: title, start and viewers fill in what is missing."""
        if info is None or info.room_id != self.stats.room_id:
            return
        stats = self.stats
        if info.title:
            stats.title = info.title
        if info.started_at is not None:
            stats.started_at = info.started_at
        if stats.viewers is None and info.viewers is not None:
            stats.set_viewers(info.viewers)
        self._changed()

    # ------------------------------------------------------ from the stream

    @callback
    def handle(self, event: WebcastEvent, *, simulated: bool = False) -> bool:
        """Take one event of the connection; False when it was a replay.

        Simulated events run through the same path without touching the
        statistics.
        """
        if (
            not simulated
            and event.msg_id
            and not isinstance(event, ViewerCountEvent)
            and self.recent.seen(event.msg_id)
        ):
            return False
        stats = self.stats
        count_it = not simulated
        match event:
            case ConnectEvent():
                self._connected(event.room_id)
                return True
            case LiveEndEvent():
                self.creator_offline()
            case LivePauseEvent():
                self.paused = True
                self._fire(
                    EventType.STREAM_PAUSED, {"room_id": stats.room_id}, simulated
                )
                self._changed()
            case LiveResumeEvent():
                self.paused = False
                self._fire(
                    EventType.STREAM_RESUMED, {"room_id": stats.room_id}, simulated
                )
                self._changed()
            case GiftEvent():
                self._gift(event, simulated)
            case LikeEvent():
                self._like(event, simulated)
            case FollowEvent():
                if count_it:
                    stats.new_followers += 1
                    self._check_goals()
                    self._changed()
                self._fire(EventType.FOLLOW, self._sent(social_data(event)), simulated)
            case ShareEvent():
                if count_it:
                    stats.shares += 1
                    self._changed()
                self._fire(EventType.SHARE, self._sent(social_data(event)), simulated)
            case CommentEvent():
                if count_it:
                    stats.comments += 1
                    self._changed()
                self._fire(
                    EventType.COMMENT, self._sent(comment_data(event)), simulated
                )
            case JoinEvent():
                self._fire(EventType.JOIN, join_data(event), simulated)
            case SubscribeEvent():
                if count_it:
                    stats.subscribers += 1
                    self._changed()
                self._fire(
                    EventType.SUBSCRIBE, self._sent(subscribe_data(event)), simulated
                )
            case ViewerCountEvent():
                if count_it:
                    stats.set_viewers(event.viewers)
                    self._changed()
            case _:
                return True
        if count_it:
            self.dirty = True
        return True

    def _sent(self, data: dict[str, Any]) -> dict[str, Any]:
        """Event data with the sender's place among this stream's top gifters, if any."""
        if (rank := self.stats.gifter_rank(data["user_id"])) is not None:
            data["top_gifter_rank"] = rank
        return data

    def _check_goals(self) -> None:
        """Fire goal_reached for each goal the stream's counters just reached."""
        for reached in self.goals.check(self.stats):
            self._fire(EventType.GOAL_REACHED, reached.as_event_data(), False)

    def set_goal(self, kind: GoalKind, target: int) -> None:
        """The user set a goal: a new target, reached at once if already passed."""
        self.goals.set_target(kind, target)
        if self.is_live:
            self._check_goals()
        self.dirty = True
        self._changed()

    def _connected(self, room_id: str) -> None:
        """The connection entered ``room_id``: the stream is on."""
        if room_id != self.stats.room_id:
            # No check told us about this room (yet): a new stream all the same.
            self._start_stream(room_id, None, None)
        self.is_live = True
        self._changed()

    def _start_stream(
        self, room_id: str, title: str | None, started_at: datetime | None
    ) -> None:
        """A new room: counters start from zero and stream_started fires."""
        self._flush_likes()
        self.stats = StreamStatistics(
            room_id=room_id,
            title=title,
            started_at=started_at or dt_util.utcnow(),
        )
        self.paused = False
        self.goals.new_stream()
        self.dirty = True
        self._fire(
            EventType.STREAM_STARTED, {"room_id": room_id, "title": title}, False
        )

    def _end_stream(self) -> None:
        self._flush_likes()
        stats = self.stats
        self._fire(
            EventType.STREAM_ENDED,
            {
                "room_id": stats.room_id,
                "title": stats.title,
                "likes": stats.likes,
                "diamonds": stats.diamonds,
                "gifts": stats.gifts,
                "new_followers": stats.new_followers,
                "peak_viewers": stats.peak_viewers,
            },
            False,
        )
        self.dirty = True

    def _gift(self, event: GiftEvent, simulated: bool) -> None:
        data = gift_data(event)
        if event.streaking:
            if self._options().gift_streak_updates:
                self._fire(EventType.GIFT_STREAK, self._sent(data), simulated)
            return
        if not simulated:
            user = event.user
            self.stats.add_gift(
                str(user.user_id),
                user.unique_id,
                user.nickname,
                data["count"],
                data["total_diamonds"],
            )
            self._check_goals()
            self._changed()
        self._fire(EventType.GIFT, self._sent(data), simulated)

    def _like(self, event: LikeEvent, simulated: bool) -> None:
        if not simulated:
            stats = self.stats
            before = stats.likes
            # TikTok's running total is authoritative (it covers likes sent
            # while we were reconnecting); counts fill in when it is absent.
            stats.likes = max(before + event.count, event.total)
            self._check_goals()
            self._changed()
            step = self._options().like_milestone
            if step > 0 and stats.likes // step > before // step:
                self._fire(
                    EventType.LIKE_MILESTONE,
                    {"milestone": stats.likes // step * step, "total": stats.likes},
                    False,
                )
        # Likes come in floods: fire at most one like event per interval.
        if self._pending_like_simulated != simulated:
            self._flush_likes()
        self._pending_likes += event.count
        self._pending_likers.add(event.user.user_id)
        self._pending_like_user = event.user
        self._pending_like_simulated = simulated
        if self._like_timer is None:
            self._flush_likes()
            self._like_timer = async_call_later(
                self._hass, LIKE_COALESCE_INTERVAL, self._like_timer_fired
            )

    @callback
    def _like_timer_fired(self, _now: datetime) -> None:
        self._like_timer = None
        if self._pending_likes:
            self._flush_likes()
            self._like_timer = async_call_later(
                self._hass, LIKE_COALESCE_INTERVAL, self._like_timer_fired
            )

    def _flush_likes(self) -> None:
        if not self._pending_likes or self._pending_like_user is None:
            return
        data = {
            "count": self._pending_likes,
            "total": self.stats.likes,
            "likers": len(self._pending_likers),
            **user_data(self._pending_like_user),
        }
        self._sent(data)
        simulated = self._pending_like_simulated
        self._pending_likes = 0
        self._pending_likers = set()
        self._pending_like_user = None
        self._fire(EventType.LIKE, data, simulated)

    def shutdown(self) -> None:
        """Hand out what is pending and stop the timers."""
        self._flush_likes()
        if self._like_timer is not None:
            self._like_timer()
            self._like_timer = None

    # ------------------------------------------------------------ storage

    def stored(self, *, ids: int) -> dict[str, Any]:
        """What survives a restart: the statistics and the newest ``ids`` message ids."""
        return {
            "stats": self.stats.as_dict(),
            "goals": self.goals.as_dict(),
            "recent_ids": self.recent.newest(ids),
            "saved_at": dt_util.utcnow().isoformat(),
        }

    def restore(self, stored: dict[str, Any]) -> None:
        """Take back what a previous run stored (ids only when recent enough)."""
        if isinstance(stored.get("stats"), dict):
            self.stats = StreamStatistics.from_dict(stored["stats"])
        self.goals = Goals.from_dict(stored.get("goals"))
        saved_at = dt_util.parse_datetime(str(stored.get("saved_at") or ""))
        ids = stored.get("recent_ids")
        if (
            saved_at is not None
            and isinstance(ids, list)
            and (dt_util.utcnow() - saved_at).total_seconds() < DEDUP_HORIZON
        ):
            self.recent.restore(ids)
