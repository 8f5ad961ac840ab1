"""Declarative stream scripts: tests replay them at once, the demo loops them.

A scenario is a list of steps built top-down::

    scenario = (
        Scenario()
        .go_live("Build night", viewers=12)
        .await_client()
        .viewers_ramp(12, 40, steps=4, every=2)
        .gift_streak(fan, "Rose", 5)
        .gift(big_spender, "Galaxy")
        .likes(fan, 300, batch=50)
        .follow(fan).share(fan).comment(fan, "hi!").subscribe(fan)
        .pause().wait(5).resume()
        .end()
    )
    await run_scenario(fake, creator, scenario)                  # instantly
    await run_scenario(fake, creator, scenario, realtime=True)   # with the waits

Messages are built when a step plays, so every replay has fresh message ids;
``scenario.expected()`` sums what a client should count.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
import logging
from typing import TYPE_CHECKING

from custom_components.tiktok_live.webcast.proto import webcast_pb2 as pb

from . import messages

if TYPE_CHECKING:
    from .server import FakeTikTok
    from .state import FakeCreator

_LOGGER = logging.getLogger(__name__)


@dataclass
class Player:
    """What a step plays against."""

    fake: FakeTikTok
    creator: FakeCreator
    realtime: bool
    speed: float = 1.0

    async def push(self, *wire: pb.WireMessage) -> None:
        """One frame with these messages to the creator's open sockets."""
        await self.fake.push(self.creator, *wire)

    @property
    def viewers(self) -> int:
        """The room's viewer count now."""
        return self.creator.room.viewers if self.creator.room else 0


@dataclass(frozen=True)
class Step:
    """One step of a scenario."""

    async def play(self, player: Player) -> None:
        """Do it."""
        raise NotImplementedError


@dataclass(frozen=True)
class GoLive(Step):
    """Start a new stream."""

    title: str
    viewers: int = 0

    async def play(self, player: Player) -> None:
        player.creator.go_live(title=self.title, viewers=self.viewers)


@dataclass(frozen=True)
class AwaitClient(Step):
    """Wait (on the fake's events, not a timer) until a client entered the room."""

    timeout: float = 10.0

    async def play(self, player: Player) -> None:
        creator = player.creator

        def watched() -> bool:
            # A socket of this stream: one of the last stream may still be open.
            room = creator.room
            return room is not None and any(
                s.entered and s.room_id == room.room_id
                for s in player.fake.open_sockets(creator)
            )

        try:
            await player.fake.wait_for(watched, self.timeout)
        except TimeoutError:
            if not player.realtime:
                raise
            _LOGGER.warning("nobody watches @%s; playing anyway", creator.unique_id)


@dataclass(frozen=True)
class Viewers(Step):
    """Set the viewer count."""

    count: int

    async def play(self, player: Player) -> None:
        await player.creator.set_viewers(self.count)


@dataclass(frozen=True)
class GiftStreak(Step):
    """A streak of a streakable gift: one update per tap, then the final message."""

    sender: messages.Sender
    gift: str
    count: int
    image: bool = False

    async def play(self, player: Player) -> None:
        for message in messages.gift_streak(
            self.sender, self.gift, self.count, image=self.image
        ):
            await player.push(message)


@dataclass(frozen=True)
class Gift(Step):
    """A single gift (a big one does not streak)."""

    sender: messages.Sender
    gift: str
    image: bool = False

    async def play(self, player: Player) -> None:
        await player.push(messages.gift(self.sender, self.gift, image=self.image))


@dataclass(frozen=True)
class Likes(Step):
    """``total`` likes in batches of ``batch``, with the room's running total."""

    sender: messages.Sender
    total: int
    batch: int = 30

    async def play(self, player: Player) -> None:
        left = self.total
        while left > 0:
            count = min(self.batch, left)
            total = player.creator.count_likes(count)
            await player.push(messages.like(self.sender, count, total=total))
            left -= count


@dataclass(frozen=True)
class Message(Step):
    """Any message built at play time (follow, share, comment, subscribe, join...)."""

    kind: str
    build: Callable[[Player], pb.WireMessage] = field(compare=False)

    async def play(self, player: Player) -> None:
        await player.push(self.build(player))


@dataclass(frozen=True)
class Control(Step):
    """Pause (1) or resume (2) the stream."""

    action: int

    async def play(self, player: Player) -> None:
        if self.action == 1:
            await player.creator.pause()
        else:
            await player.creator.resume()


@dataclass(frozen=True)
class End(Step):
    """End the stream (control 3) and go offline."""

    async def play(self, player: Player) -> None:
        await player.creator.end_stream()


@dataclass(frozen=True)
class Wait(Step):
    """A pause between steps; skipped when replayed at once."""

    seconds: float

    async def play(self, player: Player) -> None:
        if player.realtime:
            await asyncio.sleep(self.seconds / player.speed)


@dataclass
class Expected:
    """What a client that saw the whole scenario should count."""

    gifts: int = 0  # completed gifts (a streak counts once)
    gift_messages: int = 0  # every GiftEvent, streak updates included
    diamonds: int = 0
    likes: int = 0
    like_messages: int = 0
    follows: int = 0
    shares: int = 0
    comments: int = 0
    subscribes: int = 0
    joins: int = 0
    viewer_updates: int = 0
    pauses: int = 0
    resumes: int = 0
    ended: bool = False
    last_viewers: int = 0  # of the viewer updates
    peak_viewers: int = 0


@dataclass
class Scenario:
    """A list of steps; the builder methods return self so scripts read top-down."""

    steps: list[Step] = field(default_factory=list)

    def add(self, *steps: Step) -> Scenario:
        """Append steps."""
        self.steps.extend(steps)
        return self

    def go_live(self, title: str, viewers: int = 0) -> Scenario:
        """Start a new stream."""
        return self.add(GoLive(title, viewers))

    def await_client(self, timeout: float = 10.0) -> Scenario:
        """Hold until a client entered the room (a test's client, or Home Assistant)."""
        return self.add(AwaitClient(timeout))

    def viewers(self, count: int) -> Scenario:
        """Set the viewer count."""
        return self.add(Viewers(count))

    def viewers_ramp(
        self, start: int, end: int, *, steps: int = 4, every: float = 2.0
    ) -> Scenario:
        """Viewers rise (or fall) from ``start`` to ``end`` in ``steps`` updates."""
        for n in range(steps + 1):
            self.viewers(start + round((end - start) * n / steps))
            if n < steps:
                self.wait(every)
        return self

    def gift_streak(
        self, sender: messages.Sender, gift: str, count: int, *, image: bool = False
    ) -> Scenario:
        """A streak of ``count`` gifts: every update, then the final message."""
        return self.add(GiftStreak(sender, gift, count, image))

    def gift(
        self, sender: messages.Sender, gift: str, *, image: bool = False
    ) -> Scenario:
        """A single (non-streak) gift (``image``: with the gift's picture)."""
        return self.add(Gift(sender, gift, image))

    def likes(self, sender: messages.Sender, total: int, batch: int = 30) -> Scenario:
        """``total`` likes in batches of ``batch``."""
        return self.add(Likes(sender, total, batch))

    def follow(self, sender: messages.Sender) -> Scenario:
        """A new follower."""
        return self.add(Message("follow", lambda _p: messages.follow(sender)))

    def share(self, sender: messages.Sender) -> Scenario:
        """A share."""
        return self.add(Message("share", lambda _p: messages.share(sender)))

    def comment(self, sender: messages.Sender, text: str) -> Scenario:
        """A chat comment."""
        return self.add(Message("comment", lambda _p: messages.comment(sender, text)))

    def subscribe(self, sender: messages.Sender, months: int = 1) -> Scenario:
        """A subscription."""
        return self.add(
            Message("subscribe", lambda _p: messages.subscribe(sender, months))
        )

    def join(
        self, sender: messages.Sender, viewer_count: int | None = None
    ) -> Scenario:
        """A viewer enters (with the room's viewer count unless given)."""
        return self.add(
            Message(
                "join",
                lambda p: messages.join(
                    sender, p.viewers if viewer_count is None else viewer_count
                ),
            )
        )

    def pause(self) -> Scenario:
        """The creator pauses."""
        return self.add(Control(1))

    def resume(self) -> Scenario:
        """The creator resumes."""
        return self.add(Control(2))

    def end(self) -> Scenario:
        """The stream ends."""
        return self.add(End())

    def wait(self, seconds: float) -> Scenario:
        """A pause between steps (skipped when replayed at once)."""
        return self.add(Wait(seconds))

    @property
    def duration(self) -> float:
        """Seconds the scenario takes in real time (its waits)."""
        return sum(s.seconds for s in self.steps if isinstance(s, Wait))

    def expected(self) -> Expected:
        """What a client that saw every pushed step should count."""
        totals = Expected()
        for step in self.steps:
            if isinstance(step, Viewers):
                totals.viewer_updates += 1
                totals.last_viewers = step.count
                totals.peak_viewers = max(totals.peak_viewers, step.count)
            elif isinstance(step, GiftStreak):
                totals.gifts += 1
                totals.gift_messages += step.count + 1
                totals.diamonds += step.count * messages.gift_diamonds(step.gift)
            elif isinstance(step, Gift):
                totals.gifts += 1
                totals.gift_messages += 1
                totals.diamonds += messages.gift_diamonds(step.gift)
            elif isinstance(step, Likes):
                totals.likes += step.total
                totals.like_messages += -(-step.total // step.batch)
            elif isinstance(step, Message):
                name = {"follow": "follows", "share": "shares", "comment": "comments"}
                attr = name.get(step.kind, f"{step.kind}s")
                setattr(totals, attr, getattr(totals, attr) + 1)
            elif isinstance(step, Control):
                if step.action == 1:
                    totals.pauses += 1
                else:
                    totals.resumes += 1
            elif isinstance(step, End):
                totals.ended = True
        return totals


async def run_scenario(
    fake: FakeTikTok,
    creator: FakeCreator,
    scenario: Scenario,
    *,
    realtime: bool = False,
    speed: float = 1.0,
) -> None:
    """Play a scenario; without ``realtime`` the waits are skipped."""
    player = Player(fake, creator, realtime, speed)
    for step in scenario.steps:
        await step.play(player)
