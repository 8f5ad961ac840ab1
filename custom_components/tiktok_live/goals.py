"""Stream goals: likes, diamonds and new followers to reach in one stream.

A goal is a target (0 = off) the user sets on a number entity. It is reached
once per stream: reaching it fires goal_reached one time, and a new stream,
or a new target, starts it over. Targets and what this stream reached are
stored with the stream's statistics, so a restart during the stream neither
forgets a goal nor fires it twice.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Final

from .stream_stats import StreamStatistics

# The largest target a number entity takes: far above any stream's totals.
MAX_GOAL: Final = 100_000_000


class GoalKind(StrEnum):
    """What a goal counts in the current stream."""

    LIKES = "likes"
    DIAMONDS = "diamonds"
    FOLLOWERS = "followers"


COUNTERS: Final[dict[GoalKind, Callable[[StreamStatistics], int]]] = {
    GoalKind.LIKES: lambda stats: stats.likes,
    GoalKind.DIAMONDS: lambda stats: stats.diamonds,
    GoalKind.FOLLOWERS: lambda stats: stats.new_followers,
}


@dataclass(frozen=True, slots=True)
class ReachedGoal:
    """A goal the stream just reached: what goal_reached tells."""

    kind: GoalKind
    target: int
    value: int

    def as_event_data(self) -> dict[str, Any]:
        """The goal_reached event's data."""
        return {"goal": self.kind.value, "target": self.target, "value": self.value}


@dataclass(slots=True)
class Goals:
    """The creator's goals and which of them this stream reached."""

    targets: dict[GoalKind, int] = field(
        default_factory=lambda: dict.fromkeys(GoalKind, 0)
    )
    reached: set[GoalKind] = field(default_factory=set)

    def progress(self, kind: GoalKind, stats: StreamStatistics) -> float | None:
        """Percent of the goal this stream reached (at most 100); None while off."""
        target = self.targets[kind]
        if target <= 0:
            return None
        return round(min(COUNTERS[kind](stats) / target, 1.0) * 100, 1)

    def set_target(self, kind: GoalKind, target: int) -> None:
        """A new target is a new goal: it can be reached (again) this stream."""
        if target != self.targets[kind]:
            self.targets[kind] = max(0, min(int(target), MAX_GOAL))
            self.reached.discard(kind)

    def new_stream(self) -> None:
        """Every goal starts over."""
        self.reached.clear()

    def check(self, stats: StreamStatistics) -> list[ReachedGoal]:
        """The goals the stream's counters reached since the last check."""
        newly: list[ReachedGoal] = []
        for kind, target in self.targets.items():
            if target <= 0 or kind in self.reached:
                continue
            value = COUNTERS[kind](stats)
            if value >= target:
                self.reached.add(kind)
                newly.append(ReachedGoal(kind, target, value))
        return newly

    def as_dict(self) -> dict[str, Any]:
        """Serialise for storage."""
        return {
            "targets": {kind.value: target for kind, target in self.targets.items()},
            "reached": sorted(kind.value for kind in self.reached),
        }

    @classmethod
    def from_dict(cls, data: Any) -> Goals:
        """Rebuild from storage; anything malformed is left at its default."""
        goals = cls()
        if not isinstance(data, dict):
            return goals
        targets = data.get("targets")
        if isinstance(targets, dict):
            for kind in GoalKind:
                value = targets.get(kind.value)
                if isinstance(value, int) and not isinstance(value, bool):
                    goals.targets[kind] = max(0, min(value, MAX_GOAL))
        reached = data.get("reached")
        if isinstance(reached, list):
            goals.reached = {
                GoalKind(k) for k in reached if k in GoalKind.__members__.values()
            }
        return goals
