"""TikTok LIVE client: find a creator's room and open its event stream."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
import json
import logging
import re
from typing import Any, Final
from urllib.parse import urlsplit

import aiohttp
from yarl import URL

from .browser import BrowserProfile, encode, join_query
from .connection import WebcastConnection
from .const import (
    DEFAULT_HEARTBEAT_INTERVAL,
    DEFAULT_REQUEST_TIMEOUT,
    DEFAULT_SIGN_SERVER_URL,
    DEFAULT_WEB_URL,
    DEFAULT_WEBCAST_URL,
    MAX_INFLATED_PAYLOAD,
    ROOM_STATUS_OFFLINE,
)
from .errors import (
    AgeRestrictedError,
    AlreadyConnectedError,
    AuthenticatedWebSocketConnectionError,
    FailedParseRoomIdError,
    InitialCursorMissingError,
    TikTokLiveError,
    UserNotFoundError,
    UserOfflineError,
    WebcastBlockedError,
    WebcastConnectionError,
    WebsocketURLMissingError,
)
from .models import Creator, RoomInfo
from .proto import webcast_pb2 as pb
from .sign import (
    MAX_HTTP_BODY,
    BodyTooLargeError,
    SignServer,
    parse_cookies,
    read_capped,
)

_LOGGER = logging.getLogger(__name__)

_HANDLE = re.compile(r"^[A-Za-z0-9_.]{1,64}$")
_SIGI_STATE = re.compile(
    r'<script id="SIGI_STATE" type="application/json">(.*?)</script>', re.DOTALL
)
WS_SUBPROTOCOL: Final = "echo-protocol"
MIN_HEARTBEAT_INTERVAL: Final = 0.05
MAX_HEARTBEAT_INTERVAL: Final = 60.0


def _as_int(value: Any) -> int | None:
    """TikTok sends ids as strings or numbers; anything else is missing."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        text = value.strip()
        # isdigit() alone lets "²" through, and a huge string is no id either.
        if text.isascii() and text.isdigit() and len(text) <= 20:
            return int(text)
    return None


def _text(value: Any, default: str = "") -> str:
    """A JSON string field, or ``default`` when it is missing, empty or not text."""
    return value if isinstance(value, str) and value else default


def _room_id(value: Any) -> str | None:
    """A room id as text; "0", "" or anything but digits means no room."""
    room_id = _as_int(value)
    return str(room_id) if room_id is not None and room_id > 0 else None


def _dig(data: Any, *path: str) -> Any:
    """data[path[0]][path[1]]... or None: a missing field is never an exception."""
    for key in path:
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data


class TikTokLiveClient:
    """Reaches TikTok's web and webcast APIs, the sign server and the push WebSocket.

    All HTTP goes through the injected aiohttp session. TikTok's cookies are
    kept here, never in the session's jar, so the session can be shared.
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
    ) -> None:
        """Configure the client; nothing is sent until a method is called."""
        self._session = session
        self._web_url = web_url.rstrip("/")
        self._webcast_url = webcast_url.rstrip("/")
        self._session_id = session_id or None
        self._tt_target_idc = tt_target_idc
        self._trust_sign_server = trust_sign_server_with_session
        self._timeout = request_timeout
        self._silence_timeout = silence_timeout
        self._sign = SignServer(
            session,
            sign_server_url,
            api_key=sign_api_key,
            timeout=request_timeout,
            session_id=self._session_id,
        )
        self._profile = BrowserProfile.pick()
        self._cookies: dict[str, str] = {"tt-target-idc": tt_target_idc}
        if self._session_id:
            for name in ("sessionid", "sessionid_ss", "sid_tt"):
                self._cookies[name] = self._session_id
        self._connection: WebcastConnection | None = None
        self._connect_task: asyncio.Task[WebcastConnection] | None = None
        self._abort_connect = False
        self._room_info: RoomInfo | None = None

    def __repr__(self) -> str:
        """Never show the key or the session."""
        return f"<TikTokLiveClient sign_server={self._sign.host!r} authenticated={bool(self._session_id)}>"

    @property
    def user_agent(self) -> str:
        """The browser User-Agent this client presents everywhere."""
        return self._profile.user_agent

    @property
    def connection(self) -> WebcastConnection | None:
        """The open (or last) connection."""
        return self._connection

    @property
    def room_info(self) -> RoomInfo | None:
        """Room info of the last connect, when it was fetched."""
        return self._room_info

    # ------------------------------------------------------------ handles

    @staticmethod
    def parse_unique_id(creator: str) -> str:
        """The handle in "@x", "x", or a TikTok profile or LIVE URL."""
        text = creator.strip()
        if "://" in text or "tiktok.com" in text.lower():
            parts = urlsplit(text if "://" in text else f"https://{text}")
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

    # --------------------------------------------------------------- HTTP

    def _cookie_header(self) -> str:
        return "; ".join(f"{name}={value}" for name, value in self._cookies.items())

    def _store_cookies(self, response: aiohttp.ClientResponse) -> None:
        """Keep what TikTok sets, as a browser would (the session's jar is not used)."""
        for header in response.headers.getall("Set-Cookie", []):
            for name, value in parse_cookies(header).items():
                # The configured session is ours to set, never TikTok's to replace.
                if name not in ("sessionid", "sessionid_ss", "sid_tt"):
                    self._cookies[name] = value

    def _api_url(self, base: str, path: str, extra: list[tuple[str, str]]) -> URL:
        params = self._profile.web_params(logged_in=bool(self._session_id)) + [
            (key, encode(value)) for key, value in extra
        ]
        return URL(f"{base}/{path}?{join_query(params)}", encoded=True)

    async def _get(self, url: URL) -> tuple[int, str]:
        headers = self._profile.web_headers() | {"Cookie": self._cookie_header()}
        try:
            async with self._session.get(
                url,
                headers=headers,
                allow_redirects=False,
                timeout=aiohttp.ClientTimeout(total=self._timeout),
            ) as response:
                self._store_cookies(response)
                body = await read_capped(response)
        except BodyTooLargeError:
            raise WebcastConnectionError(
                f"TikTok's answer is larger than {MAX_HTTP_BODY} bytes"
            ) from None
        except (TimeoutError, aiohttp.ClientError, OSError) as err:
            raise WebcastConnectionError(
                f"Could not reach TikTok: {type(err).__name__}"
            ) from None
        return response.status, body.decode("utf-8", errors="replace")

    async def _get_json(self, url: URL) -> dict[str, Any]:
        status, text = await self._get(url)
        if status != 200:
            raise WebcastConnectionError(
                f"TikTok answered HTTP {status}", status=status
            )
        try:
            data = json.loads(text)
        except (ValueError, RecursionError):
            raise WebcastConnectionError(
                "TikTok's answer is not JSON", status=status
            ) from None
        if not isinstance(data, dict):
            raise WebcastConnectionError(
                "TikTok's answer is not a JSON object", status=status
            )
        return data

    async def _live_page_user(self, unique_id: str) -> dict[str, Any] | None:
        """LiveRoom.liveRoomUserInfo.user of the LIVE page; None when the page lacks it.

        Raises UserNotFoundError when the page has state but no LiveRoom.
        """
        status, html = await self._get(
            URL(f"{self._web_url}/@{encode(unique_id)}/live", encoded=True)
        )
        if status != 200 or not (match := _SIGI_STATE.search(html)):
            return None
        try:
            state = json.loads(match.group(1))
        except (ValueError, RecursionError):
            return None
        if not isinstance(state, dict):
            return None
        if "LiveRoom" not in state:
            raise UserNotFoundError(unique_id, f"@{unique_id} has no LIVE page.")
        user = _dig(state, "LiveRoom", "liveRoomUserInfo", "user")
        return user if isinstance(user, dict) else None

    async def _room_api(self, unique_id: str) -> dict[str, Any]:
        """The /api-live/user/room/ answer; UserNotFoundError for an unknown handle."""
        data = await self._get_json(
            self._api_url(
                self._web_url,
                "api-live/user/room/",
                [("uniqueId", unique_id), ("sourceType", "54")],
            )
        )
        if data.get("message") == "user_not_found":
            raise UserNotFoundError(unique_id, f"TikTok does not know @{unique_id}.")
        return data

    async def resolve_creator(self, creator: str) -> Creator:
        """The account behind a handle or URL, whether it is live or not."""
        unique_id = self.parse_unique_id(creator)
        page_error: Exception | None = None
        try:
            user = await self._live_page_user(unique_id)
        except (UserNotFoundError, WebcastConnectionError) as err:
            # The page is the fast path; the API decides.
            user, page_error = None, err
        if user is not None and (user_id := _as_int(user.get("id"))) is not None:
            status = _as_int(user.get("status"))
            room_id = _room_id(user.get("roomId"))
            return Creator(
                user_id=user_id,
                unique_id=_text(user.get("uniqueId"), unique_id),
                nickname=_text(user.get("nickname")),
                room_id=room_id,
                is_live=room_id is not None and status != ROOM_STATUS_OFFLINE,
            )
        try:
            data = await self._room_api(unique_id)
        except WebcastConnectionError as err:
            raise err from page_error
        api_user = _dig(data, "data", "user")
        user_id = _as_int(_dig(api_user, "id"))
        if user_id is None:
            raise FailedParseRoomIdError(
                "That user can't stream, or you might be blocked by TikTok."
            ) from page_error
        status = _as_int(_dig(data, "data", "liveRoom", "status"))
        if status is None:
            status = _as_int(_dig(api_user, "status"))
        room_id = _room_id(_dig(api_user, "roomId"))
        return Creator(
            user_id=user_id,
            unique_id=_text(_dig(api_user, "uniqueId"), unique_id),
            nickname=_text(_dig(api_user, "nickname")),
            room_id=room_id,
            is_live=room_id is not None and status != ROOM_STATUS_OFFLINE,
        )

    async def fetch_room_id(self, unique_id: str) -> str:
        """The room id of the creator's stream; UserOfflineError while not live."""
        page_error: Exception | None = None
        try:
            user = await self._live_page_user(unique_id)
        except (UserNotFoundError, WebcastConnectionError) as err:
            user, page_error = None, err
        if user is not None:
            if _as_int(user.get("status")) == ROOM_STATUS_OFFLINE:
                raise UserOfflineError(
                    f"The requested TikTok LIVE user '@{unique_id}' is offline."
                )
            if room_id := _room_id(user.get("roomId")):
                return room_id
        data = await self._room_api(unique_id)
        # An offline creator's answer often has no room at all: offline is the
        # more useful error than "no room id".
        status = _as_int(_dig(data, "data", "liveRoom", "status"))
        if status is None:
            status = _as_int(_dig(data, "data", "user", "status"))
        if status == ROOM_STATUS_OFFLINE:
            raise UserOfflineError(
                f"The requested TikTok LIVE user '@{unique_id}' is offline."
            )
        room_id = _room_id(_dig(data, "data", "user", "roomId"))
        if room_id is None:
            raise FailedParseRoomIdError(
                "That user can't stream, or you might be blocked by TikTok."
            ) from page_error
        return room_id

    async def check_alive(self, room_id: str) -> bool:
        """Whether the room is streaming right now."""
        data = await self._get_json(
            self._api_url(
                self._webcast_url,
                "room/check_alive/",
                [("room_id", room_id), ("room_ids", room_id)],
            )
        )
        rooms = data.get("data")
        if not isinstance(rooms, list) or not rooms or not isinstance(rooms[0], dict):
            raise WebcastConnectionError("TikTok's live check has no room in it")
        # Strictly true: a string such as "false" must not read as live.
        return rooms[0].get("alive") is True

    async def fetch_room_info(self, room_id: str) -> RoomInfo:
        """Title, start and viewers of the room; AgeRestrictedError when it needs a session."""
        data = await self._get_json(
            self._api_url(self._webcast_url, "room/info/", [("room_id", room_id)])
        )
        info = data.get("data")
        if not isinstance(info, dict):
            raise WebcastConnectionError("TikTok's room info has no data")
        if "prompts" in info or len(info) <= 1:
            raise AgeRestrictedError(
                "This LIVE is age restricted: it can only be watched with the session of a signed-in adult account (sessionid)."
            )
        created = _as_int(info.get("create_time"))
        title = info.get("title")
        return RoomInfo(
            room_id=room_id,
            title=title if isinstance(title, str) and title else None,
            started_at=datetime.fromtimestamp(created, UTC) if created else None,
            viewers=_as_int(info.get("user_count")),
        )

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

    async def fetch_sign_rate_limits(self) -> dict[str, Any]:
        """The sign server's limits for this key; SignAPIKeyInvalidError for a bad key."""
        return await self._sign.rate_limits()

    # -------------------------------------------------------- connecting

    async def connect(
        self, unique_id: str, *, fetch_room_info: bool = True, compress: bool = True
    ) -> WebcastConnection:
        """Find the creator's room, sign in to it and open its WebSocket.

        The steps run in a task of their own so that disconnect() can abort
        them from another task without cancelling the caller.
        """
        if (self._connection is not None and not self._connection.closed) or (
            self._connect_task is not None
        ):
            raise AlreadyConnectedError("You can only make one connection per client!")
        self._abort_connect = False
        task = asyncio.ensure_future(
            self._connect(unique_id, fetch_room_info, compress)
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
        self, unique_id: str, fetch_room_info: bool, compress: bool
    ) -> WebcastConnection:
        room_id = await self.fetch_room_id(unique_id)
        if not await self.check_alive(room_id):
            raise UserOfflineError()
        if fetch_room_info:
            self._room_info = await self.fetch_room_info(room_id)
        self._check_session_allowed()
        if self._session_id:
            _LOGGER.warning(
                "Sending the TikTok session to the sign server %s, as allowed",
                self._sign.host,
            )
        signed = await self._sign.fetch(
            room_id=room_id,
            user_agent=self.user_agent,
            session_id=self._session_id if self._trust_sign_server else None,
            tt_target_idc=self._tt_target_idc,
        )
        self._cookies.update(signed.cookies)
        url = self._websocket_url(signed.result, room_id, compress)
        ws, interval = await self._open_websocket(url)
        return WebcastConnection(
            ws,
            unique_id=unique_id,
            room_id=room_id,
            initial=signed.result,
            heartbeat_interval=interval,
            silence_timeout=self._silence_timeout,
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
        params.update(self._profile.websocket_params())
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
        self, url: URL
    ) -> tuple[aiohttp.ClientWebSocketResponse, float]:
        """The open socket and its heartbeat interval, or the error TikTok's answer means."""
        headers = {
            "Cookie": " ".join(
                f"{name}={value};" for name, value in self._cookies.items()
            ),
            "User-Agent": self.user_agent,
        }
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
            if err.status in (200, 400):
                reason = (
                    err.headers.get("Handshake-Msg") if err.headers else None
                ) or "an unknown reason"
                prefix = "400 Bad Request: " if err.status == 400 else ""
                raise WebcastBlockedError(
                    f'{prefix}WebSocket rejected by TikTok due to "{reason}".'
                ) from None
            raise WebcastConnectionError(
                f"WebSocket handshake failed with HTTP {err.status}", status=err.status
            ) from None
        except (aiohttp.ClientError, OSError, TimeoutError) as err:
            raise WebcastConnectionError(
                f"Could not open the WebSocket: {type(err).__name__}"
            ) from None
        # aiohttp keeps the upgrade response private; its Handshake-Options
        # header carries the server's heartbeat interval.
        response = getattr(ws, "_response", None)
        options = getattr(response, "headers", None) or {}
        return ws, _ping_interval(str(options.get("Handshake-Options", "")))

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


def _ping_interval(options: str) -> float:
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
    return DEFAULT_HEARTBEAT_INTERVAL
