"""Whole streams: the demo's scenario replayed at once, the demo loop, the demo server."""

from __future__ import annotations

import asyncio
import contextlib
import os
from pathlib import Path
import signal
import sys

import aiohttp
import pytest

from custom_components.tiktok_live.webcast import (
    CommentEvent,
    ConnectEvent,
    DisconnectEvent,
    FollowEvent,
    GiftEvent,
    JoinEvent,
    LikeEvent,
    LiveEndEvent,
    LivePauseEvent,
    LiveResumeEvent,
    ShareEvent,
    SubscribeEvent,
    TikTokLiveClient,
    ViewerCountEvent,
    WebcastEvent,
)
from tests.fake_tiktok import (
    FakeCreator,
    FakeTikTok,
    Scenario,
    messages,
    run_scenario,
)
from tests.fake_tiktok.demo import DEMO_CREATOR, add_demo_creator, demo_stream, run_demo

from .conftest import FAN, ClientFactory, Reader, of

REPO = Path(__file__).resolve().parents[2]


async def watch(
    fake: FakeTikTok, client: TikTokLiveClient, creator: FakeCreator
) -> list[WebcastEvent]:
    """Connect to the creator's stream and read it to its end."""
    reader = Reader(await client.connect(creator.unique_id))
    await reader.finished(timeout=10)
    assert reader.error is None
    return reader.events


def assert_saw(events: list[WebcastEvent], scenario: Scenario) -> None:
    """The client's events add up to what the scenario pushed."""
    expected = scenario.expected()
    gifts = of(events, GiftEvent)
    done = [g for g in gifts if not g.streaking]
    assert len(gifts) == expected.gift_messages
    assert len(done) == expected.gifts
    assert sum(g.total_diamonds for g in done) == expected.diamonds
    likes = of(events, LikeEvent)
    assert len(likes) == expected.like_messages
    assert sum(like.count for like in likes) == expected.likes
    assert likes[-1].total == expected.likes  # the room's running total
    assert len(of(events, FollowEvent)) == expected.follows
    assert len(of(events, ShareEvent)) == expected.shares
    assert len(of(events, CommentEvent)) == expected.comments
    assert len(of(events, SubscribeEvent)) == expected.subscribes
    assert len(of(events, JoinEvent)) == expected.joins
    viewers = of(events, ViewerCountEvent)
    assert len(viewers) == expected.viewer_updates
    assert viewers[-1].viewers == expected.last_viewers
    assert max(v.viewers for v in viewers) == expected.peak_viewers
    assert len(of(events, LivePauseEvent)) == expected.pauses
    assert len(of(events, LiveResumeEvent)) == expected.resumes
    assert isinstance(events[0], ConnectEvent)
    assert isinstance(events[-2], LiveEndEvent) is expected.ended
    assert isinstance(events[-1], DisconnectEvent)


async def test_demo_stream_replayed_at_once(
    fake: FakeTikTok, make_client: ClientFactory
) -> None:
    """Go live, viewers rise and fall, a Rose streak of 5, big gifts, 300 likes, … end."""
    creator = add_demo_creator(fake)
    scenario = demo_stream(1)
    assert scenario.duration > 45  # the demo plays it for about a minute
    player = asyncio.create_task(run_scenario(fake, creator, scenario))
    await fake.wait_for(lambda: creator.is_live)
    events = await watch(fake, make_client(), creator)
    await player
    assert_saw(events, scenario)
    roses = [g for g in of(events, GiftEvent) if g.gift_name == "Rose"]
    assert [(g.repeat_count, g.repeat_end) for g in roses] == [
        (1, False),
        (2, False),
        (3, False),
        (4, False),
        (5, False),
        (5, True),
    ]
    assert roses[-1].total_diamonds == 5
    [galaxy] = [g for g in of(events, GiftEvent) if g.gift_name == "Galaxy"]
    assert (galaxy.streakable, galaxy.diamond_count) == (False, 1000)
    fan_likes = [
        e.count for e in of(events, LikeEvent) if e.user.unique_id == "rose_fan"
    ]
    assert fan_likes == [50] * 6  # 300 likes in batches of 50
    viewers = [v.viewers for v in of(events, ViewerCountEvent)]
    assert viewers[:3] == [12, 15, 18]  # rising
    assert viewers[-4:] == [33, 27, 21, 15]  # falling
    assert not creator.is_live
    # Who sent it: chat and gifts tell all three, other messages only badges.
    assert {g.image_url for g in of(events, GiftEvent)} == {
        messages.gift_image_url(gift_id) for gift_id in (5655, 11046, 5487, 5879)
    }
    assert all(g.user.is_subscriber is True for g in roses)
    standing = {
        (type(e).__name__, e.user.unique_id): (
            e.user.is_moderator,
            e.user.is_subscriber,
            e.user.is_follower,
        )
        for e in events
        if isinstance(e, CommentEvent | FollowEvent | SubscribeEvent | JoinEvent)
    }
    assert standing == {
        ("JoinEvent", "first_timer"): (None, None, None),
        ("CommentEvent", "night_owl"): (True, True, True),
        ("FollowEvent", "first_timer"): (None, None, True),
        ("SubscribeEvent", "night_owl"): (True, True, None),
        ("CommentEvent", "lamp_lover"): (False, False, True),
        ("CommentEvent", "rose_fan"): (False, True, True),
    }


async def test_custom_scenario_and_fresh_ids_on_replay(
    fake: FakeTikTok, make_client: ClientFactory
) -> None:
    """A scenario object replayed twice: two streams, two rooms, new message ids."""
    creator = fake.add_creator("replayed", user_id=5, nickname="Replayed")
    scenario = (
        Scenario()
        .go_live("again", viewers=3)
        .await_client()
        .join(FAN)
        .comment(FAN, "hi")
        .follow(FAN)
        .share(FAN)
        .subscribe(FAN, months=2)
        .likes(FAN, 100, batch=30)
        .gift(FAN, "Lion")
        .viewers(4)
        .pause()
        .wait(30)
        .resume()
        .end()
    )
    runs: list[list[WebcastEvent]] = []
    for _ in range(2):
        player = asyncio.create_task(run_scenario(fake, creator, scenario))
        await fake.wait_for(lambda: creator.is_live)
        runs.append(await watch(fake, make_client(), creator))
        await player
        assert_saw(runs[-1], scenario)
    first, second = ({e.msg_id for e in run if e.msg_id} for run in runs)
    assert first
    assert not first & second
    assert len(creator.rooms) == 2
    assert runs[0][0] != runs[1][0]  # two rooms
    [join] = of(runs[0], JoinEvent)
    assert join.viewer_count == 3
    assert [like.count for like in of(runs[0], LikeEvent)] == [30, 30, 30, 10]


async def test_await_client_fails_fast_when_replayed(
    fake: FakeTikTok,
) -> None:
    """Replayed at once, nobody connecting is an error (the demo warns and plays on)."""
    creator = fake.add_creator("lonely", user_id=6)
    scenario = Scenario().go_live("empty").await_client(timeout=0.05).end()
    with pytest.raises(TimeoutError):
        await run_scenario(fake, creator, scenario)
    await run_scenario(fake, creator, scenario, realtime=True)  # plays on
    assert not creator.is_live


async def test_demo_loops(fake: FakeTikTok, make_client: ClientFactory) -> None:
    """The demo loop: a stream, offline, the next stream in a new room."""
    creator = add_demo_creator(fake)
    demo = asyncio.create_task(
        run_demo(fake, offline_seconds=0, speed=10_000, rounds=2)
    )
    rooms: list[str] = []
    for _ in range(2):
        await fake.wait_for(
            lambda: creator.room is not None and creator.room.room_id not in rooms
        )
        assert creator.room is not None
        rooms.append(creator.room.room_id)
        events = await watch(fake, make_client(), creator)
        assert_saw(events, demo_stream(1))
    await demo
    assert len(set(rooms)) == 2


async def _line_with(stream: asyncio.StreamReader, text: str) -> list[str]:
    """Lines up to and including the first one containing ``text``."""
    lines: list[str] = []
    while True:
        line = (await stream.readline()).decode()
        assert line, f"the demo server exited before printing {text!r}: {lines}"
        lines.append(line.rstrip())
        if text in line:
            return lines


async def test_demo_server_command(socket_enabled: None) -> None:
    """python -m tests.fake_tiktok prints its URLs and streams the demo to a client."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.fake_tiktok",
        "--host",
        "127.0.0.1",
        "--port",
        "0",
        "--speed",
        "50",
        "--offline-seconds",
        "0",
        cwd=REPO,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    assert process.stdout is not None
    assert process.stderr is not None
    try:
        async with asyncio.timeout(20):
            printed = await _line_with(process.stdout, "demo creator")
            urls = dict(
                line.split()[:2]
                for line in printed
                if line.startswith("  ") and "_url" in line
            )
            assert urls["webcast_url"] == urls["web_url"] + "/webcast"
            assert urls["sign_server_url"] == urls["web_url"] + "/sign"
            await _line_with(process.stderr, "demo stream 1 starts")
            async with aiohttp.ClientSession() as session:
                client = TikTokLiveClient(
                    session,
                    web_url=urls["web_url"],
                    webcast_url=urls["webcast_url"],
                    sign_server_url=urls["sign_server_url"],
                )
                reader = Reader(await client.connect(DEMO_CREATOR))
                await reader.until(lambda events: bool(of(events, GiftEvent)))
                assert reader.error is None
                assert of(reader.events, GiftEvent)
                await client.disconnect()
                await reader.finished()
        process.send_signal(signal.SIGINT)
        async with asyncio.timeout(10):
            assert await process.wait() == 0
    finally:
        with contextlib.suppress(ProcessLookupError):
            process.kill()
        await process.wait()
