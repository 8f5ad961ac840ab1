"""Fixtures and helpers: the fake TikTok, an aiohttp session, clients pointed at the fake."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Coroutine
from typing import Any

import aiohttp
import pytest

from custom_components.tiktok_live.webcast import (
    TikTokLiveClient,
    TikTokLiveError,
    WebcastConnection,
    WebcastConnectionError,
    WebcastEvent,
)
from tests.fake_tiktok import FakeCreator, FakeSocket, FakeTikTok, messages

CREATOR = "streamer"
CREATOR_ID = 6_900_000_000_000_000_001
FAN = messages.user(7001, "rose_fan", "Rose Fan")
PREFIX = "TikTokLive v7.0.1 -> "

type ClientFactory = Callable[..., TikTokLiveClient]


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations() -> None:
    """The client needs no Home Assistant: skip starting one for every test.

    (Overrides the fixture of tests/conftest.py for this directory; the
    harness's other autouse checks, such as lingering tasks, still run.)
    """


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


async def raises[E: BaseException](
    error: type[E],
    call: Coroutine[Any, Any, object],
    *,
    secrets: tuple[str, ...] = (),
) -> E:
    """Await ``call``, which must raise exactly ``error`` (not a subclass).

    Every error the client raises on purpose must read "TikTokLive v7.0.1 -> …"
    and must not show a secret in its text, repr or arguments.
    """
    with pytest.raises(error) as caught:
        await call
    err = caught.value
    assert type(err) is error, f"{type(err).__name__} raised, {error.__name__} wanted"
    if isinstance(err, TikTokLiveError):
        assert str(err).startswith(PREFIX), str(err)
    for secret in secrets:
        assert secret not in str(err)
        assert secret not in repr(err)
        assert all(secret not in str(arg) for arg in err.args)
    return err


class Reader:
    """Reads a connection's events in a task, so tests can await what they need."""

    def __init__(self, connection: WebcastConnection) -> None:
        self.connection = connection
        self.events: list[WebcastEvent] = []
        self.error: BaseException | None = None
        self._changed = asyncio.Condition()
        self.task = asyncio.create_task(self._read())

    async def _read(self) -> None:
        try:
            async for event in self.connection:
                self.events.append(event)
                async with self._changed:
                    self._changed.notify_all()
        except WebcastConnectionError as err:
            self.error = err
        finally:
            async with self._changed:
                self._changed.notify_all()

    async def until(
        self, predicate: Callable[[list[WebcastEvent]], bool], timeout: float = 5
    ) -> None:
        """Wait until the events so far satisfy ``predicate`` (or reading ended)."""
        async with asyncio.timeout(timeout), self._changed:
            await self._changed.wait_for(
                lambda: predicate(self.events) or self.task.done()
            )

    async def until_count(self, event_type: type, count: int = 1) -> list[Any]:
        """The events of one type, once there are ``count`` of them."""
        await self.until(lambda events: len(of(events, event_type)) >= count)
        found = of(self.events, event_type)
        assert len(found) >= count, (self.events, self.error)
        return found

    async def finished(self, timeout: float = 5) -> None:
        """Wait for the iteration to end (normally or with an error)."""
        await asyncio.wait_for(asyncio.shield(self.task), timeout)


def of(events: list[WebcastEvent], event_type: type) -> list[Any]:
    """The events of one type."""
    return [e for e in events if isinstance(e, event_type)]


async def open_stream(
    fake: FakeTikTok, client: TikTokLiveClient, **kwargs: Any
) -> tuple[Reader, FakeSocket]:
    """Connect, read in the background, and wait until the client entered the room."""
    connection = await client.connect(CREATOR, **kwargs)
    reader = Reader(connection)
    socket = await fake.wait_connected(fake.creators[CREATOR])
    return reader, socket
