"""Declarative stream scripts: tests replay them at once, the demo loops them."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from custom_components.tiktok_live.webcast.proto import webcast_pb2 as pb

from . import messages

if TYPE_CHECKING:
    from .server import FakeCreator, FakeTikTok


@dataclass
class Scenario:
    """A list of steps; the builder methods return self so scripts read top-down."""

    steps: list[tuple[str, tuple[object, ...]]] = field(default_factory=list)

    def _add(self, step: str, *args: object) -> Scenario:
        self.steps.append((step, args))
        return self

    def go_live(self, title: str, viewers: int = 0) -> Scenario:
        """Start a new stream."""
        return self._add("go_live", title, viewers)

    def viewers(self, count: int) -> Scenario:
        """Set the viewer count."""
        return self._add("push", messages.viewers(count))

    def gift_streak(self, sender: pb.User, gift: str, count: int) -> Scenario:
        """A streak of ``count`` gifts: every update, then the final message."""
        for message in messages.gift_streak(sender, gift, count):
            self._add("push", message)
        return self

    def gift(self, sender: pb.User, gift: str) -> Scenario:
        """A single (non-streak) gift."""
        return self._add("push", messages.gift(sender, gift))

    def likes(self, sender: pb.User, total: int, batch: int = 30) -> Scenario:
        """``total`` likes in batches of ``batch``."""
        while total > 0:
            count = min(batch, total)
            self._add("push", messages.like(sender, count))
            total -= count
        return self

    def follow(self, sender: pb.User) -> Scenario:
        """A new follower."""
        return self._add("push", messages.follow(sender))

    def share(self, sender: pb.User) -> Scenario:
        """A share."""
        return self._add("push", messages.share(sender))

    def comment(self, sender: pb.User, text: str) -> Scenario:
        """A chat comment."""
        return self._add("push", messages.comment(sender, text))

    def subscribe(self, sender: pb.User, months: int = 1) -> Scenario:
        """A subscription."""
        return self._add("push", messages.subscribe(sender, months))

    def join(self, sender: pb.User, viewer_count: int) -> Scenario:
        """A viewer enters."""
        return self._add("push", messages.join(sender, viewer_count))

    def pause(self) -> Scenario:
        """The creator pauses."""
        return self._add("push", messages.control(1))

    def resume(self) -> Scenario:
        """The creator resumes."""
        return self._add("push", messages.control(2))

    def end(self) -> Scenario:
        """The stream ends."""
        return self._add("end")

    def wait(self, seconds: float) -> Scenario:
        """A pause between steps (skipped when replayed at once)."""
        return self._add("wait", seconds)


async def run_scenario(
    fake: FakeTikTok,
    creator: FakeCreator,
    scenario: Scenario,
    *,
    realtime: bool = False,
) -> None:
    """Play a scenario; without ``realtime`` the waits are skipped."""
    for step, args in scenario.steps:
        if step == "go_live":
            title, viewers = args
            creator.go_live(title=str(title), viewers=int(str(viewers)))
        elif step == "push":
            (message,) = args
            assert isinstance(message, pb.WireMessage)
            await fake.push(creator, message)
        elif step == "end":
            await creator.end_stream()
        elif step == "wait" and realtime:
            await asyncio.sleep(float(str(args[0])))
