"""Every fault of the contract, injected one-shot, sticky and cleared, as the client sees it.

Each case names a fault slot of ``fake.faults``, the fault, what the client is
asked to do, and the error that must come out (None: the client copes). For
every case: ``once`` fails exactly the next attempt, ``always`` fails every
attempt until ``clear()``, and after clearing the client works again.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest

from custom_components.tiktok_live.webcast import (
    AgeRestrictedError,
    CommentEvent,
    InitialCursorMissingError,
    PremiumEndpointError,
    SignAPIError,
    SignatureMissingTokensError,
    SignatureRateLimitError,
    TikTokLiveClient,
    UnexpectedSignatureError,
    UserNotFoundError,
    UserOfflineError,
    WebcastBlockedError,
    WebcastConnectionClosedError,
    WebcastConnectionError,
    WebcastDeviceBlockedError,
    WebcastPushHostError,
    WebsocketURLMissingError,
)
from tests.fake_tiktok import (
    ApiFault,
    FakeCreator,
    FakeTikTok,
    Faults,
    FaultSlot,
    HttpStatus,
    PageFault,
    RoomInfoFault,
    faults,
    messages,
)

from .conftest import CREATOR, FAN, ClientFactory, Reader

SIGN_URL = "https://www.tiktok.com/api/live/x?aid=1988"


@dataclass(frozen=True)
class Case:
    """One fault and what the client must make of it."""

    slot: Callable[[Faults], FaultSlot[Any]]
    fault: object
    error: type[Exception] | None
    # connect | stream (connect, then read a pushed comment) | sign_url |
    # rate_limits | abort (connect stalls; disconnect() aborts it)
    call: str = "connect"
    setup: Callable[[FakeTikTok], None] | None = None
    client: dict[str, Any] = field(default_factory=dict)


def _page_never_helps(fake: FakeTikTok) -> None:
    fake.faults.live_page.always(PageFault.NO_LIVE_ROOM)


def _page_is_a_captcha(fake: FakeTikTok) -> None:
    fake.faults.live_page.always(PageFault.NO_SIGI_STATE)


def _api_never_answers(fake: FakeTikTok) -> None:
    """The light answer is missing: the LIVE page is asked instead."""
    fake.faults.room_api.always(HttpStatus(503))


def _room_info_withheld(fake: FakeTikTok) -> None:
    """TikTok's captcha answer: an empty prompt, never an age restriction."""
    fake.faults.room_info.always(RoomInfoFault.PROMPTS)


def _room_info_age_prompt(fake: FakeTikTok) -> None:
    fake.faults.room_info.always(RoomInfoFault.AGE_RESTRICTED)


def _page(f: Faults) -> FaultSlot[Any]:
    return f.live_page


def _api(f: Faults) -> FaultSlot[Any]:
    return f.room_api


def _alive(f: Faults) -> FaultSlot[Any]:
    return f.check_alive


def _info(f: Faults) -> FaultSlot[Any]:
    return f.room_info


def _sign(f: Faults) -> FaultSlot[Any]:
    return f.sign_fetch


def _sign_url(f: Faults) -> FaultSlot[Any]:
    return f.sign_url


def _limits(f: Faults) -> FaultSlot[Any]:
    return f.rate_limits


def _ws(f: Faults) -> FaultSlot[Any]:
    return f.ws_handshake


def _socket(f: Faults) -> FaultSlot[Any]:
    return f.socket


CASES: dict[str, Case] = {
    # TikTok web
    "user-not-found": Case(
        _api, ApiFault.USER_NOT_FOUND, UserNotFoundError, setup=_page_never_helps
    ),
    "user-not-found-blip": Case(_api, ApiFault.USER_NOT_FOUND, None),
    "api-captcha": Case(_api, ApiFault.CAPTCHA, None),
    "html-without-liveroom": Case(
        _page, PageFault.NO_LIVE_ROOM, UserNotFoundError, setup=_api_never_answers
    ),
    "html-captcha": Case(
        _page, PageFault.NO_SIGI_STATE, WebcastConnectionError, setup=_api_never_answers
    ),
    "offline-status-4": Case(
        _page, PageFault.OFFLINE, UserOfflineError, setup=_api_never_answers
    ),
    "api-offline": Case(
        _api, ApiFault.OFFLINE, UserOfflineError, setup=_page_never_helps
    ),
    "api-http-500": Case(
        _api, HttpStatus(500), WebcastConnectionError, setup=_page_is_a_captcha
    ),
    # webcast API
    "check-alive-http-500": Case(
        _alive, HttpStatus(500), WebcastConnectionError, call="check_alive"
    ),
    "room-info-prompts": Case(_info, RoomInfoFault.PROMPTS, None),
    "room-info-age-prompts": Case(_info, RoomInfoFault.AGE_RESTRICTED, None),
    "room-info-one-key": Case(_info, RoomInfoFault.ALMOST_EMPTY, None),
    "room-info-http-500": Case(_info, HttpStatus(500), None),
    # sign server fetch
    "sign-429-headers": Case(
        _sign, faults.rate_limited(remaining=3, reset=60), SignatureRateLimitError
    ),
    "sign-429-bare": Case(
        _sign, faults.rate_limited(empty_body=True), SignatureRateLimitError
    ),
    "sign-401": Case(_sign, faults.sign_status(401, "key?"), PremiumEndpointError),
    "sign-402": Case(_sign, faults.sign_status(402, "pay"), PremiumEndpointError),
    "sign-403": Case(_sign, faults.sign_status(403, "plan"), PremiumEndpointError),
    "sign-empty-body": Case(_sign, faults.sign_empty(200), SignAPIError),
    "sign-5xx": Case(_sign, faults.sign_status(502, "bad gateway"), SignAPIError),
    "sign-no-cookie": Case(_sign, faults.sign_no_cookie(), SignAPIError),
    "sign-garbage": Case(_sign, faults.sign_garbage(), UnexpectedSignatureError),
    "sign-timeout": Case(
        _sign, faults.sign_stall(), SignAPIError, client={"request_timeout": 0.15}
    ),
    "missing-cursor": Case(_sign, faults.missing_cursor(), InitialCursorMissingError),
    "missing-push-server": Case(
        _sign, faults.missing_push_server(), WebsocketURLMissingError
    ),
    "missing-route-params": Case(
        _sign, faults.missing_route_params(), WebsocketURLMissingError
    ),
    "fallback-push-host": Case(
        _sign, faults.fallback_push_host(), WebcastPushHostError
    ),
    # sign server, other routes
    "sign-url-premium": Case(
        _sign_url, faults.sign_url_code(403, "p"), PremiumEndpointError, call="sign_url"
    ),
    "sign-url-no-tokens": Case(
        _sign_url,
        faults.sign_url_without_tokens(),
        SignatureMissingTokensError,
        call="sign_url",
    ),
    "sign-url-500": Case(
        _sign_url,
        faults.SignUrlReply(status=500, body=b"x"),
        UnexpectedSignatureError,
        call="sign_url",
    ),
    "rate-limits-429": Case(
        _limits,
        faults.rate_limited(remaining=9),
        SignatureRateLimitError,
        call="rate_limits",
    ),
    # push server handshake
    "ws-200-blocked": Case(
        _ws, faults.blocked(200, "illegal secret key"), WebcastBlockedError
    ),
    "ws-400-blocked": Case(_ws, faults.blocked(400, "bad"), WebcastBlockedError),
    "ws-other-status": Case(
        _ws, faults.WsReply(status=503, handshake_msg=None), WebcastConnectionError
    ),
    "ws-device-blocked": Case(
        _ws,
        faults.WsReply(status=415, handshake_msg="DEVICE_BLOCKED"),
        WebcastDeviceBlockedError,
    ),
    "ws-refused-room-withheld": Case(
        _ws,
        faults.blocked(200, "refused"),
        WebcastBlockedError,
        setup=_room_info_withheld,
    ),
    "ws-refused-room-age-prompt": Case(
        _ws,
        faults.blocked(200, "refused"),
        AgeRestrictedError,
        setup=_room_info_age_prompt,
    ),
    "ws-device-blocked-room-age-prompt": Case(
        _ws,
        faults.WsReply(status=415, handshake_msg="DEVICE_BLOCKED"),
        WebcastDeviceBlockedError,
        setup=_room_info_age_prompt,
    ),
    "ws-stalled": Case(
        _ws, faults.handshake_stall(), WebcastConnectionError, call="abort"
    ),
    # push server socket
    "close-4001": Case(
        _socket,
        faults.close(4001, "kicked"),
        WebcastConnectionClosedError,
        call="stream",
    ),
    "close-1011": Case(
        _socket, faults.close(1011), WebcastConnectionClosedError, call="stream"
    ),
    "drop-tcp": Case(
        _socket, faults.drop(), WebcastConnectionClosedError, call="stream"
    ),
    "silence": Case(
        _socket,
        faults.silence(),
        WebcastConnectionError,
        call="stream",
        client={"silence_timeout": 0.2},
    ),
    "garbage-frame": Case(_socket, faults.garbage(), None, call="stream"),
    "bad-gzip": Case(_socket, faults.bad_gzip(), None, call="stream"),
    "gzip-bomb": Case(_socket, faults.gzip_bomb(), None, call="stream"),
}


async def _stream(
    fake: FakeTikTok, creator: FakeCreator, client: TikTokLiveClient
) -> None:
    """Connect, push a comment once the client entered, read until it (or an error)."""
    opened = len(fake.sockets)
    connection = await client.connect(CREATOR)
    reader = Reader(connection)
    try:
        socket = await fake.wait_for_socket(creator, opened + 1)
        await fake.wait_for(lambda: socket.entered or socket.closed)
        await fake.push(creator, messages.comment(FAN, "through the fault"))
        await reader.until(
            lambda events: any(isinstance(e, CommentEvent) for e in events)
        )
        if reader.error is not None:
            raise reader.error
        assert not reader.task.done(), reader.events
    finally:
        await connection.close()
        await reader.finished()


async def _abort(fake: FakeTikTok, client: TikTokLiveClient) -> None:
    """Connect; if the handshake stalls, disconnect() from another task."""
    before = fake.stalled_handshakes
    task = asyncio.create_task(client.connect(CREATOR))
    stalled = asyncio.create_task(
        fake.wait_for(lambda: fake.stalled_handshakes > before)
    )
    done, _ = await asyncio.wait({task, stalled}, return_when=asyncio.FIRST_COMPLETED)
    if stalled in done:
        await client.disconnect()
    else:
        stalled.cancel()
    connection = await task
    await connection.close()


async def _attempt(
    case: Case, fake: FakeTikTok, creator: FakeCreator, make_client: ClientFactory
) -> Exception | None:
    """Do what the case says once; the error it ended with, or None."""
    client = make_client(**case.client)
    try:
        if case.call == "connect":
            connection = await client.connect(CREATOR)
            await connection.close()
        elif case.call == "stream":
            await _stream(fake, creator, client)
        elif case.call == "sign_url":
            assert "msToken" in await client.sign_url(SIGN_URL)
        elif case.call == "rate_limits":
            await client.fetch_sign_rate_limits()
        elif case.call == "check_alive":
            assert creator.room is not None
            assert await client.check_alive(creator.room.room_id)
        else:
            assert case.call == "abort"
            await _abort(fake, client)
    except Exception as err:  # noqa: BLE001 - the outcome is what the test checks
        return err
    finally:
        fake.release_stalled()
    return None


def _check(case: Case, outcome: Exception | None) -> None:
    if case.error is None:
        assert outcome is None, repr(outcome)
    else:
        assert type(outcome) is case.error, repr(outcome)
        assert str(outcome).startswith("TikTokLive v7.0.1 -> ")


@pytest.mark.parametrize("name", list(CASES))
async def test_fault_once_always_and_cleared(
    fake: FakeTikTok, creator: FakeCreator, make_client: ClientFactory, name: str
) -> None:
    """once → the next attempt only; always → every attempt; clear → healthy."""
    case = CASES[name]
    if case.setup is not None:
        case.setup(fake)
    slot = case.slot(fake.faults)

    async def attempt() -> Exception | None:
        return await _attempt(case, fake, creator, make_client)

    slot.once(case.fault)
    _check(case, await attempt())
    assert slot.used == [case.fault]
    assert await attempt() is None, "a one-shot fault stayed"

    slot.always(case.fault)
    _check(case, await attempt())
    _check(case, await attempt())
    assert slot.used == [case.fault] * 3

    slot.clear()
    assert not slot
    assert await attempt() is None
    assert len(slot.used) == 3
    fake.faults.clear()
    assert await attempt() is None
