"""TikTok's own HTTP answers: who a creator is, whether they are live, what their room shows.

Every answer here can be wrong once (a captcha page, a rate limit dressed as
"user not found", a room info that withholds everything), so nothing in this
module concludes more than the answer says: a single "not found" names its
source, room info never blocks a connection, and the lightest answer (the
api-live JSON) is asked first; the full LIVE page only when that is missing or
as a second opinion.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
import json
import logging
import re
from typing import Any, Final

import aiohttp
from yarl import URL

from .browser import BrowserIdentity, encode, join_query
from .const import (
    ROOM_STATUS_LIVE,
    ROOM_STATUS_OFFLINE,
    ROOM_STATUS_PAUSED,
    STATUS_CODE_ROOM_PROMPTS,
    STATUS_CODE_USER_NOT_FOUND,
)
from .errors import (
    FailedParseRoomIdError,
    UserNotFoundError,
    WebcastConnectionError,
)
from .pacing import RequestPacer
from .proxy import NETWORK_ERRORS, as_proxy_error, proxy_refusal
from .sign import MAX_HTTP_BODY, BodyTooLargeError, parse_cookies, read_capped

_LOGGER = logging.getLogger(__name__)

_SIGI_STATE: Final = re.compile(
    r'<script id="SIGI_STATE" type="application/json">(.*?)</script>', re.DOTALL
)
SOURCE_API: Final = "api"
SOURCE_PAGE: Final = "page"


def as_int(value: Any) -> int | None:
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


def _text(value: Any, default: str | None = "") -> Any:
    """A JSON string field, or ``default`` when it is missing, empty or not text."""
    return value if isinstance(value, str) and value else default


def _room_id(value: Any) -> str | None:
    """A room id as text; "0", "" or anything but digits means no room."""
    room_id = as_int(value)
    return str(room_id) if room_id is not None and room_id > 0 else None


def _timestamp(value: Any) -> datetime | None:
    seconds = as_int(value)
    if not seconds or seconds <= 0:
        return None
    try:
        return datetime.fromtimestamp(seconds, UTC)
    except (OverflowError, OSError, ValueError):
        return None


def dig(data: Any, *path: str) -> Any:
    """data[path[0]][path[1]]... or None: a missing field is never an exception."""
    for key in path:
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data


@dataclass(frozen=True, slots=True)
class Creator:
    """A creator as one answer of TikTok's describes them, live or not.

    ``status`` is TikTok's room status when the answer had one (2 live,
    3 paused, 4 offline); ``source`` which answer it was ("api" or "page").
    """

    user_id: int
    unique_id: str
    nickname: str
    room_id: str | None
    is_live: bool
    status: int | None = None
    title: str | None = None
    viewers: int | None = None
    started_at: datetime | None = None
    source: str = SOURCE_API

    @property
    def paused(self) -> bool:
        """Whether the creator paused the stream (still live)."""
        return self.is_live and self.status == ROOM_STATUS_PAUSED


@dataclass(frozen=True, slots=True)
class RoomInfo:
    """What room info tells about a room; ``withheld`` when it told nothing.

    TikTok withholds room info (``prompts``, status_code 4003110, or almost no
    data) for captchas, rate limits, low-trust addresses and age-restricted
    rooms alike: on its own that is "unknown", never a verdict.
    """

    room_id: str
    title: str | None
    started_at: datetime | None
    viewers: int | None
    status: int | None = None
    withheld: bool = False
    # The text TikTok withheld the room with, when it gave one ("This LIVE is
    # for adults only ..."); an empty prompt is the captcha/rate-limit answer.
    prompt: str | None = None

    @property
    def offline(self) -> bool:
        """Whether room info says the room is not streaming (status 4)."""
        return self.status == ROOM_STATUS_OFFLINE

    @property
    def paused(self) -> bool:
        """Whether room info says the room is paused (status 3)."""
        return self.status == ROOM_STATUS_PAUSED


def _status(*candidates: Any) -> int | None:
    """The first room status among TikTok's (several, sometimes disagreeing) fields.

    An explicit "offline" in any of them wins: a stale "live" elsewhere is
    more common than a stale "offline".
    """
    statuses = [s for c in candidates if (s := as_int(c)) is not None]
    if ROOM_STATUS_OFFLINE in statuses:
        return ROOM_STATUS_OFFLINE
    return statuses[0] if statuses else None


def _creator(
    user: dict[str, Any],
    live_room: Any,
    unique_id: str,
    source: str,
) -> Creator | None:
    user_id = as_int(user.get("id"))
    if user_id is None:
        return None
    status = _status(dig(live_room, "status"), user.get("status"))
    room_id = _room_id(user.get("roomId"))
    if room_id is None and status in (ROOM_STATUS_LIVE, ROOM_STATUS_PAUSED):
        # "Live" without a room to connect to: the answer is incomplete.
        return None
    return Creator(
        user_id=user_id,
        unique_id=_text(user.get("uniqueId"), unique_id),
        nickname=_text(user.get("nickname")),
        room_id=room_id,
        is_live=room_id is not None and status != ROOM_STATUS_OFFLINE,
        status=status,
        title=_text(dig(live_room, "title"), None),
        viewers=as_int(dig(live_room, "liveRoomStats", "userCount")),
        started_at=_timestamp(dig(live_room, "startTime")),
        source=source,
    )


class TikTokWeb:
    """TikTok's web (www) and webcast HTTP APIs for one client."""

    def __init__(
        self,
        session: aiohttp.ClientSession,
        identity: BrowserIdentity,
        *,
        web_url: str,
        webcast_url: str,
        timeout: float,
        pacer: RequestPacer,
        proxy: str | None = None,
        socks_proxy: str | None = None,
    ) -> None:
        """Reach ``web_url`` and ``webcast_url`` as ``identity``, through ``session``.

        ``proxy`` is an HTTP(S) proxy for every request; ``socks_proxy`` one
        that lives in the session's connector instead (named for its errors).
        """
        self._session = session
        self._identity = identity
        self.web_url = web_url.rstrip("/")
        self.webcast_url = webcast_url.rstrip("/")
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._pacer = pacer
        self._proxy = proxy
        self._proxy_name = proxy or socks_proxy

    @property
    def origins(self) -> frozenset[tuple[str, int | None]]:
        """The hosts (with the port, when one is given) this client treats as TikTok's own."""
        return frozenset(
            (url.host, url.explicit_port)
            for url in (URL(self.web_url), URL(self.webcast_url))
            if url.host is not None
        )

    # ------------------------------------------------------------ plumbing

    def _api_url(self, base: str, path: str, extra: list[tuple[str, str]]) -> URL:
        profile = self._identity.profile
        params = profile.web_params(logged_in=self._identity.cookies.has_session) + [
            (key, encode(value)) for key, value in extra
        ]
        return URL(f"{base}/{path}?{join_query(params)}", encoded=True)

    async def get(self, url: URL) -> tuple[int, str]:
        """GET a TikTok URL as the browser; (status, text). Cookies it sets are kept."""
        cookies = self._identity.cookies
        headers = self._identity.profile.web_headers()
        if cookie_header := cookies.http_header():
            headers["Cookie"] = cookie_header
        await self._pacer.turn(url.host or "")
        try:
            async with self._session.get(
                url,
                headers=headers,
                allow_redirects=False,
                timeout=self._timeout,
                proxy=self._proxy,
            ) as response:
                if refusal := proxy_refusal(
                    response.status, response.headers, self._proxy
                ):
                    raise refusal
                for header in response.headers.getall("Set-Cookie", []):
                    cookies.update(parse_cookies(header))
                body = await read_capped(response)
        except BodyTooLargeError:
            raise WebcastConnectionError(
                f"TikTok's answer is larger than {MAX_HTTP_BODY} bytes"
            ) from None
        except NETWORK_ERRORS as err:
            if (proxy_error := as_proxy_error(err, self._proxy_name)) is not None:
                raise proxy_error from None
            raise WebcastConnectionError(
                f"Could not reach TikTok: {type(err).__name__}"
            ) from None
        return response.status, body.decode("utf-8", errors="replace")

    async def _get_json(self, url: URL) -> dict[str, Any]:
        status, text = await self.get(url)
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

    # ------------------------------------------------------------- sources

    async def room_api(self, unique_id: str) -> Creator | None:
        """The api-live JSON, the light answer; None when it lacks the creator.

        Raises UserNotFoundError (source "api") for TikTok's "user not found".
        """
        data = await self._get_json(
            self._api_url(
                self.web_url,
                "api-live/user/room/",
                [
                    ("uniqueId", unique_id),
                    ("sourceType", "54"),
                    ("staleTime", "600000"),
                ],
            )
        )
        if (
            data.get("message") == "user_not_found"
            or as_int(data.get("statusCode")) == STATUS_CODE_USER_NOT_FOUND
        ):
            raise UserNotFoundError(
                unique_id, f"TikTok does not know @{unique_id}.", sources=(SOURCE_API,)
            )
        user = dig(data, "data", "user")
        if not isinstance(user, dict):
            return None
        return _creator(user, dig(data, "data", "liveRoom"), unique_id, SOURCE_API)

    async def live_page(self, unique_id: str) -> Creator | None:
        """The LIVE page's SIGI_STATE, the heavy answer; None when it shows no state.

        A captcha or "please wait" page is None (unknown). Raises
        UserNotFoundError (source "page") when the page has state but no
        LiveRoom, which is how it shows an unknown handle.
        """
        status, html = await self.get(
            URL(f"{self.web_url}/@{encode(unique_id)}/live", encoded=True)
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
            raise UserNotFoundError(
                unique_id, f"@{unique_id} has no LIVE page.", sources=(SOURCE_PAGE,)
            )
        info = dig(state, "LiveRoom", "liveRoomUserInfo")
        user = dig(info, "user")
        if not isinstance(user, dict):
            return None
        # Both places TikTok puts the status: TikTokLive reads the user's,
        # the Node client the room's.
        return _creator(user, dig(info, "liveRoom"), unique_id, SOURCE_PAGE)

    async def lookup(self, unique_id: str) -> Creator:
        """The creator and whether they are live, from the lightest answer that has it.

        The api-live JSON first. The LIVE page only when that answer is
        missing, or as a second opinion on "user not found": both agreeing
        raises UserNotFoundError with both sources; the page showing the
        creator wins over the api's "not found".
        """
        try:
            creator = await self.room_api(unique_id)
        except UserNotFoundError as api_said:
            try:
                page = await self.live_page(unique_id)
            except UserNotFoundError as page_said:
                raise UserNotFoundError(
                    unique_id,
                    f"TikTok does not know @{unique_id} (api-live and LIVE page agree).",
                    sources=(SOURCE_API, SOURCE_PAGE),
                ) from page_said
            except WebcastConnectionError:
                raise api_said from None
            if page is None:
                raise
            _LOGGER.debug("api-live did not know @%s, the LIVE page does", unique_id)
            return page
        except WebcastConnectionError as api_failed:
            # The light answer is missing: the page is the fallback.
            page = await self._page_or_none(unique_id)
            if page is None:
                raise api_failed from None
            return page
        if creator is not None:
            return creator
        page = await self._page_or_none(unique_id)
        if page is None:
            raise FailedParseRoomIdError(
                "That user can't stream, or you might be blocked by TikTok."
            )
        return page

    async def _page_or_none(self, unique_id: str) -> Creator | None:
        """The page's creator; None when the page cannot tell (or is unreachable)."""
        try:
            return await self.live_page(unique_id)
        except WebcastConnectionError:
            return None

    async def ensure_ttwid(self, unique_id: str) -> str:
        """The anonymous ttwid cookie, fetched as a browser gets it when there is none.

        TikTok sets it on a first visit: a profile page does; the home page
        did until late 2026 (it now answers X-TT-System-Error: 3 without one),
        so it is asked only when the profile page sets none.
        """
        cookies = self._identity.cookies
        if (ttwid := cookies.ttwid) is not None:
            return ttwid
        for path in (f"/@{encode(unique_id)}", "/"):
            await self.get(URL(f"{self.web_url}{path}", encoded=True))
            if (ttwid := cookies.ttwid) is not None:
                return ttwid
        raise WebcastConnectionError("TikTok set no ttwid cookie for a new visitor")

    async def check_alive(self, room_ids: Sequence[str]) -> dict[str, bool]:
        """Whether each room streams right now (one request for all of them).

        TikTok has answered "alive" for made-up room ids: a true here is a
        hint, a false is an answer.
        """
        joined = ",".join(room_ids)
        data = await self._get_json(
            self._api_url(
                self.webcast_url,
                "room/check_alive/",
                [("room_ids", joined)],
            )
        )
        rooms = data.get("data")
        if not isinstance(rooms, list):
            raise WebcastConnectionError("TikTok's live check has no rooms in it")
        alive: dict[str, bool] = {}
        for room in rooms:
            if not isinstance(room, dict):
                continue
            room_id = _room_id(room.get("room_id_str")) or _room_id(room.get("room_id"))
            if room_id is not None and room_id in room_ids:
                # Strictly true: a string such as "false" must not read as live.
                alive[room_id] = room.get("alive") is True
        if not alive:
            raise WebcastConnectionError("TikTok's live check has no rooms in it")
        return alive

    async def room_info(self, room_id: str) -> RoomInfo:
        """Title, start, viewers and status of a room; ``withheld`` when TikTok said nothing.

        Never an age restriction by itself: TikTok withholds room info for
        captchas and rate limits too.
        """
        data = await self._get_json(
            self._api_url(self.webcast_url, "room/info/", [("room_id", room_id)])
        )
        info = data.get("data")
        if not isinstance(info, dict):
            raise WebcastConnectionError("TikTok's room info has no data")
        if (
            "prompts" in info
            or len(info) <= 1
            or as_int(data.get("status_code")) == STATUS_CODE_ROOM_PROMPTS
        ):
            prompt = info.get("prompts")
            return RoomInfo(
                room_id,
                None,
                None,
                None,
                withheld=True,
                prompt=prompt.strip()[:200] or None
                if isinstance(prompt, str)
                else None,
            )
        return RoomInfo(
            room_id=room_id,
            title=_text(info.get("title"), None),
            started_at=_timestamp(info.get("create_time")),
            viewers=as_int(info.get("user_count")),
            status=as_int(info.get("status")),
        )
