"""The browser the client presents itself as, and the query parameters that go with it.

TikTok's web client sends a fixed set of parameters describing the browser on
every request. One profile is picked per client and used throughout: the sign
server ties the signed WebSocket URL to the User-Agent it was given.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
import random
from typing import Final
from urllib.parse import quote

# Current desktop browsers, each at the versions in use right now: TikTok serves
# the web LIVE page to these. A DEVICE_BLOCKED refusal is answered by becoming
# another of them, so there are enough that a bad day never runs out.
_WINDOWS = "Windows NT 10.0; Win64; x64"
_MAC = "Macintosh; Intel Mac OS X 10_15_7"
_WEBKIT = "AppleWebKit/537.36 (KHTML, like Gecko)"
_USER_AGENTS: Final = (
    *(
        (f"Mozilla/5.0 ({system}) {_WEBKIT} Chrome/{v}.0.0.0 Safari/537.36", *device)
        for v in (145, 146, 147)
        for system, device in (
            (_WINDOWS, ("Win32", "windows")),
            (_MAC, ("MacIntel", "mac")),
        )
    ),
    *(
        (
            f"Mozilla/5.0 ({_WINDOWS}) {_WEBKIT} Chrome/{v}.0.0.0 Safari/537.36 "
            f"Edg/{v}.0.0.0",
            "Win32",
            "windows",
        )
        for v in (146, 147)
    ),
    *(
        (f"Mozilla/5.0 ({system}; rv:{v}.0) Gecko/20100101 Firefox/{v}.0", *device)
        for v, system, device in (
            (148, _WINDOWS, ("Win32", "windows")),
            (149, _WINDOWS, ("Win32", "windows")),
            (150, _WINDOWS, ("Win32", "windows")),
            (150, _MAC, ("MacIntel", "mac")),
        )
    ),
    *(
        (
            f"Mozilla/5.0 ({_MAC}) AppleWebKit/605.1.15 (KHTML, like Gecko) "
            f"Version/{v} Safari/605.1.15",
            "MacIntel",
            "mac",
        )
        for v in ("26.0", "26.1")
    ),
)
# (language, browser language, region, time zone)
_LOCALES = (
    ("en", "en-GB", "GB", "Europe/London"),
    ("en", "en-CA", "CA", "America/Toronto"),
    ("en", "en-AU", "AU", "Australia/Sydney"),
    ("en", "en-IE", "IE", "Europe/Dublin"),
    ("en", "en-NZ", "NZ", "Pacific/Auckland"),
)
_SCREENS = ((1920, 1080), (2560, 1440), (1536, 864), (1440, 900), (1366, 768))

AID = "1988"
APP_NAME = "tiktok_web"

# Cookies that carry a signed-in TikTok session: they go to TikTok's own hosts
# only, and to a WebSocket only when the user allowed it.
SESSION_COOKIES: Final = ("sessionid", "sessionid_ss", "sid_tt")
TARGET_IDC_COOKIE: Final = "tt-target-idc"
TTWID_COOKIE: Final = "ttwid"


def encode(value: str) -> str:
    """Percent-encode a query value completely (no safe characters)."""
    return quote(value, safe="")


def join_query(params: list[tuple[str, str]]) -> str:
    """Join already-encoded pairs; the result must not be encoded again."""
    return "&".join(f"{key}={value}" for key, value in params)


@dataclass(frozen=True, slots=True)
class BrowserProfile:
    """One consistent browser identity."""

    user_agent: str
    platform: str
    os: str
    language: str
    browser_language: str
    region: str
    tz_name: str
    screen_width: int
    screen_height: int
    last_rtt: int
    history_len: int

    @classmethod
    def pick(cls, avoid: Collection[str] = ()) -> BrowserProfile:
        """A random but self-consistent profile, not one of the ``avoid`` User-Agents."""
        choices = [ua for ua in _USER_AGENTS if ua[0] not in avoid] or list(
            _USER_AGENTS
        )
        user_agent, platform, os_name = random.choice(choices)
        language, browser_language, region, tz_name = random.choice(_LOCALES)
        width, height = random.choice(_SCREENS)
        return cls(
            user_agent=user_agent,
            platform=platform,
            os=os_name,
            language=language,
            browser_language=browser_language,
            region=region,
            tz_name=tz_name,
            screen_width=width,
            screen_height=height,
            last_rtt=random.randint(100, 200),
            history_len=random.randint(4, 14),
        )

    @property
    def browser_version(self) -> str:
        """The User-Agent after "Mozilla/", encoded as TikTok's web client sends it."""
        return encode(self.user_agent.split("/", 1)[1])

    def web_params(self, *, logged_in: bool) -> list[tuple[str, str]]:
        """Parameters of TikTok's web API calls (values already encoded)."""
        return [
            ("aid", AID),
            ("app_language", self.language),
            ("app_name", APP_NAME),
            ("browser_language", self.browser_language),
            ("browser_name", "Mozilla"),
            ("browser_online", "true"),
            ("browser_platform", self.platform),
            ("browser_version", self.browser_version),
            ("cookie_enabled", "true"),
            ("device_platform", "web_pc"),
            ("focus_state", "true"),
            ("from_page", ""),
            ("history_len", str(self.history_len)),
            ("is_fullscreen", "false"),
            ("is_page_visible", "true"),
            ("screen_height", str(self.screen_height)),
            ("screen_width", str(self.screen_width)),
            # TikTok's own client leaves the "/" of the zone unencoded.
            ("tz_name", self.tz_name),
            ("channel", APP_NAME),
            ("data_collection_enabled", "true"),
            ("os", self.os),
            ("priority_region", self.region),
            ("region", self.region),
            ("user_is_login", "true" if logged_in else "false"),
            ("webcast_language", self.language),
            ("msToken", ""),
            # A fresh device id per request, as TikTok's web client does.
            ("device_id", str(random.randint(10**19, 10**20 - 1))),
        ]

    def websocket_params(self) -> list[tuple[str, str]]:
        """Parameters of the push WebSocket URL (values already encoded)."""
        return [
            ("aid", AID),
            ("app_language", self.language),
            ("app_name", APP_NAME),
            ("browser_platform", self.platform),
            ("browser_language", self.browser_language),
            ("browser_name", "Mozilla"),
            ("browser_version", self.browser_version),
            ("browser_online", "true"),
            ("cookie_enabled", "true"),
            ("tz_name", self.tz_name),
            ("device_platform", "web"),
            ("identity", "audience"),
            ("live_id", "12"),
            ("sup_ws_ds_opt", "1"),
            ("update_version_code", "2.0.0"),
            ("version_code", "180800"),
            ("client_enter", "1"),
            ("ws_direct", "1"),
            ("did_rule", "3"),
            ("webcast_language", self.language),
            ("screen_height", str(self.screen_height)),
            ("screen_width", str(self.screen_width)),
            ("heartbeat_duration", "10000"),
            ("resp_content_type", "protobuf"),
            ("history_comment_count", "6"),
            ("last_rtt", str(self.last_rtt)),
        ]

    def direct_websocket_params(self, room_id: str) -> list[tuple[str, str]]:
        """Parameters of the unsigned push WebSocket (values already encoded).

        What TikTok's own web client sends to ws_reuse_supplement: no cursor,
        no signature, the room and the browser.
        """
        return [
            ("version_code", "180800"),
            ("device_platform", "web"),
            ("cookie_enabled", "true"),
            ("screen_width", str(self.screen_width)),
            ("screen_height", str(self.screen_height)),
            ("browser_language", self.browser_language),
            ("browser_platform", self.platform),
            ("browser_name", "Mozilla"),
            ("browser_version", self.browser_version),
            ("browser_online", "true"),
            ("tz_name", self.tz_name),
            ("app_name", APP_NAME),
            ("sup_ws_ds_opt", "1"),
            ("update_version_code", "2.0.0"),
            ("compress", "gzip"),
            ("webcast_language", self.language),
            ("ws_direct", "1"),
            ("aid", AID),
            ("live_id", "12"),
            ("app_language", self.language),
            ("client_enter", "1"),
            ("room_id", room_id),
            ("identity", "audience"),
            ("history_comment_count", "6"),
            ("last_rtt", str(self.last_rtt)),
            ("heartbeat_duration", "10000"),
            ("resp_content_type", "protobuf"),
            ("did_rule", "3"),
        ]

    def websocket_headers(self) -> dict[str, str]:
        """Headers of TikTok's web client on its push WebSocket."""
        return {
            "User-Agent": self.user_agent,
            "Origin": "https://www.tiktok.com",
            "Referer": "https://www.tiktok.com/",
            "Accept-Language": f"{self.browser_language},{self.language};q=0.9",
        }

    def web_headers(self) -> dict[str, str]:
        """Headers of TikTok's web client."""
        return {
            "User-Agent": self.user_agent,
            "Accept": "text/html,application/json,application/protobuf",
            "Accept-Language": f"{self.browser_language},{self.language};q=0.9",
            "Referer": "https://www.tiktok.com/",
            "Origin": "https://www.tiktok.com",
            "Cache-Control": "max-age=0",
            "Sec-Fetch-Site": "same-site",
            "Sec-Fetch-Mode": "cors",
            "Sec-Fetch-Dest": "empty",
            "Sec-Fetch-Ua-Mobile": "?0",
        }


class TikTokCookies:
    """The cookies one client keeps for TikTok, as a browser would.

    Anonymous cookies (ttwid, tt_csrf_token, ...) come from TikTok's answers
    and the sign server; the session (sessionid and tt-target-idc) only from
    the user. They live here rather than in the aiohttp session's jar, so the
    session can be shared and nothing reaches a host it is not meant for.
    """

    def __init__(self, session_id: str | None, tt_target_idc: str) -> None:
        """Start with the user's session, if any, and no anonymous cookie."""
        self._session_id = session_id or None
        self._tt_target_idc = tt_target_idc
        self._anonymous: dict[str, str] = {}

    @property
    def has_session(self) -> bool:
        """Whether a signed-in session is configured."""
        return self._session_id is not None

    @property
    def ttwid(self) -> str | None:
        """The anonymous ttwid cookie, once TikTok or the sign server gave one."""
        return self._anonymous.get(TTWID_COOKIE)

    def update(self, cookies: Mapping[str, str]) -> None:
        """Keep anonymous cookies TikTok (or the sign server for it) set.

        The session is the user's to set: an answer never replaces it.
        """
        self._anonymous.update(_anonymous_only(cookies))

    def forget_anonymous(self) -> None:
        """Drop ttwid and the rest: TikTok refused this device identity."""
        self._anonymous.clear()

    def _pairs(
        self, *, with_session: bool, signed: Mapping[str, str] | None = None
    ) -> list[tuple[str, str]]:
        pairs = list((self._anonymous | _anonymous_only(signed or {})).items())
        if with_session and self._session_id is not None:
            pairs += [(name, self._session_id) for name in SESSION_COOKIES]
            pairs.append((TARGET_IDC_COOKIE, self._tt_target_idc))
        return pairs

    def http_header(self) -> str:
        """The Cookie header for TikTok's own web and webcast hosts."""
        return "; ".join(f"{k}={v}" for k, v in self._pairs(with_session=True))

    def websocket_header(
        self, *, with_session: bool, signed: Mapping[str, str] | None = None
    ) -> str:
        """The Cookie header for a push WebSocket: anonymous unless allowed.

        ``signed``: the sign server's cookies for the URL it signed, in place
        of ours of the same name (for that socket only).
        """
        pairs = self._pairs(with_session=with_session, signed=signed)
        return " ".join(f"{k}={v};" for k, v in pairs)

    def session_header(self) -> str:
        """The session as a cookie header (for a sign server the user trusted)."""
        if self._session_id is None:
            return ""
        return (
            f"sessionid={self._session_id}; {TARGET_IDC_COOKIE}={self._tt_target_idc}"
        )


def _anonymous_only(cookies: Mapping[str, str]) -> dict[str, str]:
    """``cookies`` without the session's: only the user sets those."""
    return {
        name: value
        for name, value in cookies.items()
        if name not in SESSION_COOKIES and name != TARGET_IDC_COOKIE
    }


class BrowserIdentity:
    """Who one client is to TikTok: a browser profile and its cookies.

    ``renew()`` becomes a different browser (new User-Agent, no ttwid), which
    is what clears TikTok's DEVICE_BLOCKED refusal.
    """

    def __init__(self, session_id: str | None, tt_target_idc: str) -> None:
        """Pick a profile; cookies start with the user's session only."""
        self.profile = BrowserProfile.pick()
        self.cookies = TikTokCookies(session_id, tt_target_idc)
        self.renewals = 0
        # User-Agents TikTok refused, most recent last: a renewal avoids them
        # until every one was refused, then starts over.
        self._refused: list[str] = []

    def renew(self) -> None:
        """Another User-Agent (not one refused lately) and fresh anonymous cookies."""
        self._refused.append(self.profile.user_agent)
        if len(set(self._refused)) >= len(_USER_AGENTS):
            # All refused: forget the oldest ones, never the one just refused.
            self._refused = self._refused[-1:]
        self.profile = BrowserProfile.pick(avoid=set(self._refused))
        self.cookies.forget_anonymous()
        self.renewals += 1
