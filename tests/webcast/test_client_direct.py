"""The direct path: TikTok's own push host, unsigned, with an anonymous ttwid.

No sign server is asked anything. The same connection class reads the same
frames; only the way to its URL and cookies differs.
"""

from __future__ import annotations

import pytest

from custom_components.tiktok_live.webcast import (
    AgeRestrictedError,
    CommentEvent,
    ConnectEvent,
    ConnectMethod,
    WebcastBlockedError,
    WebcastDeviceBlockedError,
)
from tests.fake_tiktok import FakeCreator, FakeTikTok, faults, messages

from .conftest import CREATOR, FAN, ClientFactory, Reader, of, raises

DIRECT = ConnectMethod.DIRECT


@pytest.fixture
def make_direct(make_client: ClientFactory, fake: FakeTikTok) -> ClientFactory:
    """Clients whose direct socket goes to the fake's push host."""

    def _make(**kwargs: object) -> object:
        return make_client(direct_push_url=fake.direct_push_url, **kwargs)

    return _make  # type: ignore[return-value]


async def test_direct_connection(
    fake: FakeTikTok, creator: FakeCreator, make_direct: ClientFactory
) -> None:
    """A ttwid from a profile page, the unsigned URL, a heartbeat, enter room, events."""
    fake.ping_interval = 0.05
    client = make_direct()
    connection = await client.connect(CREATOR, method=DIRECT)
    reader = Reader(connection)
    socket = await fake.wait_connected(creator)
    await fake.push(creator, messages.comment(FAN, "direct hello"), need_ack=True)
    [comment] = await reader.until_count(CommentEvent)
    assert comment.text == "direct hello"
    assert of(reader.events, ConnectEvent)
    # The ttwid: a profile page sets one (the home page no longer does).
    paths = [r.path for r in fake.requests]
    assert paths[:4] == [
        "/api-live/user/room/",
        "/webcast/room/info/",
        f"/@{CREATOR}",
        "/webcast/im/ws_proxy/ws_reuse_supplement/",
    ]
    assert not fake.sign_requests()
    # TikTok's web client order: one heartbeat, enter the room, heartbeats.
    assert await fake.wait_for_heartbeats(socket, 2) == [1, 2]
    sent = [f.payload_type for f in socket.received if f.payload_type != "ack"]
    assert sent[:3] == ["hb", "im_enter_room", "hb"]
    request = socket.request
    assert set(request.cookies) == {"ttwid"}
    assert request.cookies["ttwid"] in fake.minted_ttwids
    assert request.header("User-Agent") == client.user_agent
    assert request.header("Origin") == "https://www.tiktok.com"
    assert request.header("Referer") == "https://www.tiktok.com/"
    assert request.header("Accept-Language")
    query = request.query
    assert query["room_id"] == creator.last_room.room_id  # type: ignore[union-attr]
    assert (query["compress"], query["heartbeat_duration"]) == ("gzip", "10000")
    assert "cursor" not in query
    await connection.close()
    await reader.finished()


async def test_the_home_page_still_setting_ttwid(
    fake: FakeTikTok, creator: FakeCreator, make_direct: ClientFactory
) -> None:
    """Where only the home page sets the ttwid (before late 2026), it is asked after
    the profile page; a ttwid is reused, and the home page is not asked otherwise."""
    fake.home_mints_ttwid = True
    fake.profile_mints_ttwid = False
    client = make_direct()
    for _ in range(2):
        connection = await client.connect(CREATOR, method=DIRECT)
        await connection.close()
    paths = [r.path for r in fake.requests]
    assert (paths.count(f"/@{CREATOR}"), paths.count("/")) == (1, 1)
    assert paths.index(f"/@{CREATOR}") < paths.index("/")

    fake.profile_mints_ttwid = True
    client = make_direct()
    connection = await client.connect(CREATOR, method=DIRECT)
    await connection.close()
    paths = [r.path for r in fake.requests]
    assert (paths.count(f"/@{CREATOR}"), paths.count("/")) == (2, 1)


async def test_default_heartbeat_interval_is_ten_seconds(
    fake: FakeTikTok, creator: FakeCreator, make_direct: ClientFactory
) -> None:
    """Without Handshake-Options the direct socket beats every 10 s, as TikTok's client."""
    connection = await make_direct().connect(CREATOR, method=DIRECT)
    assert connection.heartbeat_interval == 10.0
    await connection.close()


async def test_device_blocked_on_the_direct_path(
    fake: FakeTikTok, creator: FakeCreator, make_direct: ClientFactory
) -> None:
    """DEVICE_BLOCKED: a new ttwid and User-Agent for the next attempt, which works."""
    fake.faults.direct_handshake.once(faults.device_blocked())
    client = make_direct()
    refused = client.user_agent
    await raises(WebcastDeviceBlockedError, client.connect(CREATOR, method=DIRECT))
    connection = await client.connect(CREATOR, method=DIRECT)
    await connection.close()
    first, second = fake.requests_to("/webcast/im/ws_proxy/ws_reuse_supplement/")
    assert first.header("User-Agent") == refused
    assert second.header("User-Agent") != refused
    assert first.cookies["ttwid"] != second.cookies["ttwid"]


async def test_a_ttwid_tiktok_never_gave_is_refused(
    fake: FakeTikTok, creator: FakeCreator, make_direct: ClientFactory
) -> None:
    """The push host checks the ttwid cookie: a made-up one is a DEVICE_BLOCKED."""
    client = make_direct()
    client.identity.cookies.update({"ttwid": "1%7Cmade-up"})
    await raises(WebcastDeviceBlockedError, client.connect(CREATOR, method=DIRECT))


async def test_other_refusals_on_the_direct_path(
    fake: FakeTikTok, creator: FakeCreator, make_direct: ClientFactory
) -> None:
    """A refusal with a reason is TikTok blocking, as on the signed path."""
    fake.faults.direct_handshake.once(faults.blocked(200, "try later"))
    err = await raises(
        WebcastBlockedError, make_direct().connect(CREATOR, method=DIRECT)
    )
    assert err.handshake_msg == "try later"


async def test_age_restricted_on_the_direct_path(
    fake: FakeTikTok, creator: FakeCreator, make_direct: ClientFactory
) -> None:
    """Without a session: refused and withheld. With one: on TikTok's host only."""
    creator.age_restricted = True
    await raises(AgeRestrictedError, make_direct().connect(CREATOR, method=DIRECT))
    fake.valid_session_ids.add("adult")
    # The session is not trusted to the sign server: the direct path needs no trust.
    client = make_direct(session_id="adult", tt_target_idc="useast2a")
    connection = await client.connect(CREATOR, method=DIRECT)
    await connection.close()
    ws = fake.requests_to("/webcast/im/ws_proxy/ws_reuse_supplement/")[-1]
    assert ws.cookies["sessionid"] == "adult"
    assert ws.cookies["tt-target-idc"] == "useast2a"
    assert not fake.sign_requests()


async def test_direct_after_signed_carries_tiktoks_own_ttwid(
    fake: FakeTikTok, creator: FakeCreator, make_direct: ClientFactory
) -> None:
    """The sign server's ttwid goes with the socket it signed, never with a direct one:
    TikTok's push host refuses a ttwid it never gave this browser (DEVICE_BLOCKED)."""
    client = make_direct()
    signed = Reader(await client.connect(CREATOR, method=ConnectMethod.SIGN_SERVER))
    signed_socket = await fake.wait_connected(creator)
    assert signed_socket.request.cookies["ttwid"].startswith("1%7Cfake-ttwid-")
    assert signed_socket.request.cookies["ttwid"] not in fake.minted_ttwids
    await signed.connection.close()
    await signed.finished()
    assert client.identity.cookies.ttwid is None
    reader = Reader(await client.connect(CREATOR, method=DIRECT))
    socket = await fake.wait_connected(creator, count=2)
    assert socket.request.cookies["ttwid"] in fake.minted_ttwids
    await reader.connection.close()
    await reader.finished()
