"""The sign API key and the TikTok session never show in errors, reprs or logs.

Every failure path runs with both secrets configured (and the session allowed
to go to the sign server, so it is really sent). The whole formatted traceback
of each error is checked, as a log line with exc_info would print it.
"""

from __future__ import annotations

from collections.abc import Callable
import logging
import socket
import traceback
from typing import Any

import pytest

from custom_components.tiktok_live.webcast import (
    SignAPIError,
    TikTokLiveClient,
    TikTokLiveError,
    WebcastConnectionError,
)
from tests.fake_tiktok import (
    ApiFault,
    FakeCreator,
    FakeTikTok,
    HttpStatus,
    PageFault,
    SignReply,
    faults,
)

from .conftest import CREATOR, PREFIX, ClientFactory, Reader

KEY = "sk-SECRET-key-9f8e7d"
SESSION = "SESSION-secret-77aa66"
SECRETS = (KEY, SESSION)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def assert_no_secret(err: BaseException) -> None:
    """Not in the text, the repr, the arguments or the printed traceback chain."""
    printed = "".join(traceback.format_exception(err))
    for secret in SECRETS:
        assert secret not in str(err)
        assert secret not in repr(err)
        assert secret not in printed, printed
        assert all(secret not in repr(arg) for arg in err.args)
    if isinstance(err, SignAPIError) and err.response is not None:
        assert all(
            secret not in f"{k}: {v}"
            for secret in SECRETS
            for k, v in err.response.headers.items()
        )


Setup = Callable[[FakeTikTok], None]


def _web_down(fake: FakeTikTok) -> None:
    fake.faults.live_page.once(HttpStatus(500))
    fake.faults.room_api.once(HttpStatus(500))


def _captcha_then_offline(fake: FakeTikTok) -> None:
    fake.faults.room_api.once(ApiFault.CAPTCHA)
    fake.faults.live_page.once(PageFault.OFFLINE)


def _age_restricted(fake: FakeTikTok) -> None:
    fake.faults.room_info.once(faults.RoomInfoFault.AGE_RESTRICTED)
    fake.faults.ws_handshake.once(faults.blocked(200, "refused"))


SIGN_FAILURES: dict[str, Setup] = {
    "429": lambda f: f.faults.sign_fetch.once(faults.rate_limited(remaining=3)),
    "401": lambda f: f.faults.sign_fetch.once(faults.sign_status(401)),
    "402": lambda f: f.faults.sign_fetch.once(faults.sign_status(402, "pay")),
    "500": lambda f: f.faults.sign_fetch.once(faults.sign_status(500, "down")),
    "empty": lambda f: f.faults.sign_fetch.once(faults.sign_empty()),
    "no-cookie": lambda f: f.faults.sign_fetch.once(faults.sign_no_cookie()),
    "garbage": lambda f: f.faults.sign_fetch.once(faults.sign_garbage()),
    "no-cursor": lambda f: f.faults.sign_fetch.once(faults.missing_cursor()),
    "no-push-server": lambda f: f.faults.sign_fetch.once(faults.missing_push_server()),
    "timeout": lambda f: f.faults.sign_fetch.once(faults.sign_stall()),
    "key-rejected": lambda f: setattr(f, "required_api_key", "another-key"),
    "ws-blocked": lambda f: f.faults.ws_handshake.once(faults.blocked(200)),
    "ws-403": lambda f: f.faults.ws_handshake.once(faults.WsReply(status=403)),
    "web-500": _web_down,
    "captcha-then-offline": _captcha_then_offline,
    "age-restricted": _age_restricted,
    "device-blocked": lambda f: f.faults.ws_handshake.once(faults.device_blocked()),
    "fallback-push-host": lambda f: f.faults.sign_fetch.once(
        faults.fallback_push_host()
    ),
    # A sign server that echoes what it was sent in its error message.
    "echoing-server": lambda f: f.faults.sign_fetch.once(
        SignReply(
            status=500,
            body=f'{{"message": "bad key {KEY} for session {SESSION}"}}'.encode(),
        )
    ),
}


@pytest.fixture
def secret_client(make_client: ClientFactory) -> Callable[..., TikTokLiveClient]:
    """A client with a key and a session it may send to the sign server."""

    def _make(**kwargs: Any) -> TikTokLiveClient:
        options: dict[str, Any] = {
            "sign_api_key": KEY,
            "session_id": SESSION,
            "trust_sign_server_with_session": True,
            "request_timeout": 0.3,
        }
        return make_client(**(options | kwargs))

    return _make


@pytest.mark.parametrize("name", list(SIGN_FAILURES))
async def test_no_secret_in_connect_errors(
    fake: FakeTikTok,
    creator: FakeCreator,
    secret_client: Callable[..., TikTokLiveClient],
    caplog: pytest.LogCaptureFixture,
    name: str,
) -> None:
    """Each failure of connect(): its error and the debug log keep both secrets out."""
    caplog.set_level(logging.DEBUG)
    SIGN_FAILURES[name](fake)
    client = secret_client()
    with pytest.raises(TikTokLiveError) as caught:
        await client.connect(CREATOR)
    assert str(caught.value).startswith(PREFIX)
    assert_no_secret(caught.value)
    assert all(secret not in repr(client) for secret in SECRETS)
    assert all(secret not in caplog.text for secret in SECRETS)
    # The secrets were really in play.
    if fake.sign_requests():
        assert SESSION in str(fake.sign_requests()[-1].header("x-cookie-header"))


@pytest.mark.parametrize(
    "target",
    ["web", "sign"],
)
async def test_no_secret_when_unreachable(
    secret_client: Callable[..., TikTokLiveClient],
    caplog: pytest.LogCaptureFixture,
    target: str,
) -> None:
    """Connection errors do not print the URL (the sign URL holds the session)."""
    caplog.set_level(logging.DEBUG)
    dead = f"http://127.0.0.1:{free_port()}"
    if target == "web":
        client = secret_client(web_url=dead)
        with pytest.raises(WebcastConnectionError) as web:
            await client.resolve_creator(CREATOR)
        assert_no_secret(web.value)
    else:
        client = secret_client(sign_server_url=dead)
        with pytest.raises(SignAPIError) as sign:
            await client.sign_url("https://www.tiktok.com/x")
        assert_no_secret(sign.value)
    assert all(secret not in caplog.text for secret in SECRETS)


async def test_no_secret_in_sign_url_errors(
    fake: FakeTikTok,
    secret_client: Callable[..., TikTokLiveClient],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """sign_url's failures (the session goes in its JSON body)."""
    caplog.set_level(logging.DEBUG)
    client = secret_client()
    fake.faults.sign_url.once(
        faults.sign_url_code(403, "premium"),
        faults.sign_url_without_tokens(),
        faults.SignUrlReply(status=500, body=b"x"),
        faults.SignUrlReply(status=200, body=b"not json"),
        faults.SignUrlReply(stall=True),
    )
    for _ in range(5):
        with pytest.raises(SignAPIError) as caught:
            await client.sign_url("https://www.tiktok.com/x")
        assert_no_secret(caught.value)
    fake.required_api_key = "another-key"
    with pytest.raises(SignAPIError) as caught:
        await client.sign_url("https://www.tiktok.com/x")
    assert_no_secret(caught.value)
    assert all(secret not in caplog.text for secret in SECRETS)


async def test_no_secret_in_stream_errors(
    fake: FakeTikTok,
    creator: FakeCreator,
    secret_client: Callable[..., TikTokLiveClient],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Errors of an open stream (abnormal close, drop, silence) and the connection's repr."""
    caplog.set_level(logging.DEBUG)
    fake.faults.socket.once(faults.close(4001, "bye"), faults.drop(), faults.silence())
    for _ in range(3):
        connection = await secret_client(silence_timeout=0.2).connect(CREATOR)
        assert all(secret not in repr(connection) for secret in SECRETS)
        reader = Reader(connection)
        await reader.finished()
        assert isinstance(reader.error, WebcastConnectionError)
        assert_no_secret(reader.error)
        await connection.close()
    assert all(secret not in caplog.text for secret in SECRETS)
