"""fetch_gifts: a room's gift list from the sign server, over loopback to the fake.

Euler's current path first (/webcast/rooms/{id}/gifts), /webcast/gifts when the
server lacks it; every answer that is not a usable list is an error of its own,
never an empty success, and no error shows the key or the session.
"""

from __future__ import annotations

import socket
import traceback
from typing import Any

import pytest

from custom_components.tiktok_live.webcast import (
    GiftInfo,
    PremiumEndpointError,
    RequestPacer,
    SignAPIError,
    SignAPIKeyInvalidError,
    SignatureRateLimitError,
    UnexpectedSignatureError,
)
from custom_components.tiktok_live.webcast.sign import (
    MAX_GIFT_URL,
    MAX_GIFTS,
    SIGN_CLIENT_ID,
)
from tests.fake_tiktok import FakeCreator, FakeTikTok, SignReply, faults, messages

from .conftest import ClientFactory, raises

Reason = SignAPIError.ErrorReason
KEY = "sk-SECRET-key-9f8e7d"
SESSION = "SESSION-secret-77aa66"
ROOM_PATH = "/sign/webcast/rooms/{}/gifts"
GLOBAL_PATH = "/sign/webcast/gifts"

CATALOG = [
    GiftInfo(
        gift_id=gift_id,
        name=name,
        diamonds=diamonds,
        image_url=messages.gift_image_url(gift_id),
        streakable=streakable,
    )
    for name, (gift_id, diamonds, streakable) in messages.GIFTS.items()
]


def room_of(creator: FakeCreator) -> str:
    """The creator's live room id."""
    assert creator.room is not None
    return creator.room.room_id


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def assert_no_secret(err: BaseException) -> None:
    """Neither the key nor the session in the text, repr, args or printed traceback."""
    printed = "".join(traceback.format_exception(err))
    for secret in (KEY, SESSION):
        assert secret not in str(err)
        assert secret not in repr(err)
        assert secret not in printed
        assert all(secret not in repr(arg) for arg in err.args)
        if isinstance(err, SignAPIError) and err.response is not None:
            assert all(
                secret not in f"{k}: {v}" for k, v in err.response.headers.items()
            )


# ---------------------------------------------------------------- good answers


async def test_room_gift_list(
    fake: FakeTikTok, creator: FakeCreator, make_client: ClientFactory
) -> None:
    """The current path, once: every gift with id, name, diamonds, picture, streak."""
    room_id = room_of(creator)
    gifts = await make_client().fetch_gifts(room_id)
    assert gifts == CATALOG
    [request] = fake.requests_to(ROOM_PATH.format(room_id))
    assert request.method == "GET"
    assert request.query["client"] == SIGN_CLIENT_ID
    assert "X-Api-Key" not in request.headers
    assert not fake.requests_to(GLOBAL_PATH)


@pytest.mark.parametrize("layout", ["list", "gifts", "response", "data"])
async def test_every_json_layout(
    fake: FakeTikTok, creator: FakeCreator, make_client: ClientFactory, layout: str
) -> None:
    """A bare list, {"gifts"}, {"response": {"gifts"}}, {"data": {"gifts"}}."""
    fake.gift_list_layout = layout
    assert await make_client().fetch_gifts(room_of(creator)) == CATALOG


@pytest.mark.parametrize("status", [404, 405, 410])
async def test_falls_back_to_the_global_list(
    fake: FakeTikTok, creator: FakeCreator, make_client: ClientFactory, status: int
) -> None:
    """A server without the room path: /webcast/gifts?room_id= instead."""
    room_id = room_of(creator)
    fake.faults.sign_gifts.once(faults.sign_status(status, "Not here"))
    pacer = RequestPacer()
    gifts = await make_client(sign_api_key=KEY, pacer=pacer).fetch_gifts(room_id)
    assert gifts == CATALOG
    assert [r.path for r in fake.requests] == [
        ROOM_PATH.format(room_id),
        GLOBAL_PATH,
    ]
    fallback = fake.requests[-1]
    assert fallback.query == {"room_id": room_id, "client": SIGN_CLIENT_ID}
    # The key goes with both; both went through the pacer.
    assert all(r.header("X-Api-Key") == KEY for r in fake.requests)
    assert pacer.sent["127.0.0.1"] == 2


async def test_an_older_sign_server(
    fake: FakeTikTok, creator: FakeCreator, make_client: ClientFactory
) -> None:
    """The fake as a server without the room path (and as a legacy one)."""
    room_id = room_of(creator)
    fake.room_gift_list = False
    client = make_client()
    assert await client.fetch_gifts(room_id) == CATALOG
    fake.room_gift_list = True
    fake.sign_layout = "legacy"
    assert await client.fetch_gifts(room_id) == CATALOG
    assert [r.path for r in fake.requests] == [
        ROOM_PATH.format(room_id),
        GLOBAL_PATH,
    ] * 2


async def test_the_key_is_sent(
    fake: FakeTikTok, creator: FakeCreator, make_client: ClientFactory
) -> None:
    """X-Api-Key on the request; a server that requires a key accepts it."""
    fake.required_api_key = KEY
    assert await make_client(sign_api_key=KEY).fetch_gifts(room_of(creator))
    [request] = fake.requests
    assert request.header("X-Api-Key") == KEY
    assert KEY not in request.raw_query_string


async def test_premium_plans(
    fake: FakeTikTok, creator: FakeCreator, make_client: ClientFactory
) -> None:
    """A premium-only list: no key 402, a basic key 403, a premium key the gifts."""
    room_id = room_of(creator)
    fake.premium_gifts = True
    fake.premium_api_keys.add("premium-key")
    err = await raises(PremiumEndpointError, make_client().fetch_gifts(room_id))
    assert err.response is not None
    assert err.response.status == 402
    assert err.api_message == "This endpoint needs a paid API key."
    err = await raises(
        PremiumEndpointError, make_client(sign_api_key="basic").fetch_gifts(room_id)
    )
    assert err.response is not None
    assert err.response.status == 403
    assert err.api_message == "Your plan does not include this endpoint."
    gifts = await make_client(sign_api_key="premium-key").fetch_gifts(room_id)
    assert gifts == CATALOG


async def test_gifts_of_a_bigger_catalog(
    fake: FakeTikTok, creator: FakeCreator, make_client: ClientFactory
) -> None:
    """The fake's catalog is the server's: a change shows in the next answer."""
    fake.gift_catalog = {"Heart Me": (7934, 1, True), "Universe": (7316, 34999, False)}
    gifts = await make_client().fetch_gifts(room_of(creator))
    assert [(g.gift_id, g.name, g.diamonds, g.streakable) for g in gifts] == [
        (7934, "Heart Me", 1, True),
        (7316, "Universe", 34999, False),
    ]


# ---------------------------------------------------- entries parsed defensively


def entry(**fields: Any) -> dict[str, Any]:
    """A well-formed gift entry with some fields changed (None drops one)."""
    base: dict[str, Any] = {
        "id": 5655,
        "name": "Rose",
        "diamond_count": 1,
        "type": 1,
        "image": {"url_list": ["https://p16.example/rose.webp"]},
    }
    base.update(fields)
    return {k: v for k, v in base.items() if v is not None}


async def gifts_of(
    fake: FakeTikTok, creator: FakeCreator, make_client: ClientFactory, data: Any
) -> list[GiftInfo]:
    """fetch_gifts on a server that answers ``data`` as JSON."""
    fake.faults.sign_gifts.once(faults.sign_json(data))
    return await make_client().fetch_gifts(room_of(creator))


async def test_malformed_entries_are_skipped(
    fake: FakeTikTok, creator: FakeCreator, make_client: ClientFactory
) -> None:
    """No id, name or diamonds, wrong types, a repeated id: skipped; the rest kept."""
    good = entry(id=1, name="Good")
    data = {
        "gifts": [
            "not a dict",
            None,
            entry(id=None),
            entry(id=0),
            entry(id=True),
            entry(id=-5),
            entry(id=2.5),
            entry(name=None),
            entry(name=""),
            entry(name=42),
            entry(diamond_count=None),
            entry(diamond_count=-1),
            entry(diamond_count="many"),
            entry(diamond_count=False),
            good,
            entry(id=1, name="Duplicate"),
            entry(id="22", name="String id", diamond_count="5"),
        ]
    }
    gifts = await gifts_of(fake, creator, make_client, data)
    assert [(g.gift_id, g.name, g.diamonds) for g in gifts] == [
        (1, "Good", 1),
        (22, "String id", 5),
    ]


async def test_pictures_and_streaks_of_entries(
    fake: FakeTikTok, creator: FakeCreator, make_client: ClientFactory
) -> None:
    """image.url_list[0], else icon (a dict or a URL), else image_url; type 1 streaks."""
    data = [
        entry(id=1, type=1),
        entry(id=2, type=2, image=None, icon={"url_list": ["https://i.example/2"]}),
        entry(id=3, type="1", image=None, icon="https://i.example/3"),
        entry(id=4, type=None, image=None, image_url="https://i.example/4"),
        entry(id=5, image={"url_list": []}, icon={"url_list": [""]}),
        entry(id=6, image={"url_list": [7]}, image_url="x" * (MAX_GIFT_URL + 1)),
        entry(id=7, image="https://i.example/7", name="N" * 1000),
    ]
    gifts = await gifts_of(fake, creator, make_client, data)
    assert [(g.gift_id, g.image_url, g.streakable) for g in gifts] == [
        (1, "https://p16.example/rose.webp", True),
        (2, "https://i.example/2", False),
        (3, "https://i.example/3", True),
        (4, "https://i.example/4", False),
        (5, None, True),
        (6, None, True),
        (7, "https://i.example/7", True),
    ]
    assert len(gifts[-1].name) == 256


async def test_a_huge_list_is_cut(
    fake: FakeTikTok, creator: FakeCreator, make_client: ClientFactory
) -> None:
    """At most MAX_GIFTS entries are read, the first ones."""
    data = {"gifts": [entry(id=n + 1) for n in range(MAX_GIFTS + 500)]}
    gifts = await gifts_of(fake, creator, make_client, data)
    assert len(gifts) == MAX_GIFTS
    assert gifts[-1].gift_id == MAX_GIFTS


# ------------------------------------------------------------------ bad answers


@pytest.mark.parametrize(
    "data",
    [
        {"code": 200, "response": {}},
        {"gifts": []},
        {"gifts": "none"},
        {"data": {"gifts": [{"id": "x"}, 7]}},
        [],
        "gifts",
        42,
        None,
    ],
    ids=[
        "no-list",
        "empty",
        "not-a-list",
        "only-malformed",
        "empty-bare",
        "string",
        "number",
        "null",
    ],
)
async def test_no_usable_gift_is_an_error(
    fake: FakeTikTok, creator: FakeCreator, make_client: ClientFactory, data: Any
) -> None:
    """An answer without a single usable gift: UnexpectedSignatureError, not []."""
    fake.faults.sign_gifts.once(faults.sign_json(data))
    err = await raises(
        UnexpectedSignatureError, make_client().fetch_gifts(room_of(creator))
    )
    assert "no gift list" in str(err)
    assert err.response is not None
    assert err.response.status == 200


async def test_not_json(
    fake: FakeTikTok, creator: FakeCreator, make_client: ClientFactory
) -> None:
    """A body that is not JSON (cut short): UnexpectedSignatureError."""
    fake.faults.sign_gifts.once(faults.sign_not_json())
    err = await raises(
        UnexpectedSignatureError, make_client().fetch_gifts(room_of(creator))
    )
    assert "not JSON" in str(err)


async def test_premium_code_in_a_200(
    fake: FakeTikTok, creator: FakeCreator, make_client: ClientFactory
) -> None:
    """HTTP 200 with {"code": 403}: a plan without the gift list."""
    fake.faults.sign_gifts.once(
        faults.sign_json({"code": 403, "message": "Upgrade your plan"})
    )
    err = await raises(
        PremiumEndpointError, make_client().fetch_gifts(room_of(creator))
    )
    assert err.api_message == "Upgrade your plan"


@pytest.mark.parametrize(
    ("reply", "error", "reason"),
    [
        (faults.sign_status(500, "trouble"), SignAPIError, Reason.SIGN_NOT_200),
        (faults.sign_status(503), SignAPIError, Reason.SIGN_NOT_200),
        (faults.sign_empty(502), SignAPIError, Reason.EMPTY_PAYLOAD),
        (faults.sign_empty(200), SignAPIError, Reason.EMPTY_PAYLOAD),
        (faults.sign_status(402), PremiumEndpointError, Reason.PREMIUM_ENDPOINT),
        (faults.sign_status(403), PremiumEndpointError, Reason.PREMIUM_ENDPOINT),
        (faults.sign_status(401), PremiumEndpointError, Reason.PREMIUM_ENDPOINT),
        (
            faults.rate_limited(retry_after=45),
            SignatureRateLimitError,
            Reason.RATE_LIMIT,
        ),
    ],
    ids=["500", "503", "empty-502", "empty-200", "402", "403", "401-no-key", "429"],
)
async def test_http_failures(
    fake: FakeTikTok,
    creator: FakeCreator,
    make_client: ClientFactory,
    reply: SignReply,
    error: type[SignAPIError],
    reason: SignAPIError.ErrorReason,
) -> None:
    """Each status its error, with the response snapshot; the room path only."""
    room_id = room_of(creator)
    fake.faults.sign_gifts.once(reply)
    err = await raises(error, make_client().fetch_gifts(room_id))
    assert err.reason is reason
    assert err.response is not None
    assert err.response.status == reply.status
    assert err.log_id is not None
    assert [r.path for r in fake.requests] == [ROOM_PATH.format(room_id)]
    if isinstance(err, SignatureRateLimitError):
        assert err.retry_after == 45


async def test_fallback_failures_are_the_fallbacks(
    fake: FakeTikTok, creator: FakeCreator, make_client: ClientFactory
) -> None:
    """No room path, then the global list fails: its error (404 twice: SIGN_NOT_200)."""
    room_id = room_of(creator)
    fake.room_gift_list = False
    fake.faults.sign_gifts.once(SignReply(), faults.sign_status(500, "down"))
    err = await raises(SignAPIError, make_client().fetch_gifts(room_id))
    assert "down" in str(err)
    fake.faults.sign_gifts.once(
        faults.sign_status(404, "no"), faults.sign_status(404, "no")
    )
    err = await raises(SignAPIError, make_client().fetch_gifts(room_id))
    assert err.reason is Reason.SIGN_NOT_200
    assert "HTTP 404" in str(err)


async def test_invalid_key(
    fake: FakeTikTok, creator: FakeCreator, make_client: ClientFactory
) -> None:
    """A key the server does not know: SignAPIKeyInvalidError."""
    fake.required_api_key = "the-right-key"
    await raises(
        SignAPIKeyInvalidError,
        make_client(sign_api_key=KEY).fetch_gifts(room_of(creator)),
        secrets=(KEY,),
    )


async def test_unreachable(make_client: ClientFactory) -> None:
    """No sign server at all: CONNECT_ERROR."""
    client = make_client(sign_server_url=f"http://127.0.0.1:{free_port()}")
    err = await raises(SignAPIError, client.fetch_gifts("7400000000000000001"))
    assert err.reason is Reason.CONNECT_ERROR
    assert err.response is None


async def test_a_room_id_is_a_number(
    fake: FakeTikTok, make_client: ClientFactory
) -> None:
    """Anything else never reaches a URL path."""
    for room_id in ("../../accounts/me", "1/2", "", "12a", "١٢"):
        with pytest.raises(ValueError, match="number"):
            await make_client().fetch_gifts(room_id)
    assert not fake.requests


@pytest.mark.parametrize(
    "reply",
    [
        faults.sign_status(500, f"bad key {KEY} for {SESSION}"),
        faults.sign_status(403, f"plan of {KEY} lacks it"),
        faults.sign_json({"code": 403, "message": f"{KEY} is basic"}),
        faults.rate_limited(label=f"key {KEY}"),
        SignReply(status=502, body=b"x", headers={"X-Debug": f"key={KEY}"}),
        faults.sign_json({"echo": KEY, "gifts": []}),
        faults.sign_not_json(),
    ],
    ids=["500", "403", "code-403", "429", "header", "no-gifts", "not-json"],
)
async def test_secrets_never_in_errors(
    fake: FakeTikTok,
    creator: FakeCreator,
    make_client: ClientFactory,
    reply: SignReply,
) -> None:
    """A server echoing the key and the session: both redacted from every error."""
    fake.faults.sign_gifts.once(reply)
    client = make_client(
        sign_api_key=KEY, session_id=SESSION, trust_sign_server_with_session=True
    )
    with pytest.raises(SignAPIError) as caught:
        await client.fetch_gifts(room_of(creator))
    assert_no_secret(caught.value)
    [request] = fake.requests
    # The session is not the gift list's business.
    assert SESSION not in str(request.headers)
    assert SESSION not in request.raw_query_string
