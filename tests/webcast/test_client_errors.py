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
    WebcastDeviceBlockedError,
    WebcastProxyError,
    WebcastPushHostError,
    WebcastSessionRejectedError,
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
        "WebcastPushHostError",
    ):
        assert issubclass(getattr(errors, name), SignAPIError), name
    assert issubclass(WebcastConnectionClosedError, WebcastConnectionError)
    assert issubclass(WebcastDeviceBlockedError, WebcastBlockedError)
    assert issubclass(WebcastSessionRejectedError, WebcastBlockedError)
    assert WebcastBlocked200Error is WebcastBlockedError
    assert [(r.name, r.value) for r in Reason] == [
        ("RATE_LIMIT", 1),
        ("CONNECT_ERROR", 2),
        ("EMPTY_PAYLOAD", 3),
        ("SIGN_NOT_200", 4),
        ("EMPTY_COOKIES", 5),
        ("PREMIUM_ENDPOINT", 6),
        ("AUTHENTICATED_WS", 7),
        ("PUSH_HOST", 8),
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
        WebcastDeviceBlockedError("DEVICE_BLOCKED", status=415),
        WebcastSessionRejectedError("illegal secret key", status=200),
        WebcastPushHostError("illegal app_id"),
        WebcastProxyError("proxy gone", kind=WebcastProxyError.UNREACHABLE),
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


async def test_user_offline_from_the_light_answer(
    fake: FakeTikTok, make_client: ClientFactory
) -> None:
    """api-live says status 4: offline, from one small request; no page, no sign call."""
    fake.add_creator("sleeper", user_id=42)
    err = await raises(UserOfflineError, make_client().fetch_room_id("sleeper"))
    assert str(err) == f"{PREFIX}The requested TikTok LIVE user '@sleeper' is offline."
    await raises(UserOfflineError, make_client().connect("sleeper"))
    assert [r.path for r in fake.requests] == ["/api-live/user/room/"] * 2


async def test_user_offline_from_room_info(
    fake: FakeTikTok, creator: FakeCreator, make_client: ClientFactory
) -> None:
    """Connecting to a room whose room info says status 4: offline, no sign call."""
    ended = creator.last_room
    assert ended is not None
    creator.go_offline()
    creator.go_live()
    await raises(
        UserOfflineError, make_client().connect(CREATOR, room_id=ended.room_id)
    )
    assert not fake.sign_requests()


async def test_check_alive_in_one_request(
    fake: FakeTikTok, creator: FakeCreator, make_client: ClientFactory
) -> None:
    """Several rooms in one check_alive request; only a strict true is alive."""
    ended = creator.last_room
    assert ended is not None
    creator.go_offline()
    live = creator.go_live()
    client = make_client()
    alive = await client.web.check_alive([ended.room_id, live.room_id])
    assert alive == {ended.room_id: False, live.room_id: True}
    [check] = fake.requests_to("/webcast/room/check_alive/")
    assert check.query["room_ids"] == f"{ended.room_id},{live.room_id}"
    assert await client.check_alive(live.room_id) is True
    fake.faults.check_alive.once(HttpStatus(200, '{"data": "nope"}'))
    await raises(WebcastConnectionError, client.check_alive(live.room_id))


async def test_user_offline_when_the_light_answer_is_missing(
    fake: FakeTikTok, make_client: ClientFactory
) -> None:
    """api-live answers a captcha page: the LIVE page decides (both its status fields)."""
    fake.add_creator("sleeper", user_id=42)
    fake.faults.room_api.once(ApiFault.CAPTCHA)
    await raises(UserOfflineError, make_client().fetch_room_id("sleeper"))
    assert [r.path for r in fake.requests] == ["/api-live/user/room/", "/@sleeper/live"]


async def test_paused_is_live(
    fake: FakeTikTok, creator: FakeCreator, make_client: ClientFactory
) -> None:
    """Room status 3: still live, and paused."""
    assert creator.room is not None
    creator.room.paused = True
    found = await make_client().check_live(CREATOR)
    assert found.is_live
    assert found.paused
    assert found.status == 3


# ---------------------------------------------------------- UserNotFoundError


async def test_user_not_found_by_two_sources(
    fake: FakeTikTok, make_client: ClientFactory
) -> None:
    """api-live says not found; the LIVE page, asked as a second source, agrees."""
    client = make_client()
    err = await raises(UserNotFoundError, client.resolve_creator("@nobody_here"))
    assert err.unique_id == "nobody_here"
    assert err.sources == ("api", "page")
    err = await raises(UserNotFoundError, client.fetch_room_id("nobody_here"))
    assert err.unique_id == "nobody_here"
    err = await raises(UserNotFoundError, client.connect("nobody_here"))
    assert err.unique_id == "nobody_here"
    paths = [r.path for r in fake.requests]
    assert paths == ["/api-live/user/room/", "/@nobody_here/live"] * 3
    assert fake.requests[0].query["uniqueId"] == "nobody_here"
    assert fake.requests[0].query["sourceType"] == "54"


async def test_user_not_found_from_one_source_only(
    fake: FakeTikTok, creator: FakeCreator, make_client: ClientFactory
) -> None:
    """A "not found" blip: the page knows the creator and wins; a captcha page leaves one source."""
    fake.faults.room_api.once(ApiFault.USER_NOT_FOUND)
    room_id = await make_client().fetch_room_id(CREATOR)
    assert room_id == creator.last_room.room_id  # type: ignore[union-attr]
    fake.faults.room_api.once(ApiFault.USER_NOT_FOUND)
    fake.faults.live_page.once(PageFault.NO_SIGI_STATE)
    err = await raises(UserNotFoundError, make_client().fetch_room_id(CREATOR))
    assert err.unique_id == CREATOR
    assert err.sources == ("api",)


async def test_page_without_live_room_alone_is_not_final(
    fake: FakeTikTok, creator: FakeCreator, make_client: ClientFactory
) -> None:
    """A page without LiveRoom is asked only when the light answer is missing."""
    fake.faults.room_api.once(HttpStatus(503))
    fake.faults.live_page.once(PageFault.NO_LIVE_ROOM)
    err = await raises(UserNotFoundError, make_client().fetch_room_id(CREATOR))
    assert err.sources == ("page",)


# ----------------------------------------------------- FailedParseRoomIdError


@pytest.mark.parametrize("api", [ApiFault.NO_ROOM_ID, ApiFault.NO_MESSAGE])
async def test_no_room_id_anywhere(
    fake: FakeTikTok, creator: FakeCreator, make_client: ClientFactory, api: ApiFault
) -> None:
    """API without roomId (or without "message": no KeyError here), broken page."""
    fake.faults.live_page.once(PageFault.BAD_JSON)
    fake.faults.room_api.once(api)
    await raises(FailedParseRoomIdError, make_client().fetch_room_id(CREATOR))


# --------------------------------------------------------- AgeRestrictedError


async def test_age_restricted_needs_a_refusal_and_withheld_room_info(
    fake: FakeTikTok, creator: FakeCreator, make_client: ClientFactory
) -> None:
    """The socket refused while room info withholds the room; a valid session lifts both."""
    creator.age_restricted = True
    err = await raises(AgeRestrictedError, make_client().connect(CREATOR))
    assert "sessionid" in str(err)
    assert isinstance(err.__cause__, WebcastBlockedError)

    fake.valid_session_ids.add("adult-session")
    client = make_client(
        session_id="adult-session", trust_sign_server_with_session=True
    )
    connection = await client.connect(CREATOR)
    await connection.close()
    info = fake.requests_to("/webcast/room/info/")[-1]
    assert info.cookies["sessionid"] == "adult-session"
    assert info.query["user_is_login"] == "true"


@pytest.mark.parametrize(
    "fault",
    [RoomInfoFault.PROMPTS, RoomInfoFault.ALMOST_EMPTY, RoomInfoFault.AGE_RESTRICTED],
)
async def test_withheld_room_info_never_blocks(
    fake: FakeTikTok,
    creator: FakeCreator,
    make_client: ClientFactory,
    fault: RoomInfoFault,
) -> None:
    """{"prompts":""} with 4003110, or a thin data: "room info unknown", and connecting goes on."""
    fake.faults.room_info.always(fault)
    client = make_client()
    connection = await client.connect(CREATOR)
    await connection.close()
    assert client.room_info(connection.room_id) is None
    info = await client.fetch_room_info("123")  # a room TikTok does not know
    assert info.withheld
    assert (info.title, info.viewers, info.started_at) == (None, None, None)


async def test_room_info_is_skipped_when_not_wanted(
    fake: FakeTikTok, creator: FakeCreator, make_client: ClientFactory
) -> None:
    """fetch_room_info=False: room info is not asked."""
    client = make_client()
    connection = await client.connect(CREATOR, fetch_room_info=False)
    await connection.close()
    assert client.room_info(connection.room_id) is None
    assert not fake.requests_to("/webcast/room/info/")


async def test_room_info_is_asked_at_every_connect(
    fake: FakeTikTok, creator: FakeCreator, make_client: ClientFactory
) -> None:
    """A reconnect asks again: room info is the second "offline" source a drop needs."""
    client = make_client()
    connection = await client.connect(CREATOR)
    await connection.close()
    assert creator.room is not None
    creator.room.ended = True
    await raises(UserOfflineError, client.connect(CREATOR, room_id=connection.room_id))
    assert len(fake.requests_to("/webcast/room/info/")) == 2
    info = client.room_info(connection.room_id)
    assert info is not None
    assert info.title == "Testing"
    assert info.status == 4


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


async def test_illegal_secret_key_with_a_session_is_the_session(
    fake: FakeTikTok, creator: FakeCreator, make_client: ClientFactory
) -> None:
    """ "illegal secret key" on a session-signed socket: the session was refused."""
    fake.faults.ws_handshake.once(faults.blocked(200, "illegal secret key"))
    client = make_client(session_id="s", trust_sign_server_with_session=True)
    err = await raises(WebcastSessionRejectedError, client.connect(CREATOR))
    assert err.handshake_msg == "illegal secret key"


@pytest.mark.parametrize(
    "reply",
    [faults.device_blocked(), faults.WsReply(status=415, handshake_msg=None)],
    ids=["DEVICE_BLOCKED", "415"],
)
async def test_device_blocked_renews_the_identity(
    fake: FakeTikTok,
    creator: FakeCreator,
    make_client: ClientFactory,
    reply: faults.WsReply,
) -> None:
    """DEVICE_BLOCKED (or a bare 415): the next attempt is another browser, and works."""
    fake.faults.ws_handshake.once(reply)
    client = make_client()
    refused_agent = client.user_agent
    err = await raises(WebcastDeviceBlockedError, client.connect(CREATOR))
    assert err.status == 415
    assert client.user_agent != refused_agent
    assert client.identity.cookies.ttwid is None
    connection = await client.connect(CREATOR)
    await connection.close()
    first, second = fake.requests_to("/ws")
    assert first.header("User-Agent") == refused_agent
    assert second.header("User-Agent") == client.user_agent
    # The sign server signed the new attempt for the new User-Agent too.
    assert fake.sign_requests()[-1].query["user_agent"] == client.user_agent


async def test_renewals_avoid_user_agents_tiktok_keeps_refusing(
    fake: FakeTikTok, creator: FakeCreator, make_client: ClientFactory
) -> None:
    """TikTok keeps refusing each User-Agent it blocked: every retry is a new one,
    ten times in a row (a bad day never runs out of browsers)."""
    client = make_client()
    refused: list[str] = []
    for _ in range(10):
        fake.blocked_user_agents.add(client.user_agent)
        refused.append(client.user_agent)
        await raises(WebcastDeviceBlockedError, client.connect(CREATOR))
        assert client.user_agent not in refused
    connection = await client.connect(CREATOR)
    await connection.close()
    assert [r.header("User-Agent") for r in fake.requests_to("/ws")] == [
        *refused,
        client.user_agent,
    ]


async def test_fallback_push_host_is_the_sign_server(
    fake: FakeTikTok, creator: FakeCreator, make_client: ClientFactory
) -> None:
    """The sign server's own push host refusing is a sign server incident, not a block."""
    fake.faults.sign_fetch.once(faults.fallback_push_host())
    client = make_client(session_id="s3cret", trust_sign_server_with_session=True)
    err = await raises(
        WebcastPushHostError, client.connect(CREATOR), secrets=("s3cret",)
    )
    assert err.reason is Reason.PUSH_HOST
    assert "illegal app_id" in str(err)
    [fallback] = fake.requests_to("/ws-fallback")
    # A session never goes to a push host outside TikTok.
    assert "sessionid" not in fallback.cookies
    assert "tt-target-idc" not in fallback.cookies
    assert fallback.cookies["ttwid"].startswith("1%7Cfake-ttwid")


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
    """Another status without a reason is a connection error with the status, not a crash."""
    fake.faults.ws_handshake.once(faults.WsReply(status=status, handshake_msg=None))
    err = await raises(WebcastConnectionError, make_client().connect(CREATOR))
    assert err.status == status


@pytest.mark.parametrize("status", [403, 417])
async def test_other_refusal_with_a_reason(
    fake: FakeTikTok, creator: FakeCreator, make_client: ClientFactory, status: int
) -> None:
    """Any status with a Handshake-Msg is TikTok refusing, whatever the code."""
    fake.faults.ws_handshake.once(faults.WsReply(status=status, handshake_msg="no"))
    err = await raises(WebcastBlockedError, make_client().connect(CREATOR))
    assert (err.status, err.handshake_msg) == (status, "no")


@pytest.mark.parametrize("status", [429, 500])
async def test_tiktok_web_http_errors(
    fake: FakeTikTok, creator: FakeCreator, make_client: ClientFactory, status: int
) -> None:
    """API and page both failing with a status: a connection error with the API's status."""
    fake.faults.live_page.once(HttpStatus(status))
    fake.faults.room_api.once(HttpStatus(status))
    err = await raises(WebcastConnectionError, make_client().resolve_creator(CREATOR))
    assert err.status == status
    assert [r.path for r in fake.requests] == [
        "/api-live/user/room/",
        f"/@{CREATOR}/live",
    ]


async def test_webcast_api_errors(
    fake: FakeTikTok, creator: FakeCreator, make_client: ClientFactory
) -> None:
    """check_alive and room info failing: errors when asked, never a block to connecting."""
    client = make_client()
    fake.faults.check_alive.once(HttpStatus(503))
    err = await raises(WebcastConnectionError, client.check_alive("1"))
    assert err.status == 503
    fake.faults.room_info.once(HttpStatus(500, "{}"))
    err = await raises(WebcastConnectionError, client.fetch_room_info("1"))
    assert err.status == 500
    fake.faults.room_info.always(HttpStatus(200, "not json"))
    connection = await client.connect(CREATOR)
    await connection.close()
    assert len(fake.sign_requests()) == 1


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
        (faults.sign_status(500), Reason.SIGN_NOT_200, "HTTP 500"),
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
        "500-plain",
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


async def test_rate_limited_as_euler_answers(
    fake: FakeTikTok, creator: FakeCreator, make_client: ClientFactory
) -> None:
    """RateLimit-Remaining 0 and Retry-After: wait Retry-After; Remaining is a count."""
    fake.faults.sign_fetch.once(faults.rate_limited(retry_after=45, label="minute"))
    before = int(time.time())
    err = await raises(SignatureRateLimitError, make_client().connect(CREATOR))
    assert err.reason is Reason.RATE_LIMIT
    assert err.retry_after == 45
    assert err.remaining == 0
    assert before + 45 <= err.reset_time <= int(time.time()) + 45
    assert "Too many connections started, try again in 45 seconds." in str(err)
    assert "(minute)" in str(err)
    assert err.response is not None
    assert err.response.status == 429
    assert err.response.headers["RateLimit-Remaining"] == "0"
    assert err.log_id is not None
    assert err.agent_id == "fake-agent"


@pytest.mark.parametrize(
    ("headers", "wait"),
    [
        ({"reset": 1_900_000_000}, "epoch"),
        ({"reset": 90}, 90),
        ({"x_reset": 120}, 120),
        ({"x_reset": 1_900_000_000}, "epoch"),
        ({"retry_after": 30, "reset": 90}, 30),
    ],
    ids=[
        "reset-epoch",
        "reset-seconds",
        "x-reset-seconds",
        "x-reset-epoch",
        "retry-after-first",
    ],
)
async def test_rate_limited_waits_for_the_reset(
    fake: FakeTikTok,
    creator: FakeCreator,
    make_client: ClientFactory,
    headers: dict[str, int],
    wait: int | str,
) -> None:
    """Without Retry-After, until RateLimit-Reset (or X-RateLimit-Reset): seconds, or a unix time above 10^9."""
    kwargs: dict[str, int | None] = {"retry_after": None, "remaining": 17, **headers}
    fake.faults.sign_fetch.once(faults.rate_limited(**kwargs))  # type: ignore[arg-type]
    before = int(time.time())
    err = await raises(SignatureRateLimitError, make_client().connect(CREATOR))
    assert err.remaining == 17
    if wait == "epoch":
        assert err.reset_time == 1_900_000_000
        assert abs(err.retry_after - (1_900_000_000 - before)) <= 2
        return
    assert err.retry_after == wait
    reset = headers.get("reset", headers.get("x_reset", 0))
    assert before + reset <= err.reset_time <= int(time.time()) + reset


@pytest.mark.parametrize("empty_body", [True, False])
async def test_rate_limited_without_headers(
    fake: FakeTikTok,
    creator: FakeCreator,
    make_client: ClientFactory,
    empty_body: bool,
) -> None:
    """No header at all (even with an empty body): 60 s, still a rate limit."""
    fake.faults.sign_fetch.once(
        faults.rate_limited(remaining=None, retry_after=None, empty_body=empty_body)
    )
    before = int(time.time())
    err = await raises(SignatureRateLimitError, make_client().connect(CREATOR))
    assert err.retry_after == 60
    assert err.remaining is None
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
    assert err.remaining is None


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
    fake.premium_endpoints.add("/sign/tiktok/signing/encrypt/sign_url")
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
    [request] = fake.sign_requests("/sign/tiktok/signing/encrypt/sign_url")
    assert request.query == {"client": "tiktok-live-homeassistant"}
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
    assert not fake.sign_requests("/sign/tiktok/signing/encrypt/sign_url")
    assert "secret-session-abc" not in caplog.text


async def test_session_sent_after_the_opt_in(
    fake: FakeTikTok,
    creator: FakeCreator,
    make_client: ClientFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Opted in: the session in x-cookie-header (never the URL), its cookies on TikTok's socket."""
    caplog.set_level(logging.DEBUG)
    trusted = make_client(
        session_id="secret-session-abc",
        tt_target_idc="eu-ttp2",
        trust_sign_server_with_session=True,
    )
    connection = await trusted.connect(CREATOR)
    await connection.close()
    [sign] = fake.sign_requests()
    assert sign.header("x-cookie-header") == (
        "sessionid=secret-session-abc; tt-target-idc=eu-ttp2"
    )
    assert "secret-session-abc" not in sign.raw_query_string
    assert "session_id" not in sign.query
    [ws] = fake.requests_to("/ws")
    assert ws.cookies["sessionid"] == "secret-session-abc"
    assert ws.cookies["sessionid_ss"] == "secret-session-abc"
    assert ws.cookies["sid_tt"] == "secret-session-abc"
    assert ws.cookies["tt-target-idc"] == "eu-ttp2"
    assert "Sending the TikTok session to the sign server" in caplog.text
    # Allowed once by the user: not a warning at every reconnect.
    assert not [r for r in caplog.records if r.levelno > logging.DEBUG]
    assert "secret-session-abc" not in caplog.text
    signed = await trusted.sign_url(SIGN_URL)
    assert "msToken" in signed
    body = json.loads(
        fake.sign_requests("/sign/tiktok/signing/encrypt/sign_url")[0].body
    )
    assert body["sessionId"] == "secret-session-abc"
    assert body["ttTargetIdc"] == "eu-ttp2"


async def test_anonymous_cookies_only_without_a_session(
    fake: FakeTikTok, creator: FakeCreator, make_client: ClientFactory
) -> None:
    """Without a session the socket carries the anonymous ttwid only; the sign server no cookie."""
    connection = await make_client().connect(CREATOR)
    await connection.close()
    [ws] = fake.requests_to("/ws")
    assert set(ws.cookies) == {"ttwid"}
    [sign] = fake.sign_requests()
    assert sign.header("Cookie") is None
    assert sign.header("x-cookie-header") is None


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
    assert parse("m.tiktok.com/@creator") == "creator"
    for bad in ("", "@", "two words", "https://www.tiktok.com/live", "a/b"):
        with pytest.raises(ValueError):
            parse(bad)
    # Another site's @handle, or a link that only looks like TikTok's.
    for other in (
        "https://www.youtube.com/@creator",
        "instagram.com/@creator",
        "https://www.tiktok.com@evil.example/@creator",
        "https://tiktok.com.evil.example/@creator",
    ):
        with pytest.raises(ValueError, match="TikTok"):
            parse(other)


async def test_rate_limits_on_a_legacy_sign_server(
    fake: FakeTikTok, make_client: ClientFactory
) -> None:
    """The key check asks the current path, then the legacy one, once."""
    fake.sign_layout = "legacy"
    client = make_client(sign_api_key="k")
    assert (await client.fetch_sign_rate_limits())["minute"]["max"] == 10
    assert (await client.fetch_sign_rate_limits())["minute"]["max"] == 10
    assert [r.path for r in fake.requests] == [
        "/sign/accounts/me/rate_limits",
        "/sign/webcast/rate_limits",
        "/sign/webcast/rate_limits",
    ]
    assert fake.requests[0].query["type"] == "WEBCAST"
