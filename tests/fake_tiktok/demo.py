"""The demo's simulated creator and the stream it plays forever."""

from __future__ import annotations

import asyncio
import logging
import random

from . import messages
from .scenario import Scenario, run_scenario
from .server import FakeTikTok

DEMO_CREATOR = "demo_streamer"
DEMO_USER_ID = 6_900_000_000_000_000_042
DEMO_NICKNAME = "Demo Streamer"

_LOGGER = logging.getLogger(__name__)

FANS = [
    messages.user(7_100_000_000_000_000_000 + n, handle, name)
    for n, (handle, name) in enumerate(
        [
            ("rose_fan", "Rose Fan"),
            ("night_owl", "Night Owl"),
            ("lamp_lover", "Lamp Lover"),
            ("big_spender", "Big Spender"),
            ("first_timer", "First Timer"),
        ]
    )
]


def demo_stream(round_no: int) -> Scenario:
    """One stream of the demo: about a minute and a half."""
    rose_fan, night_owl, lamp_lover, big_spender, first_timer = FANS
    scenario = Scenario().go_live(f"Smart home live build #{round_no}", viewers=12)
    scenario.wait(3).viewers(18).join(first_timer, 18).wait(2)
    scenario.comment(night_owl, "hi from the demo!").wait(2)
    scenario.gift_streak(rose_fan, "Rose", 5).wait(3)
    scenario.viewers(27).likes(lamp_lover, 150).wait(3)
    scenario.follow(first_timer).wait(3)
    scenario.gift(big_spender, "Galaxy").wait(3)
    scenario.viewers(41).share(night_owl).wait(3)
    scenario.likes(rose_fan, 300, batch=50).wait(2)
    scenario.subscribe(night_owl).wait(3)
    scenario.pause().wait(6).resume().wait(2)
    scenario.gift_streak(lamp_lover, "Finger Heart", 3).wait(3)
    scenario.viewers(33).comment(lamp_lover, "the lamp blinked!").wait(3)
    scenario.gift(rose_fan, "Doughnut").wait(3)
    scenario.viewers(24).likes(first_timer, 200, batch=40).wait(3)
    scenario.viewers(15).comment(rose_fan, "bye!").wait(3)
    scenario.end()
    return scenario


async def run_demo(fake: FakeTikTok, *, offline_seconds: float = 20.0) -> None:
    """Live, end, a little offline time, live again: forever."""
    creator = fake.add_creator(
        DEMO_CREATOR, user_id=DEMO_USER_ID, nickname=DEMO_NICKNAME
    )
    round_no = 1
    while True:
        _LOGGER.info("demo stream %d starts", round_no)
        scenario = demo_stream(round_no)
        # Go live first, and wait for Home Assistant to connect before playing.
        title, viewers = scenario.steps[0][1]
        creator.go_live(title=str(title), viewers=int(str(viewers)))
        scenario.steps.pop(0)
        try:
            await fake.wait_for(lambda: bool(fake.open_sockets(creator)), timeout=300)
        except TimeoutError:
            _LOGGER.warning("nobody connected within 5 minutes; playing anyway")
        await run_scenario(fake, creator, scenario, realtime=True)
        _LOGGER.info("demo stream %d ended", round_no)
        await asyncio.sleep(offline_seconds + random.uniform(0, 5))
        round_no += 1
