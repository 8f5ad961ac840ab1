"""TikTok LIVE client: find a creator's room and open its event stream."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from enum import StrEnum
import logging
import re
from typing import Any, Final
from urllib.parse import urlsplit

import aiohttp
from yarl import URL

from .browser import BrowserIdentity, encode, join_query
from .connection import WebcastConnection
from .const import (
    DEFAULT_DIRECT_PUSH_URL,
    DEFAULT_HEARTBEAT_INTERVAL,
    DEFAULT_REQUEST_TIMEOUT,
    DEFAULT_SIGN_SERVER_URL,
    DEFAULT_WEB_URL,
    DEFAULT_WEBCAST_URL,
    DIRECT_HEARTBEAT_INTERVAL,
    DIRECT_PUSH_PATH,
    MAX_INFLATED_PAYLOAD,
)
from .errors import (
    AgeRestrictedError,
    AlreadyConnectedError,
    AuthenticatedWebSocketConnectionError,
    InitialCursorMissingError,
    TikTokLiveError,
    UserOfflineError,
    WebcastBlockedError,
    WebcastConnectionError,
    WebcastDeviceBlockedError,
    WebcastPushHostError,
    WebcastSessionRejectedError,
    WebsocketURLMissingError,
)
from .models import GiftInfo
from .pacing import RequestPacer
from .proto import webcast_pb2 as pb
from .proxy import NETWORK_ERRORS, as_proxy_error
from .sign import SignServer
from .tiktok_web import Creator, RoomInfo, TikTokWeb

_LOGGER = logging.getLogger(__name__)

_HANDLE = re.compile(r"^[A-Za-z0-9_.]{1,64}$")
WS_SUBPROTOCOL: Final = "echo-protocol"
MIN_HEARTBEAT_INTERVAL: Final = 0.05
MAX_HEARTBEAT_INTERVAL: Final = 60.0
# The push hosts TikTok runs; anything else came from a sign server's fallback.
TIKTOK_DOMAIN: Final = "tiktok.com"
DEVICE_BLOCKED: Final = "DEVICE_BLOCKED"
ILLEGAL_SECRET_KEY: Final = "illegal secret key"
HTTP_UNSUPPORTED_MEDIA_TYPE: Final = 415
# Room info of the last few rooms connected to, for their title and start.
ROOM_INFO_CACHE: Final = 8


class ConnectMethod(StrEnum):
    """How the push WebSocket's address and cookies are obtained."""

    # The sign server fetches the first result and a signed push URL for us.
    SIGN_SERVER = "sign_server"
    # TikTok's own push host, unsigned, with an anonymous ttwid cookie.
    DIRECT = "direct"


class TikTokLiveClient:
    """Reaches TikTok's web and webcast APIs, the sign server and the push WebSocket.

    All HTTP goes through the injected aiohttp session. TikTok's cookies are
    kept here, never in the session's jar, so the session can be shared; they
    go to TikTok's hosts only, and the session cookies to a WebSocket only when
    the user allowed sending the session to the sign server that signed it.
    """

    def __init__(
        self,
        session: aiohttp.ClientSession,
        *,
        web_url: str = DEFAULT_WEB_URL,
        webcast_url: str = DEFAULT_WEBCAST_URL,
        sign_server_url: str = DEFAULT_SIGN_SERVER_URL,
        sign_api_key: str | None = None,
        session_id: str | None = None,
        tt_target_idc: str = "useast1a",
        trust_sign_server_with_session: bool = False,
        request_timeout: float = DEFAULT_REQUEST_TIMEOUT,
        silence_timeout: float | None = None,
        pacer: RequestPacer | None = None,
        direct_push_url: str = DEFAULT_DIRECT_PUSH_URL,
        proxy: str | None = None,
        socks_proxy: str | None = None,
    ) -> None:
        """Configure the client; nothing is sent until a method is called.

        ``pacer`` spaces requests per host; share one between the clients of
        a program so that many creators never burst together. ``proxy`` is
        an HTTP(S) proxy for every request and the WebSocket; a SOCKS proxy
        lives in the session's connector, and ``socks_proxy`` only names it.
        """
        self._session = session
        self._session_id = session_id or None
        self._tt_target_idc = tt_target_idc
        self._trust_sign_server = trust_sign_server_with_session
        self._timeout = request_timeout
        self._silence_timeout = silence_timeout
        self._pacer = pacer or RequestPacer()
        self._direct_push_url = direct_push_url.rstrip("/")
        self._proxy = proxy
        self._proxy_name = proxy or socks_proxy
        self.identity = BrowserIdentity(self._session_id, tt_target_idc)
        self.web = TikTokWeb(
            session,
            self.identity,
            web_url=web_url,
            webcast_url=webcast_url,
            timeout=request_timeout,
            pacer=self._pacer,
            proxy=proxy,
            socks_proxy=socks_proxy,
        )
        self._sign = SignServer(
            session,
            sign_server_url,
            api_key=sign_api_key,
            timeout=request_timeout,
            session_id=self._session_id,
            pacer=self._pacer,
            proxy=proxy,
            socks_proxy=socks_proxy,
        )
        self._connection: WebcastConnection | None = None
        self._connect_task: asyncio.Task[WebcastConnection] | None = None
        self._abort_connect = False
        self._room_infos: dict[str, RoomInfo] = {}

    def __repr__(self) -> str:
        """Never show the key or the session."""
        return f"<TikTokLiveClient sign_server={self._sign.host!r} authenticated={bool(self._session_id)}>"

    @property
    def user_agent(self) -> str:
        """The browser User-Agent this client presents everywhere."""
        return self.identity.profile.user_agent

    @property
    def connection(self) -> WebcastConnection | None:
        """The open (or last) connection."""
        return self._connection

    @property
    def sign_server(self) -> SignServer:
        """The sign server this client asks."""
        return self._sign

    def room_info(self, room_id: str | None) -> RoomInfo | None:
        """Room info of a room this client connected to, if TikTok gave it."""
        return self._room_infos.get(room_id or "")

    # ------------------------------------------------------------ handles

    @staticmethod
    def parse_unique_id(creator: str) -> str:
        """The handle in "@x", "x", or a TikTok profile or LIVE URL (TikTok's only)."""
        text = creator.strip()
        first = text.split("/", 1)[0]
        if "://" in text or ("/" in text and "." in first and "@" not in first):
            parts = urlsplit(text if "://" in text else f"https://{text}")
            host = (parts.hostname or "").lower().rstrip(".")
            if host != TIKTOK_DOMAIN and not host.endswith(f".{TIKTOK_DOMAIN}"):
                # Another site's "@x" is not TikTok's "@x".
                raise ValueError("Not a TikTok link")
            segments = [s for s in parts.path.split("/") if s]
            handles = [s for s in segments if s.startswith("@")]
            if not handles:
                raise ValueError("No @handle in that URL")
            text = handles[0]
        else:
            # "@x?lang=en", "@x/live": a query or the LIVE suffix is not part of it.
            text = re.split(r"[?#]", text, maxsplit=1)[0].rstrip("/")
            text = text.removesuffix("/live")
        text = text.strip().removeprefix("@")
        if not _HANDLE.match(text):
            raise ValueError("Not a TikTok handle")
        return text

    # ------------------------------------------------------------ lookups

    async def resolve_creator(self, creator: str) -> Creator:
        """The account behind a handle or URL, whether it is live or not."""
        return await self.web.lookup(self.parse_unique_id(creator))

    async def check_live(self, unique_id: str) -> Creator:
        """Whether the creator streams now, from the lightest answer TikTok gives."""
        return await self.web.lookup(unique_id)

    async def fetch_room_id(self, unique_id: str) -> str:
        """The room id of the creator's stream; UserOfflineError while not live."""
        creator = await self.web.lookup(unique_id)
        if not creator.is_live or creator.room_id is None:
            raise UserOfflineError(
                f"The requested TikTok LIVE user '@{unique_id}' is offline."
            )
        return creator.room_id

    async def check_alive(self, room_id: str) -> bool:
        """Whether the room is streaming right now (a false is more reliable than a true)."""
        return (await self.web.check_alive([room_id])).get(room_id, False)

    async def fetch_room_info(self, room_id: str) -> RoomInfo:
        """Title, start, viewers and status of the room (``withheld`` when TikTok said nothing)."""
        info = await self.web.room_info(room_id)
        if not info.withheld:
            self._remember_room_info(info)
        return info

    def _remember_room_info(self, info: RoomInfo) -> None:
        self._room_infos.pop(info.room_id, None)
        self._room_infos[info.room_id] = info
        while len(self._room_infos) > ROOM_INFO_CACHE:
            self._room_infos.pop(next(iter(self._room_infos)))

    # ------------------------------------------------------- sign server

    def _check_session_allowed(self) -> None:
        if self._session_id and not self._trust_sign_server:
            raise AuthenticatedWebSocketConnectionError(
                "A TikTok session is configured, but sending it to the sign server "
                f"{self._sign.host} was not allowed."
            )

    async def sign_url(self, url: str, method: str = "GET") -> str:
        """TikTok's signatures for ``url``, from the sign server."""
        self._check_session_allowed()
        return await self._sign.sign_url(
            url,
            method=method,
            user_agent=self.user_agent,
            session_id=self._session_id,
            tt_target_idc=self._tt_target_idc,
        )

    async def bulk_live_check(self, user_ids: list[int]) -> dict[int, str | None]:
        """The live ones among many creators, in one sign server request (a key's plan)."""
        return await self._sign.bulk_live_check(user_ids)

    async def fetch_gifts(self, room_id: str) -> list[GiftInfo]:
        """The gifts of a room (id, name, diamonds, picture), from the sign server.

        PremiumEndpointError when the key's plan (or no key) does not include
        it; never an empty list: an answer without gifts is an error.
        """
        return await self._sign.gifts(room_id)

    async def fetch_sign_rate_limits(self) -> dict[str, Any]:
        """The sign server's limits for this key; SignAPIKeyInvalidError for a bad key."""
        return await self._sign.rate_limits()

    # -------------------------------------------------------- connecting

    async def connect(
        self,
        unique_id: str,
        *,
        room_id: str | None = None,
        method: ConnectMethod = ConnectMethod.SIGN_SERVER,
        fetch_room_info: bool = True,
        compress: bool = True,
    ) -> WebcastConnection:
        """Open the WebSocket of the creator's stream, one ``method`` or the other.

        ``room_id`` is the room a live check just found (it is looked up
        otherwise). The steps run in a task of their own so that
        disconnect() can abort them from another task without cancelling the
        caller.
        """
        if (self._connection is not None and not self._connection.closed) or (
            self._connect_task is not None
        ):
            raise AlreadyConnectedError("You can only make one connection per client!")
        self._abort_connect = False
        task = asyncio.ensure_future(
            self._connect(unique_id, room_id, method, fetch_room_info, compress)
        )
        self._connect_task = task
        try:
            connection = await task
        except asyncio.CancelledError:
            current = asyncio.current_task()
            if self._abort_connect and not (
                current is not None and current.cancelling()
            ):
                raise WebcastConnectionError("Disconnected while connecting") from None
            # Our caller was cancelled: take the attempt and its socket down too.
            await _discard(task)
            raise
        except TikTokLiveError as err:
            if self._abort_connect:
                raise WebcastConnectionError("Disconnected while connecting") from err
            raise
        finally:
            self._connect_task = None
        if self._abort_connect:
            await connection.close()
            raise WebcastConnectionError("Disconnected while connecting")
        self._connection = connection
        return connection

    async def _connect(
        self,
        unique_id: str,
        room_id: str | None,
        method: ConnectMethod,
        fetch_room_info: bool,
        compress: bool,
    ) -> WebcastConnection:
        if room_id is None:
            room_id = await self.fetch_room_id(unique_id)
        info = await self._room_info_hint(room_id) if fetch_room_info else None
        if info is not None and info.offline:
            raise UserOfflineError(
                f"The requested TikTok LIVE user '@{unique_id}' is offline."
            )
        try:
            if method is ConnectMethod.DIRECT:
                return await self._connect_direct(unique_id, room_id, compress)
            self._check_session_allowed()
            return await self._connect_signed(unique_id, room_id, compress)
        except WebcastDeviceBlockedError:
            # TikTok refused this browser, not the room: a new one retries soon.
            raise
        except WebcastBlockedError as refused:
            if info is not None and info.prompt:
                # Refused, and room info withheld with a prompt: what an
                # age-restricted room looks like (an empty prompt is TikTok's
                # captcha answer). Still only a hint until it survives a retry.
                raise AgeRestrictedError(
                    "This LIVE is age restricted: it can only be watched with the "
                    "session of a signed-in adult account (sessionid)."
                ) from refused
            raise

    async def _room_info_hint(self, room_id: str) -> RoomInfo | None:
        """Room info as a hint (offline, paused, withheld): its failure never blocks connecting."""
        try:
            return await self.fetch_room_info(room_id)
        except WebcastConnectionError as err:
            _LOGGER.debug("Room info of %s unavailable: %s", room_id, err)
            return None

    async def _connect_signed(
        self, unique_id: str, room_id: str, compress: bool
    ) -> WebcastConnection:
        """The sign server's way: it fetches the first result and push URL for us."""
        with_session = bool(self._session_id) and self._trust_sign_server
        if with_session:
            _LOGGER.debug(
                "Sending the TikTok session to the sign server %s, as allowed",
                self._sign.host,
            )
        signed = await self._sign.fetch(
            room_id=room_id,
            user_agent=self.user_agent,
            session_cookie=self.identity.cookies.session_header()
            if with_session
            else None,
        )
        url = self._websocket_url(signed.result, room_id, compress)
        tiktok_host = self.is_tiktok_host(url)
        ws, interval = await self._open_websocket(
            url,
            # A session-signed URL needs the session cookie, but a session
            # never goes to a push host outside TikTok.
            with_session=with_session and tiktok_host,
            tiktok_host=tiktok_host,
            # The sign server's cookies (its ttwid) belong to the URL it
            # signed: this socket only. Kept, TikTok's push host would see a
            # ttwid it never gave this browser on the next direct socket, and
            # refuse it as DEVICE_BLOCKED.
            signed_cookies=signed.cookies,
        )
        return WebcastConnection(
            ws,
            unique_id=unique_id,
            room_id=room_id,
            initial=signed.result,
            heartbeat_interval=interval,
            silence_timeout=self._silence_timeout,
        )

    async def _connect_direct(
        self, unique_id: str, room_id: str, compress: bool
    ) -> WebcastConnection:
        """TikTok's own way: an anonymous ttwid and the unsigned push URL."""
        await self.web.ensure_ttwid(unique_id)
        params = self.identity.profile.direct_websocket_params(room_id)
        if not compress:
            params = [(k, "" if k == "compress" else v) for k, v in params]
        url = URL(
            f"{self._direct_push_url}{DIRECT_PUSH_PATH}?{join_query(params)}",
            encoded=True,
        )
        ws, interval = await self._open_websocket(
            url,
            # TikTok's own host: the session (when configured) may go there.
            with_session=bool(self._session_id),
            tiktok_host=True,
            browser_headers=True,
            default_interval=DIRECT_HEARTBEAT_INTERVAL,
        )
        return WebcastConnection(
            ws,
            unique_id=unique_id,
            room_id=room_id,
            initial=None,
            heartbeat_interval=interval,
            silence_timeout=self._silence_timeout,
        )

    def is_tiktok_host(self, url: URL) -> bool:
        """Whether ``url`` goes to TikTok's own host (not a sign server's fallback).

        A host configured as TikTok's counts with its port, when it has one:
        another port on the same address is another server.
        """
        if not url.host:
            return False
        host = url.host.lower().rstrip(".")
        direct = URL(self._direct_push_url)
        return (
            (host, url.explicit_port) in self.web.origins
            or (host, url.explicit_port) == (direct.host, direct.explicit_port)
            or host == TIKTOK_DOMAIN
            or host.endswith(f".{TIKTOK_DOMAIN}")
        )

    def _websocket_url(
        self, result: pb.FetchResult, room_id: str, compress: bool
    ) -> URL:
        if not result.cursor:
            raise InitialCursorMissingError("Missing cursor in initial fetch response.")
        if not result.push_server:
            raise WebsocketURLMissingError("No websocket URL received from TikTok.")
        if not result.route_params:
            raise WebsocketURLMissingError("Websocket parameters missing.")
        params: dict[str, str] = {
            encode(key): encode(value)
            for key, value in result.route_params.items()
            if value
        }
        # Our defaults win, but a key keeps the place the route params gave it.
        params.update(self.identity.profile.websocket_params())
        params["room_id"] = room_id
        params["compress"] = "gzip" if compress else ""
        # TikTok's production URL carries a second version_code.
        query = join_query(list(params.items())) + "&version_code=270000"
        separator = "&" if "?" in result.push_server else "?"
        try:
            return URL(f"{result.push_server}{separator}{query}", encoded=True)
        except ValueError:
            raise WebsocketURLMissingError(
                "The push server is not a WebSocket URL."
            ) from None

    async def _open_websocket(
        self,
        url: URL,
        *,
        with_session: bool,
        tiktok_host: bool,
        browser_headers: bool = False,
        default_interval: float = DEFAULT_HEARTBEAT_INTERVAL,
        signed_cookies: Mapping[str, str] | None = None,
    ) -> tuple[aiohttp.ClientWebSocketResponse, float]:
        """The open socket and its heartbeat interval, or the error TikTok's answer means.

        ``browser_headers``: Origin, Referer and Accept-Language as TikTok's
        web client sends them (the direct socket); a signed socket sends the
        User-Agent it was signed for and nothing more, as TikTokLive does.
        """
        profile = self.identity.profile
        headers = (
            profile.websocket_headers()
            if browser_headers
            else {"User-Agent": profile.user_agent}
        )
        headers["Cookie"] = self.identity.cookies.websocket_header(
            with_session=with_session, signed=signed_cookies
        )
        # A task of its own: if we are cancelled just as it succeeds, the socket
        # is still reachable here and gets closed instead of leaking.
        attempt = asyncio.ensure_future(
            self._session.ws_connect(
                url,
                protocols=(WS_SUBPROTOCOL,),
                headers=headers,
                # TikTok never answers WebSocket pings (a pong timeout would
                # end every session): liveness is the application heartbeat.
                heartbeat=None,
                autoping=False,
                timeout=aiohttp.ClientWSTimeout(ws_close=self._timeout),
                max_msg_size=MAX_INFLATED_PAYLOAD,
                proxy=self._proxy,
            )
        )
        try:
            try:
                async with asyncio.timeout(self._timeout):
                    ws = await attempt
            except BaseException:
                await _discard(attempt)
                raise
        except aiohttp.WSServerHandshakeError as err:
            raise self._refusal(err, with_session, tiktok_host) from None
        except NETWORK_ERRORS as err:
            if (proxy_error := as_proxy_error(err, self._proxy_name)) is not None:
                raise proxy_error from None
            if not tiktok_host:
                raise WebcastPushHostError(
                    f"The sign server's push host {url.host} could not be reached: "
                    f"{type(err).__name__}"
                ) from None
            raise WebcastConnectionError(
                f"Could not open the WebSocket: {type(err).__name__}"
            ) from None
        # aiohttp keeps the upgrade response private; its Handshake-Options
        # header carries the server's heartbeat interval.
        response = getattr(ws, "_response", None)
        options = getattr(response, "headers", None) or {}
        return ws, _ping_interval(
            str(options.get("Handshake-Options", "")), default_interval
        )

    def _refusal(
        self, err: aiohttp.WSServerHandshakeError, with_session: bool, tiktok_host: bool
    ) -> TikTokLiveError:
        """What a refused upgrade means, from its status and Handshake-Msg."""
        message = (err.headers.get("Handshake-Msg") if err.headers else None) or ""
        status = err.status
        reason = message or "an unknown reason"
        if not tiktok_host:
            return WebcastPushHostError(
                f"The sign server's push host refused the WebSocket (HTTP {status}, "
                f'"{reason}").'
            )
        if status == HTTP_UNSUPPORTED_MEDIA_TYPE or DEVICE_BLOCKED in message.upper():
            # A fresh ttwid and User-Agent clear it: the next attempt uses them.
            self.identity.renew()
            return WebcastDeviceBlockedError(
                f'WebSocket rejected by TikTok due to "{reason}".',
                status=status,
                handshake_msg=message or None,
            )
        if status in (200, 400) or message:
            prefix = "400 Bad Request: " if status == 400 else ""
            error = (
                WebcastSessionRejectedError
                if with_session and ILLEGAL_SECRET_KEY in message.lower()
                else WebcastBlockedError
            )
            return error(
                f'{prefix}WebSocket rejected by TikTok due to "{reason}".',
                status=status,
                handshake_msg=message or None,
            )
        return WebcastConnectionError(
            f"WebSocket handshake failed with HTTP {status}", status=status
        )

    async def disconnect(self) -> None:
        """Close the connection, or abort one being made; safe to call any time."""
        task = self._connect_task
        if task is not None:
            # connect() has not returned yet, even if its task is done: it sees
            # the flag and hands out nothing.
            self._abort_connect = True
            await _discard(task)
        if self._connection is not None:
            await self._connection.close()


async def _discard(
    task: asyncio.Future[WebcastConnection]
    | asyncio.Future[aiohttp.ClientWebSocketResponse],
) -> None:
    """Stop ``task`` and close whatever it opened; never raises its error."""
    if not task.done():
        task.cancel()
    await asyncio.wait([task])
    if not task.cancelled() and task.exception() is None:
        await task.result().close()


def _ping_interval(options: str, default: float) -> float:
    """The heartbeat interval from Handshake-Options ("ping-interval=10; ...")."""
    for part in options.split(";"):
        key, _, value = part.strip().partition("=")
        if key.strip() == "ping-interval":
            try:
                interval = float(value.strip())
            except ValueError:
                break
            if interval > 0:
                # The server's word, within reason: a hostile value must not
                # turn the heartbeat into a busy loop or stop it altogether.
                return min(
                    max(interval, MIN_HEARTBEAT_INTERVAL), MAX_HEARTBEAT_INTERVAL
                )
    return default
