"""Every error class: the exact condition that raises it, and its attributes.

Each error goes through ``raises()``, which also checks the "TikTokLive v7.0.1 ->"
prefix and that the error is exactly that class.
"""

from __future__ import annotations

import json
import logging
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
    WebcastConnectionClosedError,
    WebcastConnectionError,
    WebsocketURLMissingError,
    errors,
)
from tests.fake_tiktok import (
    ApiFault,
    FakeCreator,
    FakeTikTok,
    HttpStatus,
    PageFault,
    Request,
    RoomInfoFault,
    SignReply,
    faults,
)

from .conftest import CREATOR, PREFIX, ClientFactory, raises

Reason = SignAPIError.ErrorReason
SIGN_URL = "https://www.tiktok.com/api/live/x?aid=1988"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def ws_requests(fake: FakeTikTok) -> list[Request]:
    return fake.requests_to("/ws")


# ------------------------------------------------------------- the hierarchy


def test_hierarchy_matches_tiktoklive() -> None:
    """Same names, bases and reasons as TikTokLive, plus the contract's extras."""
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
        "FailedParseRoomIdError",
        "WebcastConnectionError",
    ):
        assert issubclass(getattr(errors, name), TikTokLiveError), name
    for name in (
        "SignatureRateLimitError",
        "UnexpectedSignatureError",
        "SignatureMissingTokensError",
        "PremiumEndpointError",
        "AuthenticatedWebSocketConnectionError",
        "SignAPIKeyInvalidError",
    ):
        assert issubclass(getattr(errors, name), SignAPIError), name
    assert issubclass(WebcastConnectionClosedError, WebcastConnectionError)
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


def _every_error() -> list[TikTokLiveError]:
    """One instance of every error class, built as the client builds them."""
    built: list[TikTokLiveError] = [
        TikTokLiveError(),
        AlreadyConnectedError("You can only make one connection per client!"),
        UserOfflineError(),
        UserNotFoundError("nobody", "TikTok does not know @nobody."),
        AgeRestrictedError("age"),
        InitialCursorMissingError("Missing cursor in initial fetch response."),
        WebsocketURLMissingError("Websocket parameters missing."),
        WebcastBlockedError('WebSocket rejected by TikTok due to "x".'),
        FailedParseRoomIdError("no room"),
        WebcastConnectionError("down", status=500),
        WebcastConnectionClosedError(4001, "bye"),
        SignAPIError(Reason.EMPTY_COOKIES, "no cookies"),
        SignatureRateLimitError(5, 10),
        UnexpectedSignatureError("bad"),
        SignatureMissingTokensError("no tokens"),
        PremiumEndpointError("premium", api_message="pay"),
        SignAPIKeyInvalidError("bad key"),
        AuthenticatedWebSocketConnectionError("no"),
    ]
    classes = {
        obj
        for obj in vars(errors).values()
        if isinstance(obj, type) and issubclass(obj, TikTokLiveError)
    }
    assert classes == {type(err) for err in built}, "an error class is not covered"
    return built


@pytest.mark.parametrize("err", _every_error(), ids=lambda e: type(e).__name__)
def test_every_error_message_has_the_version_prefix(err: TikTokLiveError) -> None:
    """ "TikTokLive v7.0.1 -> " then the arguments joined by spaces (or the class name)."""
    assert str(err).startswith(PREFIX)
    assert len(str(err)) > len(PREFIX)


def test_message_format() -> None:
    """Arguments joined after the prefix; the class name when there are none."""
    assert str(UserOfflineError()) == f"{PREFIX}UserOfflineError"
    assert str(AlreadyConnectedError("a", "b")) == f"{PREFIX}a b"
    err = SignAPIError(Reason.EMPTY_COOKIES, "no cookies")
    assert str(err) == f"{PREFIX}[EMPTY_COOKIES] no cookies"
    assert (err.response, err.log_id, err.agent_id) == (None, None, None)


# ----------------------------------------------------------- UserOfflineError


async def test_user_offline_from_the_live_page(
    fake: FakeTikTok, make_client: ClientFactory
) -> None:
    """Path (a): LiveRoom.liveRoomUserInfo.user.status == 4, no fallback, no sign call."""
    fake.add_creator("sleeper", user_id=42)
    err = await raises(UserOfflineError, make_client().fetch_room_id("sleeper"))
    assert str(err) == f"{PREFIX}The requested TikTok LIVE user '@sleeper' is offline."
    await raises(UserOfflineError, make_client().connect("sleeper"))
    assert [r.path for r in fake.requests] == ["/@sleeper/live"] * 2


async def test_user_offline_from_check_alive(
    fake: FakeTikTok, creator: FakeCreator, make_client: ClientFactory
) -> None:
    """Path (b): the page has a room, but check_alive says alive=false."""
    fake.faults.check_alive.once(False)
    err = await raises(UserOfflineError, make_client().connect(CREATOR))
    assert str(err) == f"{PREFIX}UserOfflineError"
    [check] = fake.requests_to("/webcast/room/check_alive/")
    assert check.query["room_ids"] == creator.last_room.room_id  # type: ignore[union-attr]
    assert not fake.sign_requests()


async def test_user_offline_from_the_room_api(
    fake: FakeTikTok, creator: FakeCreator, make_client: ClientFactory
) -> None:
    """The page is a captcha; the API fallback says liveRoom.status 4."""
    fake.faults.live_page.once(PageFault.NO_SIGI_STATE)
    fake.faults.room_api.once(ApiFault.OFFLINE)
    await raises(UserOfflineError, make_client().fetch_room_id(CREATOR))


async def test_user_offline_from_the_room_api_without_room(
    fake: FakeTikTok, make_client: ClientFactory
) -> None:
    """An offline creator's API answer: status 4 and an empty roomId is "offline"."""
    fake.add_creator("sleeper", user_id=42)
    fake.faults.live_page.once(PageFault.NO_SIGI_STATE)
    await raises(UserOfflineError, make_client().fetch_room_id("sleeper"))


# ---------------------------------------------------------- UserNotFoundError


async def test_user_not_found(fake: FakeTikTok, make_client: ClientFactory) -> None:
    """No LiveRoom in the page, then message user_not_found from the API."""
    client = make_client()
    err = await raises(UserNotFoundError, client.resolve_creator("@nobody_here"))
    assert err.unique_id == "nobody_here"
    err = await raises(UserNotFoundError, client.fetch_room_id("nobody_here"))
    assert err.unique_id == "nobody_here"
    err = await raises(UserNotFoundError, client.connect("nobody_here"))
    assert err.unique_id == "nobody_here"
    paths = [r.path for r in fake.requests]
    assert paths == ["/@nobody_here/live", "/api-live/user/room/"] * 3
    assert fake.requests[1].query["uniqueId"] == "nobody_here"
    assert fake.requests[1].query["sourceType"] == "54"


async def test_page_without_live_room_falls_back_to_the_api(
    fake: FakeTikTok, creator: FakeCreator, make_client: ClientFactory
) -> None:
    """A page without LiveRoom is not final: the API knows the creator."""
    fake.faults.live_page.once(PageFault.NO_LIVE_ROOM)
    room_id = await make_client().fetch_room_id(CREATOR)
    assert room_id == creator.last_room.room_id  # type: ignore[union-attr]
    fake.faults.room_api.once(ApiFault.USER_NOT_FOUND)
    fake.faults.live_page.once(PageFault.NO_LIVE_ROOM)
    err = await raises(UserNotFoundError, make_client().fetch_room_id(CREATOR))
    assert err.unique_id == CREATOR


# ----------------------------------------------------- FailedParseRoomIdError


@pytest.mark.parametrize("api", [ApiFault.NO_ROOM_ID, ApiFault.NO_MESSAGE])
async def test_no_room_id_anywhere(
    fake: FakeTikTok, creator: FakeCreator, make_client: ClientFactory, api: ApiFault
) -> None:
    """Broken page, API without roomId (or without "message": no KeyError here)."""
    fake.faults.live_page.once(PageFault.BAD_JSON)
    fake.faults.room_api.once(api)
    await raises(FailedParseRoomIdError, make_client().fetch_room_id(CREATOR))


# --------------------------------------------------------- AgeRestrictedError


async def test_age_restricted_by_prompts(
    fake: FakeTikTok, creator: FakeCreator, make_client: ClientFactory
) -> None:
    """Room info data with "prompts"; no sign call; a valid session lifts it."""
    creator.age_restricted = True
    err = await raises(AgeRestrictedError, make_client().connect(CREATOR))
    assert "sessionid" in str(err)
    assert not fake.sign_requests()

    fake.valid_session_ids.add("adult-session")
    client = make_client(
        session_id="adult-session", trust_sign_server_with_session=True
    )
    connection = await client.connect(CREATOR)
    await connection.close()
    info = fake.requests_to("/webcast/room/info/")[-1]
    assert info.cookies["sessionid"] == "adult-session"
    assert info.query["user_is_login"] == "true"


async def test_age_restricted_when_room_info_has_one_key(
    fake: FakeTikTok, creator: FakeCreator, make_client: ClientFactory
) -> None:
    """Room info data with a single key counts as restricted too."""
    fake.faults.room_info.once(RoomInfoFault.ALMOST_EMPTY)
    await raises(AgeRestrictedError, make_client().connect(CREATOR))
    await raises(AgeRestrictedError, make_client().fetch_room_info("123"))  # unknown
    connection = await make_client().connect(CREATOR)  # the fault was one-shot
    await connection.close()


async def test_room_info_is_skipped_when_not_wanted(
    fake: FakeTikTok, creator: FakeCreator, make_client: ClientFactory
) -> None:
    """fetch_room_info=False: an age restriction is not looked at."""
    fake.faults.room_info.always(RoomInfoFault.AGE_RESTRICTED)
    client = make_client()
    connection = await client.connect(CREATOR, fetch_room_info=False)
    await connection.close()
    assert client.room_info is None
    assert not fake.requests_to("/webcast/room/info/")


# ----------------------------------------- the first fetch result is incomplete


@pytest.mark.parametrize(
    ("reply", "error", "text"),
    [
        (
            faults.missing_cursor(),
            InitialCursorMissingError,
            "Missing cursor in initial fetch response.",
        ),
        (
            faults.missing_push_server(),
            WebsocketURLMissingError,
            "No websocket URL received from TikTok.",
        ),
        (
            faults.missing_route_params(),
            WebsocketURLMissingError,
            "Websocket parameters missing.",
        ),
    ],
    ids=["no-cursor", "no-push-server", "no-route-params"],
)
async def test_incomplete_first_fetch(
    fake: FakeTikTok,
    creator: FakeCreator,
    make_client: ClientFactory,
    reply: SignReply,
    error: type[TikTokLiveError],
    text: str,
) -> None:
    """No WebSocket URL can be built: the exact TikTokLive text, no /ws request."""
    fake.faults.sign_fetch.once(reply)
    err = await raises(error, make_client().connect(CREATOR))
    assert str(err) == PREFIX + text
    assert not ws_requests(fake)


# ------------------------------------------------------ WebcastBlocked200Error


@pytest.mark.parametrize("status", [200, 400])
async def test_blocked_handshake(
    fake: FakeTikTok, creator: FakeCreator, make_client: ClientFactory, status: int
) -> None:
    """TikTok answers the upgrade with 200 or 400 and a Handshake-Msg."""
    fake.faults.ws_handshake.once(faults.blocked(status, "illegal secret key"))
    client = make_client()
    err = await raises(WebcastBlocked200Error, client.connect(CREATOR))
    assert 'WebSocket rejected by TikTok due to "illegal secret key".' in str(err)
    assert ("400 Bad Request" in str(err)) is (status == 400)
    assert client.connection is None
    assert len(ws_requests(fake)) == 1


async def test_blocked_handshake_without_reason(
    fake: FakeTikTok, creator: FakeCreator, make_client: ClientFactory
) -> None:
    """No Handshake-Msg header: "an unknown reason"."""
    fake.faults.ws_handshake.once(faults.blocked(200, None))
    err = await raises(WebcastBlockedError, make_client().connect(CREATOR))
    assert "an unknown reason" in str(err)


# ----------------------------------------------------- WebcastConnectionError


@pytest.mark.parametrize("status", [403, 404, 502])
async def test_other_handshake_status(
    fake: FakeTikTok, creator: FakeCreator, make_client: ClientFactory, status: int
) -> None:
    """Any other status is a connection error with the status, not a crash."""
    fake.faults.ws_handshake.once(faults.WsReply(status=status, handshake_msg="no"))
    err = await raises(WebcastConnectionError, make_client().connect(CREATOR))
    assert err.status == status


@pytest.mark.parametrize("status", [429, 500])
async def test_tiktok_web_http_errors(
    fake: FakeTikTok, creator: FakeCreator, make_client: ClientFactory, status: int
) -> None:
    """Page and API both failing with a status: a connection error with the status."""
    fake.faults.live_page.once(HttpStatus(status))
    fake.faults.room_api.once(HttpStatus(status))
    err = await raises(WebcastConnectionError, make_client().resolve_creator(CREATOR))
    assert err.status == status


async def test_webcast_api_errors(
    fake: FakeTikTok, creator: FakeCreator, make_client: ClientFactory
) -> None:
    """check_alive and room info failing: connection errors, no sign call."""
    fake.faults.check_alive.once(HttpStatus(503))
    err = await raises(WebcastConnectionError, make_client().connect(CREATOR))
    assert err.status == 503
    fake.faults.check_alive.once(HttpStatus(200, "not json"))
    await raises(WebcastConnectionError, make_client().connect(CREATOR))
    fake.faults.room_info.once(HttpStatus(500, "{}"))
    err = await raises(WebcastConnectionError, make_client().connect(CREATOR))
    assert err.status == 500
    assert not fake.sign_requests()


async def test_unreachable_tiktok(make_client: ClientFactory) -> None:
    """TikTok itself unreachable: a connection error, never a raw aiohttp error."""
    client = make_client(web_url=f"http://127.0.0.1:{free_port()}")
    err = await raises(WebcastConnectionError, client.resolve_creator("anyone"))
    assert err.status is None


# --------------------------------------------------------------- SignAPIError


async def test_sign_server_unreachable(
    creator: FakeCreator, make_client: ClientFactory
) -> None:
    """CONNECT_ERROR, with no response and no ids."""
    client = make_client(sign_server_url=f"http://127.0.0.1:{free_port()}")
    err = await raises(SignAPIError, client.connect(CREATOR))
    assert err.reason is Reason.CONNECT_ERROR
    assert (err.response, err.log_id, err.agent_id) == (None, None, None)


async def test_sign_server_timeout(
    fake: FakeTikTok, creator: FakeCreator, make_client: ClientFactory
) -> None:
    """A sign server that never answers: CONNECT_ERROR once the timeout passed."""
    fake.faults.sign_fetch.once(faults.sign_stall())
    client = make_client(request_timeout=0.3)
    err = await raises(SignAPIError, client.connect(CREATOR))
    assert err.reason is Reason.CONNECT_ERROR
    assert err.response is None
    assert len(fake.stalled_requests) == 1


@pytest.mark.parametrize(
    ("reply", "reason", "text"),
    [
        (faults.sign_empty(503), Reason.EMPTY_PAYLOAD, "HTTP 503 with an empty body"),
        (faults.sign_empty(200), Reason.EMPTY_PAYLOAD, "HTTP 200 with an empty body"),
        (faults.sign_empty(402), Reason.EMPTY_PAYLOAD, "empty body"),
        (
            faults.sign_status(500, "internal trouble"),
            Reason.SIGN_NOT_200,
            "internal trouble",
        ),
        (faults.sign_status(404), Reason.SIGN_NOT_200, "HTTP 404"),
        (faults.sign_no_cookie(), Reason.EMPTY_COOKIES, "X-Set-TT-Cookie"),
        (
            SignReply(headers={"X-Set-TT-Cookie": " "}),
            Reason.EMPTY_COOKIES,
            "X-Set-TT-Cookie",
        ),
    ],
    ids=[
        "empty-503",
        "empty-200",
        "empty-402",
        "500",
        "404",
        "no-cookie",
        "blank-cookie",
    ],
)
async def test_sign_server_failures(
    fake: FakeTikTok,
    creator: FakeCreator,
    make_client: ClientFactory,
    reply: SignReply,
    reason: SignAPIError.ErrorReason,
    text: str,
) -> None:
    """Each failure: its reason, the response snapshot, the log and agent ids."""
    fake.faults.sign_fetch.once(reply)
    err = await raises(SignAPIError, make_client().connect(CREATOR))
    assert err.reason is reason
    assert str(err).startswith(f"{PREFIX}[{reason.name}]")
    assert text in str(err)
    assert err.response is not None
    assert err.response.status == reply.status
    assert err.log_id is not None
    assert err.log_id.startswith("log-")
    assert err.log_id == err.response.headers["X-Request-Id"]
    assert err.agent_id == "fake-agent"
    # The snapshot is read-only and holds no cookies.
    with pytest.raises(TypeError):
        err.response.headers["X-Request-Id"] = "changed"  # type: ignore[index]
    assert "X-Set-TT-Cookie" not in err.response.headers
    assert not ws_requests(fake)


async def test_error_snapshot_drops_cookies(
    fake: FakeTikTok, creator: FakeCreator, make_client: ClientFactory
) -> None:
    """A failing answer that still sets cookies: they are not kept in the error."""
    fake.faults.sign_fetch.once(
        SignReply(
            status=500,
            body=b'{"message": "x"}',
            headers={"X-Set-TT-Cookie": "ttwid=secret-ttwid", "Set-Cookie": "a=secret"},
        )
    )
    err = await raises(SignAPIError, make_client().connect(CREATOR))
    assert err.response is not None
    assert "secret" not in str(dict(err.response.headers))


# ---------------------------------------------------- SignatureRateLimitError


async def test_rate_limited_with_headers(
    fake: FakeTikTok, creator: FakeCreator, make_client: ClientFactory
) -> None:
    """retry_after from RateLimit-Remaining, reset_time from RateLimit-Reset."""
    fake.faults.sign_fetch.once(
        faults.rate_limited(remaining=17, reset=1_900_000_000, label="minute")
    )
    err = await raises(SignatureRateLimitError, make_client().connect(CREATOR))
    assert err.reason is Reason.RATE_LIMIT
    assert err.retry_after == 17
    assert err.reset_time == 1_900_000_000
    assert "Too many connections started, try again in 17 seconds." in str(err)
    assert "(minute)" in str(err)
    assert err.response is not None
    assert err.response.status == 429
    assert err.response.headers["RateLimit-Remaining"] == "17"
    assert err.log_id is not None
    assert err.agent_id == "fake-agent"


async def test_rate_limited_with_a_relative_reset(
    fake: FakeTikTok, creator: FakeCreator, make_client: ClientFactory
) -> None:
    """A small RateLimit-Reset is seconds from now."""
    fake.faults.sign_fetch.once(faults.rate_limited(remaining=5, reset=90))
    before = int(time.time())
    err = await raises(SignatureRateLimitError, make_client().connect(CREATOR))
    assert err.retry_after == 5
    assert before + 90 <= err.reset_time <= int(time.time()) + 90


async def test_rate_limited_with_retry_after_only(
    fake: FakeTikTok, creator: FakeCreator, make_client: ClientFactory
) -> None:
    """TikTokLive crashes with TypeError here; the client falls back to Retry-After."""
    fake.faults.sign_fetch.once(faults.rate_limited(retry_after=30))
    before = int(time.time())
    err = await raises(SignatureRateLimitError, make_client().connect(CREATOR))
    assert err.retry_after == 30
    assert before + 30 <= err.reset_time <= int(time.time()) + 30


@pytest.mark.parametrize("empty_body", [True, False])
async def test_rate_limited_without_headers(
    fake: FakeTikTok,
    creator: FakeCreator,
    make_client: ClientFactory,
    empty_body: bool,
) -> None:
    """No header at all (even with an empty body): 60 s, still a rate limit."""
    fake.faults.sign_fetch.once(faults.rate_limited(empty_body=empty_body))
    before = int(time.time())
    err = await raises(SignatureRateLimitError, make_client().connect(CREATOR))
    assert err.retry_after == 60
    assert before + 60 <= err.reset_time <= int(time.time()) + 60


async def test_rate_limited_with_garbage_headers(
    fake: FakeTikTok, creator: FakeCreator, make_client: ClientFactory
) -> None:
    """Headers that are not numbers are ignored, never a ValueError."""
    fake.faults.sign_fetch.once(
        faults.rate_limited(remaining="soon", reset="later", retry_after="12")
    )
    err = await raises(SignatureRateLimitError, make_client().connect(CREATOR))
    assert err.retry_after == 12


# ------------------------------------------------------- PremiumEndpointError


@pytest.mark.parametrize("status", [402, 403])
async def test_premium_endpoint(
    fake: FakeTikTok, creator: FakeCreator, make_client: ClientFactory, status: int
) -> None:
    """402/403 from the sign fetch: a (premium) key is needed; api_message kept."""
    fake.faults.sign_fetch.once(faults.sign_status(status, "Premium only"))
    err = await raises(PremiumEndpointError, make_client().connect(CREATOR))
    assert err.reason is Reason.PREMIUM_ENDPOINT
    assert err.api_message == "Premium only"
    assert err.response is not None
    assert err.response.status == status
    assert err.log_id is not None


async def test_premium_endpoint_from_sign_url_code(
    fake: FakeTikTok, make_client: ClientFactory
) -> None:
    """sign_url: HTTP 200 whose JSON code is 403."""
    fake.faults.sign_url.once(faults.sign_url_code(403, "Premium"))
    err = await raises(PremiumEndpointError, make_client().sign_url(SIGN_URL))
    assert err.api_message == "Premium"
    assert err.response is not None
    assert err.response.status == 200


@pytest.mark.parametrize(("key", "status"), [(None, 402), ("basic-key", 403)])
async def test_premium_endpoint_from_the_key_plan(
    fake: FakeTikTok, make_client: ClientFactory, key: str | None, status: int
) -> None:
    """sign_url is premium-only: no key → 402, a basic key → 403, premium → signed."""
    fake.premium_endpoints.add("/sign/webcast/sign_url")
    fake.premium_api_keys.add("premium-key")
    err = await raises(
        PremiumEndpointError, make_client(sign_api_key=key).sign_url(SIGN_URL)
    )
    assert err.response is not None
    assert err.response.status == status
    signed = await make_client(sign_api_key="premium-key").sign_url(SIGN_URL)
    assert "msToken=" in signed


async def test_missing_key_is_premium(
    fake: FakeTikTok, creator: FakeCreator, make_client: ClientFactory
) -> None:
    """401 while no key is configured: a key is needed (not "invalid key")."""
    fake.required_api_key = "the-good-key"
    err = await raises(PremiumEndpointError, make_client().connect(CREATOR))
    assert err.response is not None
    assert err.response.status == 401
    assert "X-Api-Key" not in fake.sign_requests()[-1].headers


# ----------------------------------------------------- SignAPIKeyInvalidError


async def test_invalid_key(
    fake: FakeTikTok, creator: FakeCreator, make_client: ClientFactory
) -> None:
    """401 with a key configured: fetch, sign_url and rate limits all say so."""
    fake.required_api_key = "the-good-key"
    bad = make_client(sign_api_key="sk-wrong-key-123")
    secret = ("sk-wrong-key-123",)
    err = await raises(SignAPIKeyInvalidError, bad.connect(CREATOR), secrets=secret)
    assert err.reason is Reason.SIGN_NOT_200
    assert err.response is not None
    assert err.response.status == 401
    assert fake.sign_requests()[-1].headers["X-Api-Key"] == "sk-wrong-key-123"
    await raises(SignAPIKeyInvalidError, bad.sign_url(SIGN_URL), secrets=secret)
    await raises(SignAPIKeyInvalidError, bad.fetch_sign_rate_limits(), secrets=secret)
    assert "sk-wrong-key-123" not in repr(bad)

    good = make_client(sign_api_key="the-good-key")
    assert (await good.fetch_sign_rate_limits())["minute"]["max"] == 10
    connection = await good.connect(CREATOR)
    await connection.close()
    assert fake.sign_requests()[-1].headers["X-Api-Key"] == "the-good-key"


# --------------------------------------------------- UnexpectedSignatureError


async def test_unparseable_first_fetch(
    fake: FakeTikTok, creator: FakeCreator, make_client: ClientFactory
) -> None:
    """A 200 with cookies whose body is not a FetchResult."""
    fake.faults.sign_fetch.once(faults.sign_garbage())
    err = await raises(UnexpectedSignatureError, make_client().connect(CREATOR))
    assert err.reason is Reason.SIGN_NOT_200
    assert err.response is not None
    assert err.log_id is not None


async def test_sign_url_unexpected_answers(
    fake: FakeTikTok, make_client: ClientFactory
) -> None:
    """Non-200 → "Failed to parse"; not JSON → "due to an error"; not an object."""
    client = make_client()
    fake.faults.sign_url.once(
        faults.SignUrlReply(status=500, body=b"oops"),
        faults.SignUrlReply(status=200, body=b"not json"),
        faults.SignUrlReply(status=200, json=["a", "list"]),
    )
    err = await raises(UnexpectedSignatureError, client.sign_url(SIGN_URL))
    assert "Failed to parse response from signing request." in str(err)
    assert err.response is not None
    assert err.response.status == 500
    err = await raises(UnexpectedSignatureError, client.sign_url(SIGN_URL))
    assert "Failed to sign a request due to an error." in str(err)
    await raises(UnexpectedSignatureError, client.sign_url(SIGN_URL))


# ------------------------------------------------ SignatureMissingTokensError


@pytest.mark.parametrize(
    "reply",
    [
        faults.sign_url_without_tokens(),
        faults.sign_url_without_tokens(""),
        faults.SignUrlReply(json={"code": 200}),
        faults.SignUrlReply(json={"code": 200, "response": "nope"}),
    ],
    ids=["no-msToken", "empty-url", "no-response", "response-not-object"],
)
async def test_sign_url_missing_tokens(
    fake: FakeTikTok, make_client: ClientFactory, reply: faults.SignUrlReply
) -> None:
    """No signed URL, or one without msToken."""
    fake.faults.sign_url.once(reply)
    err = await raises(SignatureMissingTokensError, make_client().sign_url(SIGN_URL))
    assert err.reason is Reason.EMPTY_PAYLOAD


async def test_sign_url_success(fake: FakeTikTok, make_client: ClientFactory) -> None:
    """The request TikTokLive sends, and the signed URL back."""
    client = make_client()
    signed = await client.sign_url(SIGN_URL, method="POST")
    assert signed.startswith(SIGN_URL + "&msToken=")
    [request] = fake.sign_requests("/sign/webcast/sign_url")
    assert request.query == {"client": "ttlive-other"}
    body = json.loads(request.body)
    assert body == {
        "url": SIGN_URL,
        "userAgent": client.user_agent,
        "method": "POST",
        "type": "xhr",
    }


# ---------------------------------------- AuthenticatedWebSocketConnectionError


async def test_session_needs_an_explicit_opt_in(
    fake: FakeTikTok,
    creator: FakeCreator,
    make_client: ClientFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A session is never sent to a sign server nobody trusted."""
    caplog.set_level(logging.DEBUG)
    client = make_client(session_id="secret-session-abc")
    secret = ("secret-session-abc",)
    err = await raises(
        AuthenticatedWebSocketConnectionError, client.connect(CREATOR), secrets=secret
    )
    assert err.reason is Reason.AUTHENTICATED_WS
    assert err.response is None
    assert "secret-session-abc" not in repr(client)
    assert not fake.sign_requests()
    await raises(
        AuthenticatedWebSocketConnectionError,
        client.sign_url(SIGN_URL),
        secrets=secret,
    )
    assert not fake.sign_requests("/sign/webcast/sign_url")
    assert "secret-session-abc" not in caplog.text


async def test_session_sent_after_the_opt_in(
    fake: FakeTikTok,
    creator: FakeCreator,
    make_client: ClientFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Opted in: session_id in the sign query, the session cookies on the socket."""
    caplog.set_level(logging.DEBUG)
    trusted = make_client(
        session_id="secret-session-abc", trust_sign_server_with_session=True
    )
    connection = await trusted.connect(CREATOR)
    await connection.close()
    [sign] = fake.sign_requests()
    assert sign.query["session_id"] == "secret-session-abc"
    assert [k for k, _ in sign.query_all][-2:] == ["session_id", "tt_target_idc"]
    [ws] = fake.requests_to("/ws")
    assert ws.cookies["sessionid"] == "secret-session-abc"
    assert ws.cookies["sessionid_ss"] == "secret-session-abc"
    assert ws.cookies["sid_tt"] == "secret-session-abc"
    assert "Sending the TikTok session to the sign server" in caplog.text
    assert "secret-session-abc" not in caplog.text
    signed = await trusted.sign_url(SIGN_URL)
    assert "msToken" in signed
    body = json.loads(fake.sign_requests("/sign/webcast/sign_url")[0].body)
    assert body["sessionId"] == "secret-session-abc"
    assert body["ttTargetIdc"] == "useast1a"


# ------------------------------------------------------ AlreadyConnectedError


async def test_already_connected(
    fake: FakeTikTok, creator: FakeCreator, make_client: ClientFactory
) -> None:
    """One open connection per client; a new one once it closed."""
    client = make_client()
    connection = await client.connect(CREATOR)
    err = await raises(AlreadyConnectedError, client.connect(CREATOR))
    assert str(err) == f"{PREFIX}You can only make one connection per client!"
    assert len(fake.requests_to("/ws")) == 1  # nothing was sent for the refusal
    await client.disconnect()
    assert connection.closed
    again = await client.connect(CREATOR)
    assert again is client.connection
    await again.close()
    await client.disconnect()  # idempotent
    await client.disconnect()


async def test_a_failed_connect_does_not_count_as_connected(
    fake: FakeTikTok, creator: FakeCreator, make_client: ClientFactory
) -> None:
    """A connect that failed leaves the client free to try again."""
    client = make_client()
    fake.faults.sign_fetch.once(faults.sign_empty())
    await raises(SignAPIError, client.connect(CREATOR))
    connection = await client.connect(CREATOR)
    await connection.close()


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
