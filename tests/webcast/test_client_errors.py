"""Every error class: the exact condition that raises it, and its attributes."""

from __future__ import annotations

import asyncio
import json
import socket
import time

import pytest

from custom_components.tiktok_live.webcast import (
    AgeRestrictedError,
    AlreadyConnectedError,
    AuthenticatedWebSocketConnectionError,
    FailedParseRoomIdError,
    InitialCursorMissingError,
    PremiumEndpointError,
    SignAPIError,
    SignAPIKeyInvalidError,
    SignatureMissingTokensError,
    SignatureRateLimitError,
    TikTokLiveClient,
    TikTokLiveError,
    UnexpectedSignatureError,
    UserNotFoundError,
    UserOfflineError,
    WebcastBlocked200Error,
    WebcastBlockedError,
    WebcastConnectionError,
    WebsocketURLMissingError,
    errors,
)
from tests.fake_tiktok import FakeCreator, FakeTikTok, SignReply, WsReply

from .conftest import CREATOR, ClientFactory

Reason = SignAPIError.ErrorReason


def test_hierarchy_matches_tiktoklive() -> None:
    """Same names, bases and reasons as TikTokLive."""
    assert issubclass(TikTokLiveError, RuntimeError)
    for name in (
        "AlreadyConnectedError",
        "UserOfflineError",
        "UserNotFoundError",
        "AgeRestrictedError",
        "InitialCursorMissingError",
        "WebsocketURLMissingError",
        "WebcastBlocked200Error",
        "SignAPIError",
    ):
        assert issubclass(getattr(errors, name), TikTokLiveError), name
    for name in (
        "SignatureRateLimitError",
        "UnexpectedSignatureError",
        "SignatureMissingTokensError",
        "PremiumEndpointError",
        "AuthenticatedWebSocketConnectionError",
    ):
        assert issubclass(getattr(errors, name), SignAPIError), name
    assert WebcastBlocked200Error is WebcastBlockedError
    assert [(r.name, r.value) for r in Reason] == [
        ("RATE_LIMIT", 1),
        ("CONNECT_ERROR", 2),
        ("EMPTY_PAYLOAD", 3),
        ("SIGN_NOT_200", 4),
        ("EMPTY_COOKIES", 5),
        ("PREMIUM_ENDPOINT", 6),
        ("AUTHENTICATED_WS", 7),
    ]


def test_messages_carry_the_version_prefix() -> None:
    """Arguments joined after the prefix; the class name when there are none."""
    assert str(UserOfflineError()) == "TikTokLive v7.0.1 -> UserOfflineError"
    assert str(AlreadyConnectedError("a", "b")) == "TikTokLive v7.0.1 -> a b"
    err = SignAPIError(Reason.EMPTY_COOKIES, "no cookies")
    assert str(err) == "TikTokLive v7.0.1 -> [EMPTY_COOKIES] no cookies"
    assert err.response is None
    assert err.log_id is None
    assert err.agent_id is None


async def test_user_offline_from_live_page(
    fake: FakeTikTok, make_client: ClientFactory
) -> None:
    """Room status 4 on the LIVE page."""
    fake.add_creator("sleeper", user_id=42)
    with pytest.raises(UserOfflineError, match="'@sleeper' is offline"):
        await make_client().fetch_room_id("sleeper")
    with pytest.raises(UserOfflineError):
        await make_client().connect("sleeper")


async def test_user_offline_from_check_alive(
    fake: FakeTikTok, creator: FakeCreator, make_client: ClientFactory
) -> None:
    """The page still has a room, but check_alive says it is over."""
    fake.check_alive_override = False
    with pytest.raises(UserOfflineError) as caught:
        await make_client().connect(CREATOR)
    assert str(caught.value) == "TikTokLive v7.0.1 -> UserOfflineError"
    assert not fake.sign_requests()


async def test_user_not_found(fake: FakeTikTok, make_client: ClientFactory) -> None:
    """No LiveRoom in the page, then user_not_found from the API."""
    client = make_client()
    with pytest.raises(UserNotFoundError) as caught:
        await client.resolve_creator("@nobody_here")
    assert caught.value.unique_id == "nobody_here"
    with pytest.raises(UserNotFoundError) as caught:
        await client.fetch_room_id("nobody_here")
    assert caught.value.unique_id == "nobody_here"
    paths = [r.path for r in fake.requests]
    assert paths == ["/@nobody_here/live", "/api-live/user/room/"] * 2


async def test_api_answer_without_message_is_not_a_key_error(
    fake: FakeTikTok, make_client: ClientFactory
) -> None:
    """TikTokLive raises KeyError here; the client raises its own error."""
    fake.html_broken = True
    fake.api_without_message = True
    with pytest.raises(FailedParseRoomIdError):
        await make_client().fetch_room_id("anyone")


async def test_age_restricted(
    fake: FakeTikTok, creator: FakeCreator, make_client: ClientFactory
) -> None:
    """Room info with "prompts"; a valid session lifts it."""
    creator.age_restricted = True
    with pytest.raises(AgeRestrictedError, match="sessionid"):
        await make_client().connect(CREATOR)
    assert not fake.sign_requests()

    fake.valid_session_ids.add("adult-session")
    client = make_client(
        session_id="adult-session", trust_sign_server_with_session=True
    )
    connection = await client.connect(CREATOR)
    await connection.close()


async def test_age_restricted_when_room_info_is_almost_empty(
    fake: FakeTikTok, creator: FakeCreator, make_client: ClientFactory
) -> None:
    """A room info with one key or less counts as restricted too."""
    with pytest.raises(AgeRestrictedError):
        await make_client().fetch_room_info("123")  # the fake knows no such room


@pytest.mark.parametrize(
    ("reply", "error", "text"),
    [
        (SignReply(cursor=False), InitialCursorMissingError, "Missing cursor"),
        (SignReply(push_server=False), WebsocketURLMissingError, "No websocket URL"),
        (SignReply(route_params=False), WebsocketURLMissingError, "parameters missing"),
    ],
)
async def test_incomplete_first_fetch(
    fake: FakeTikTok,
    creator: FakeCreator,
    make_client: ClientFactory,
    reply: SignReply,
    error: type[Exception],
    text: str,
) -> None:
    """A first fetch result without what the WebSocket URL is built from."""
    fake.sign_replies.append(reply)
    with pytest.raises(error, match=text):
        await make_client().connect(CREATOR)
    assert not [r for r in fake.requests if r.path == "/ws"]


@pytest.mark.parametrize("status", [200, 400])
async def test_blocked_handshake(
    fake: FakeTikTok, creator: FakeCreator, make_client: ClientFactory, status: int
) -> None:
    """TikTok answers the upgrade with 200 or 400 and a Handshake-Msg."""
    fake.ws_replies.append(WsReply(status=status, handshake_msg="illegal secret key"))
    with pytest.raises(WebcastBlocked200Error, match='due to "illegal secret key"'):
        await make_client().connect(CREATOR)


async def test_blocked_handshake_without_reason(
    fake: FakeTikTok, creator: FakeCreator, make_client: ClientFactory
) -> None:
    """No Handshake-Msg header: an unknown reason."""
    fake.ws_replies.append(WsReply(status=200, handshake_msg=None))
    with pytest.raises(WebcastBlockedError, match="an unknown reason"):
        await make_client().connect(CREATOR)


async def test_other_handshake_status(
    fake: FakeTikTok, creator: FakeCreator, make_client: ClientFactory
) -> None:
    """Any other status is a connection error with the status, not a crash."""
    fake.ws_replies.append(WsReply(status=403, handshake_msg="forbidden"))
    with pytest.raises(WebcastConnectionError) as caught:
        await make_client().connect(CREATOR)
    assert caught.value.status == 403


async def test_sign_server_unreachable(
    creator: FakeCreator, make_client: ClientFactory
) -> None:
    """CONNECT_ERROR, with no response."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    client = make_client(sign_server_url=f"http://127.0.0.1:{port}")
    with pytest.raises(SignAPIError) as caught:
        await client.connect(CREATOR)
    assert caught.value.reason is Reason.CONNECT_ERROR
    assert caught.value.response is None
    assert type(caught.value) is SignAPIError


@pytest.mark.parametrize(
    ("reply", "reason"),
    [
        (SignReply(status=503, body=b""), Reason.EMPTY_PAYLOAD),
        (SignReply(status=500, body=b'{"message": "internal"}'), Reason.SIGN_NOT_200),
        (SignReply(cookie=False), Reason.EMPTY_COOKIES),
    ],
)
async def test_sign_server_failures(
    fake: FakeTikTok,
    creator: FakeCreator,
    make_client: ClientFactory,
    reply: SignReply,
    reason: SignAPIError.ErrorReason,
) -> None:
    """Each failure has its reason, the response snapshot and the ids."""
    fake.sign_replies.append(reply)
    with pytest.raises(SignAPIError) as caught:
        await make_client().connect(CREATOR)
    err = caught.value
    assert type(err) is SignAPIError
    assert err.reason is reason
    assert str(err).startswith(f"TikTokLive v7.0.1 -> [{reason.name}]")
    assert err.response is not None
    assert err.response.status == reply.status
    assert err.log_id is not None
    assert err.log_id.startswith("log-")
    assert err.agent_id == "fake-agent"
    # The snapshot is read-only and holds no cookies.
    with pytest.raises(TypeError):
        err.response.headers["X-Request-Id"] = "changed"  # type: ignore[index]
    assert "X-Set-TT-Cookie" not in err.response.headers


async def test_rate_limited_with_headers(
    fake: FakeTikTok, creator: FakeCreator, make_client: ClientFactory
) -> None:
    """retry_after from RateLimit-Remaining, reset_time from RateLimit-Reset."""
    fake.sign_replies.append(
        SignReply(
            status=429,
            body=json.dumps({"message": "Too many", "limit_label": "minute"}).encode(),
            headers={"RateLimit-Remaining": "17", "RateLimit-Reset": "1900000000"},
        )
    )
    with pytest.raises(SignatureRateLimitError) as caught:
        await make_client().connect(CREATOR)
    err = caught.value
    assert err.reason is Reason.RATE_LIMIT
    assert err.retry_after == 17
    assert err.reset_time == 1_900_000_000
    assert "try again in 17 seconds" in str(err)
    assert "(minute)" in str(err)
    assert err.response is not None
    assert err.response.status == 429


async def test_rate_limited_with_retry_after_only(
    fake: FakeTikTok, creator: FakeCreator, make_client: ClientFactory
) -> None:
    """TikTokLive crashes with TypeError here; we fall back to Retry-After."""
    fake.sign_replies.append(
        SignReply(status=429, body=b"{}", headers={"Retry-After": "30"})
    )
    before = int(time.time())
    with pytest.raises(SignatureRateLimitError) as caught:
        await make_client().connect(CREATOR)
    assert caught.value.retry_after == 30
    assert before + 30 <= caught.value.reset_time <= int(time.time()) + 30


async def test_rate_limited_without_headers(
    fake: FakeTikTok, creator: FakeCreator, make_client: ClientFactory
) -> None:
    """No header at all: a default wait, still a rate limit error."""
    fake.sign_replies.append(SignReply(status=429, body=b""))
    with pytest.raises(SignatureRateLimitError) as caught:
        await make_client().connect(CREATOR)
    assert caught.value.retry_after == 60


async def test_relative_reset(
    fake: FakeTikTok, creator: FakeCreator, make_client: ClientFactory
) -> None:
    """A small RateLimit-Reset is seconds from now."""
    fake.sign_replies.append(
        SignReply(
            status=429,
            body=b"",
            headers={"RateLimit-Remaining": "5", "RateLimit-Reset": "90"},
        )
    )
    before = int(time.time())
    with pytest.raises(SignatureRateLimitError) as caught:
        await make_client().connect(CREATOR)
    assert before + 90 <= caught.value.reset_time <= int(time.time()) + 90


@pytest.mark.parametrize("status", [402, 403])
async def test_premium_endpoint(
    fake: FakeTikTok, creator: FakeCreator, make_client: ClientFactory, status: int
) -> None:
    """402/403 mean a (premium) key is needed."""
    fake.sign_replies.append(
        SignReply(status=status, body=json.dumps({"message": "Premium only"}).encode())
    )
    with pytest.raises(PremiumEndpointError) as caught:
        await make_client().connect(CREATOR)
    assert caught.value.reason is Reason.PREMIUM_ENDPOINT
    assert caught.value.api_message == "Premium only"


async def test_missing_key_is_premium_and_bad_key_is_invalid(
    fake: FakeTikTok, creator: FakeCreator, make_client: ClientFactory
) -> None:
    """Without a key: premium needed. With a wrong one: the key is invalid."""
    fake.required_api_key = "the-good-key"
    with pytest.raises(PremiumEndpointError):
        await make_client().connect(CREATOR)
    bad = make_client(sign_api_key="sk-wrong-key-123")
    with pytest.raises(SignAPIKeyInvalidError) as caught:
        await bad.connect(CREATOR)
    assert "sk-wrong-key-123" not in str(caught.value)
    assert "sk-wrong-key-123" not in repr(bad)
    with pytest.raises(SignAPIKeyInvalidError):
        await bad.fetch_sign_rate_limits()
    good = make_client(sign_api_key="the-good-key")
    assert (await good.fetch_sign_rate_limits())["minute"]["max"] == 10
    connection = await good.connect(CREATOR)
    await connection.close()
    assert fake.sign_requests()[-1].headers["X-Api-Key"] == "the-good-key"


async def test_unparseable_first_fetch(
    fake: FakeTikTok, creator: FakeCreator, make_client: ClientFactory
) -> None:
    """A 200 whose body is not a fetch result."""
    fake.sign_replies.append(
        SignReply(
            status=200, body=b"\x0a\xff\xff", headers={"X-Set-TT-Cookie": "ttwid=x"}
        )
    )
    with pytest.raises(UnexpectedSignatureError):
        await make_client().connect(CREATOR)


async def test_sign_url_errors(fake: FakeTikTok, make_client: ClientFactory) -> None:
    """sign_url: premium (code 403), unexpected (non-200), missing tokens, success."""
    client = make_client()
    url = "https://www.tiktok.com/api/x?a=1"
    fake.sign_url_replies.append((200, {"code": 403, "message": "Premium"}))
    with pytest.raises(PremiumEndpointError) as premium:
        await client.sign_url(url)
    assert premium.value.api_message == "Premium"
    fake.sign_url_replies.append((500, b"oops"))
    with pytest.raises(UnexpectedSignatureError, match="Failed to parse"):
        await client.sign_url(url)
    fake.sign_url_replies.append((200, b"not json"))
    with pytest.raises(UnexpectedSignatureError, match="due to an error"):
        await client.sign_url(url)
    fake.sign_url_replies.append((200, {"code": 200, "response": {"signedUrl": url}}))
    with pytest.raises(SignatureMissingTokensError) as missing:
        await client.sign_url(url)
    assert missing.value.reason is Reason.EMPTY_PAYLOAD
    fake.sign_url_replies.append((200, {"code": 200}))
    with pytest.raises(SignatureMissingTokensError):
        await client.sign_url(url)
    assert "msToken" in await client.sign_url(url)


async def test_session_needs_an_explicit_opt_in(
    fake: FakeTikTok, creator: FakeCreator, make_client: ClientFactory
) -> None:
    """A session is never sent to a sign server nobody trusted."""
    client = make_client(session_id="secret-session-abc")
    with pytest.raises(AuthenticatedWebSocketConnectionError) as caught:
        await client.connect(CREATOR)
    assert caught.value.reason is Reason.AUTHENTICATED_WS
    assert "secret-session-abc" not in str(caught.value)
    assert "secret-session-abc" not in repr(client)
    assert not fake.sign_requests()
    with pytest.raises(AuthenticatedWebSocketConnectionError):
        await client.sign_url("https://www.tiktok.com/x")

    trusted = make_client(
        session_id="secret-session-abc", trust_sign_server_with_session=True
    )
    connection = await trusted.connect(CREATOR)
    await connection.close()
    [sign] = fake.sign_requests()
    assert sign.query["session_id"] == "secret-session-abc"
    [ws] = [r for r in fake.requests if r.path == "/ws"]
    assert "sessionid=secret-session-abc;" in ws.headers["Cookie"]


async def test_already_connected(
    fake: FakeTikTok, creator: FakeCreator, make_client: ClientFactory
) -> None:
    """One connection per client while it is open; a new one after it closed."""
    client = make_client()
    connection = await client.connect(CREATOR)
    with pytest.raises(AlreadyConnectedError, match="only make one connection"):
        await client.connect(CREATOR)
    await client.disconnect()
    assert connection.closed
    again = await client.connect(CREATOR)
    await again.close()


async def test_disconnect_during_connect(
    fake: FakeTikTok, creator: FakeCreator, make_client: ClientFactory
) -> None:
    """disconnect() aborts a connect stuck in the handshake and leaves nothing open."""
    fake.stall_handshake = asyncio.Event()
    client = make_client()
    connecting = asyncio.create_task(client.connect(CREATOR))
    await fake.wait_for(lambda: fake.stalled_handshakes == 1)
    await client.disconnect()
    with pytest.raises(WebcastConnectionError, match="Disconnected while connecting"):
        await connecting
    fake.stall_handshake.set()
    assert client.connection is None
    assert not fake.open_sockets()


async def test_unreachable_tiktok(make_client: ClientFactory) -> None:
    """TikTok itself unreachable: a connection error, never a raw aiohttp error."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    client = make_client(web_url=f"http://127.0.0.1:{port}")
    with pytest.raises(WebcastConnectionError):
        await client.resolve_creator("anyone")


def test_parse_unique_id() -> None:
    """Handles, @handles and URLs give the handle; anything else is refused."""
    parse = TikTokLiveClient.parse_unique_id
    assert parse("@creator") == "creator"
    assert parse("  creator.name_1 ") == "creator.name_1"
    assert parse("https://www.tiktok.com/@creator") == "creator"
    assert parse("https://www.tiktok.com/@creator/live?lang=en") == "creator"
    assert parse("www.tiktok.com/@creator/live") == "creator"
    for bad in ("", "@", "two words", "https://www.tiktok.com/live", "a/b"):
        with pytest.raises(ValueError):
            parse(bad)
