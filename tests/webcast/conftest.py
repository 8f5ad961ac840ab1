"""Fixtures: the fake TikTok, an aiohttp session and clients pointed at the fake."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import aiohttp
import pytest

from custom_components.tiktok_live.webcast import TikTokLiveClient
from tests.fake_tiktok import FakeCreator, FakeTikTok, messages

CREATOR = "streamer"
CREATOR_ID = 6_900_000_000_000_000_001
FAN = messages.user(7001, "rose_fan", "Rose Fan")

type ClientFactory = Callable[..., TikTokLiveClient]


@pytest.fixture
async def fake(socket_enabled: None) -> AsyncIterator[FakeTikTok]:
    """The fake TikTok on 127.0.0.1."""
    async with FakeTikTok() as fake_tiktok:
        yield fake_tiktok


@pytest.fixture
def creator(fake: FakeTikTok) -> FakeCreator:
    """A creator who is live."""
    creator = fake.add_creator(CREATOR, user_id=CREATOR_ID, nickname="The Streamer")
    creator.go_live(title="Testing", viewers=5)
    return creator


@pytest.fixture
async def session(socket_enabled: None) -> AsyncIterator[aiohttp.ClientSession]:
    """A plain aiohttp session, as any user of the client would pass."""
    async with aiohttp.ClientSession() as client_session:
        yield client_session


@pytest.fixture
def make_client(fake: FakeTikTok, session: aiohttp.ClientSession) -> ClientFactory:
    """Build clients pointed at the fake."""

    def _make(**kwargs: Any) -> TikTokLiveClient:
        options: dict[str, Any] = {
            "web_url": fake.web_url,
            "webcast_url": fake.webcast_url,
            "sign_server_url": fake.sign_server_url,
            "request_timeout": 5.0,
        }
        options.update(kwargs)
        return TikTokLiveClient(session, **options)

    return _make
