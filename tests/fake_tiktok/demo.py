"""The demo's simulated creator and the stream it plays forever."""

from __future__ import annotations

import asyncio
import logging

from . import messages
from .scenario import Scenario, run_scenario
from .server import FakeTikTok
from .state import FakeCreator

DEMO_CREATOR = "demo_streamer"
DEMO_USER_ID = 6_900_000_000_000_000_042
DEMO_NICKNAME = "Demo Streamer"
# The sessionid of a "signed-in adult" for the demo: it lifts the age
# restriction that ``scripts/demo-fault age_restricted`` turns on.
DEMO_SESSION_ID = "demo-adult-session"

_LOGGER = logging.getLogger(__name__)

# Where each demo viewer stands with the creator, as chat and gift messages
# tell it (UserIdentity) and badges show it: a moderator (who subscribes
# during the stream), a subscriber, followers, and a first-time viewer who is
# none of these until they follow.
FANS = [
    messages.viewer(
        7_100_000_000_000_000_000 + n,
        handle,
        name,
        moderator=moderator,
        subscriber=subscriber,
        follower=follower,
    )
    for n, (handle, name, moderator, subscriber, follower) in enumerate(
        [
            ("rose_fan", "Rose Fan", False, True, True),
            ("night_owl", "Night Owl", True, True, True),
            ("lamp_lover", "Lamp Lover", False, False, True),
            ("big_spender", "Big Spender", False, False, True),
            ("first_timer", "First Timer", False, False, False),
        ]
    )
]


def demo_stream(
    round_no: int, *, await_client: bool = True, go_live: bool = True
) -> Scenario:
    """One stream of the demo: about a minute in real time.

    ``go_live`` False plays it in the room the creator is live in already
    (the fault control brought them back on air before the loop did).
    """
    rose_fan, night_owl, lamp_lover, big_spender, first_timer = FANS
    scenario = Scenario()
    if go_live:
        scenario.go_live(f"Smart home live build #{round_no}", viewers=12)
    if await_client:
        # Home Assistant polls, then connects: play once someone watches.
        scenario.await_client(timeout=300)
    scenario.wait(3).viewers_ramp(12, 18, steps=2, every=1).join(first_timer).wait(2)
    scenario.comment(night_owl, "hi from the demo!").wait(2)
    scenario.gift_streak(rose_fan, "Rose", 5, image=True).wait(3)
    scenario.viewers(27).likes(lamp_lover, 150, batch=50).wait(3)
    scenario.follow(first_timer).wait(3)
    scenario.gift(big_spender, "Galaxy", image=True).wait(3)
    scenario.viewers_ramp(27, 41, steps=2, every=1).share(night_owl).wait(3)
    scenario.likes(rose_fan, 300, batch=50).wait(2)
    scenario.subscribe(night_owl).wait(3)
    scenario.pause().wait(6).resume().wait(2)
    scenario.gift_streak(lamp_lover, "Finger Heart", 3, image=True).wait(3)
    scenario.viewers(33).comment(lamp_lover, "the lamp blinked!").wait(3)
    scenario.gift(rose_fan, "Doughnut", image=True).wait(3)
    scenario.viewers_ramp(33, 15, steps=3, every=1).likes(first_timer, 200, batch=40)
    scenario.wait(3).comment(rose_fan, "bye!").wait(3)
    scenario.end()
    return scenario


def add_demo_creator(fake: FakeTikTok) -> FakeCreator:
    """The demo's creator (offline until a stream starts)."""
    fake.valid_session_ids.add(DEMO_SESSION_ID)
    return fake.add_creator(DEMO_CREATOR, user_id=DEMO_USER_ID, nickname=DEMO_NICKNAME)


async def run_demo(
    fake: FakeTikTok,
    *,
    offline_seconds: float = 20.0,
    speed: float = 1.0,
    rounds: int | None = None,
) -> None:
    """Live, end, some offline time, live again: forever (or ``rounds`` times)."""
    creator = fake.creators.get(DEMO_CREATOR) or add_demo_creator(fake)
    round_no = 1
    while rounds is None or round_no <= rounds:
        scenario = demo_stream(round_no, go_live=not creator.is_live)
        _LOGGER.info(
            "demo stream %d starts (%.0f s of stream)",
            round_no,
            scenario.duration / speed,
        )
        await run_scenario(fake, creator, scenario, realtime=True, speed=speed)
        _LOGGER.info("demo stream %d ended; offline for a while", round_no)
        round_no += 1
        if rounds is None or round_no <= rounds:
            await asyncio.sleep(offline_seconds / speed)
