"""Per-stream statistics: what the sensors show, and what survives a restart."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import Any

# Only the biggest gifters are persisted: enough for "top gifter" after a
# restart without letting a huge stream bloat .storage.
PERSISTED_GIFTERS = 50
# A stream with a hundred thousand gifters keeps its biggest ones only: past
# MAX_GIFTERS the table is cut back to KEPT_GIFTERS (a viewer cut away who
# gifts again starts from zero, which can only matter far below the top).
MAX_GIFTERS = 2000
KEPT_GIFTERS = 1000
# The stream's leaderboard: the Top gifter sensor's attribute, and the rank an
# event gives its sender.
TOP_GIFTERS = 10


@dataclass(slots=True)
class Gifter:
    """One viewer's gifting in the current stream."""

    user_id: str
    unique_id: str
    nickname: str
    diamonds: int = 0
    gifts: int = 0


@dataclass(slots=True)
class StreamStatistics:
    """Counters of one stream (one TikTok room); reset when a new room starts."""

    room_id: str | None = None
    title: str | None = None
    started_at: datetime | None = None
    viewers: int | None = None
    peak_viewers: int = 0
    likes: int = 0
    diamonds: int = 0
    gifts: int = 0
    new_followers: int = 0
    shares: int = 0
    comments: int = 0
    subscribers: int = 0
    gifters: dict[str, Gifter] = field(default_factory=dict)
    # The TOP_GIFTERS biggest gifters, biggest first (derived, not stored).
    top_gifters: list[Gifter] = field(default_factory=list, repr=False)
    _ranks: dict[str, int] = field(default_factory=dict, repr=False)

    @property
    def top_gifter(self) -> Gifter | None:
        """The viewer who sent the most diamonds this stream (first to get there wins ties)."""
        return self.top_gifters[0] if self.top_gifters else None

    def gifter_rank(self, user_id: str) -> int | None:
        """The viewer's place among this stream's top gifters (1 is the top), if among them."""
        return self._ranks.get(user_id)

    def add_gift(
        self, user_id: str, unique_id: str, nickname: str, count: int, diamonds: int
    ) -> None:
        """Count a completed gift (or streak) of ``count`` units worth ``diamonds``."""
        self.gifts += count
        self.diamonds += diamonds
        gifter = self.gifters.get(user_id)
        if gifter is None:
            if len(self.gifters) >= MAX_GIFTERS:
                self._keep_top_gifters()
            gifter = self.gifters[user_id] = Gifter(user_id, unique_id, nickname)
        gifter.diamonds += diamonds
        gifter.gifts += count
        # Keep the name current: viewers rename themselves mid-stream.
        gifter.nickname = nickname or gifter.nickname
        self._rank(gifter)

    def _rank(self, gifter: Gifter) -> None:
        """Place a gifter whose total grew on the leaderboard.

        Only their total changed, so the new top is among the old top and
        them: a few entries sorted, whatever the number of gifters. The sort
        is stable, so of equal totals the one who got there first stays ahead.
        """
        top = self.top_gifters
        if gifter not in top:
            if len(top) >= TOP_GIFTERS and gifter.diamonds <= top[-1].diamonds:
                return
            top.append(gifter)
        top.sort(key=lambda g: g.diamonds, reverse=True)
        del top[TOP_GIFTERS:]
        self._ranks = {g.user_id: place for place, g in enumerate(top, 1)}

    def _keep_top_gifters(self) -> None:
        top = sorted(self.gifters.values(), key=lambda g: g.diamonds, reverse=True)
        self.gifters = {g.user_id: g for g in top[:KEPT_GIFTERS]}

    def leaderboard(self) -> list[dict[str, Any]]:
        """The top gifters as an attribute shows them."""
        return [
            {
                "nickname": g.nickname,
                "unique_id": g.unique_id,
                "diamonds": g.diamonds,
                "gifts": g.gifts,
            }
            for g in self.top_gifters
        ]

    def set_viewers(self, viewers: int) -> None:
        """Record the current viewer count and the stream's peak."""
        self.viewers = viewers
        self.peak_viewers = max(self.peak_viewers, viewers)

    def as_dict(self) -> dict[str, Any]:
        """Serialise for storage."""
        data: dict[str, Any] = {
            f.name: getattr(self, f.name)
            for f in fields(self)
            if f.name not in ("gifters", "started_at", "top_gifters", "_ranks")
        }
        data["started_at"] = self.started_at.isoformat() if self.started_at else None
        top = sorted(self.gifters.values(), key=lambda g: g.diamonds, reverse=True)
        data["gifters"] = [
            {
                "user_id": g.user_id,
                "unique_id": g.unique_id,
                "nickname": g.nickname,
                "diamonds": g.diamonds,
                "gifts": g.gifts,
            }
            for g in top[:PERSISTED_GIFTERS]
        ]
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> StreamStatistics:
        """Rebuild from storage; anything malformed starts a fresh stream instead."""
        try:
            started = data.get("started_at")
            stats = cls(
                room_id=data.get("room_id"),
                title=data.get("title"),
                started_at=datetime.fromisoformat(started) if started else None,
                viewers=data.get("viewers"),
                peak_viewers=int(data.get("peak_viewers", 0)),
                likes=int(data.get("likes", 0)),
                diamonds=int(data.get("diamonds", 0)),
                gifts=int(data.get("gifts", 0)),
                new_followers=int(data.get("new_followers", 0)),
                shares=int(data.get("shares", 0)),
                comments=int(data.get("comments", 0)),
                subscribers=int(data.get("subscribers", 0)),
            )
            for raw in data.get("gifters", []):
                gifter = Gifter(
                    str(raw["user_id"]),
                    str(raw["unique_id"]),
                    str(raw["nickname"]),
                    int(raw["diamonds"]),
                    int(raw["gifts"]),
                )
                stats.gifters[gifter.user_id] = gifter
            # Stored biggest first: equal totals keep their order.
            for gifter in list(stats.gifters.values())[:TOP_GIFTERS]:
                stats._rank(gifter)
        except (TypeError, ValueError, KeyError):
            return cls()
        return stats
