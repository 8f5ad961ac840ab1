"""Fixed values of the TikTok LIVE web protocol."""

from __future__ import annotations

from typing import Final

# The version this client reports in error messages; it tracks the protocol
# behaviour of the TikTokLive release it is compatible with.
PACKAGE_VERSION: Final = "7.0.1"

# How this client names itself to sign servers: honestly, not as another
# library (sign servers count and limit clients by these).
CLIENT_NAME: Final = "tiktok-live-homeassistant"
CLIENT_VERSION: Final = "0.2.0"

DEFAULT_WEB_URL: Final = "https://www.tiktok.com"
DEFAULT_WEBCAST_URL: Final = "https://webcast.tiktok.com/webcast"
DEFAULT_SIGN_SERVER_URL: Final = "https://api.eulerstream.com"
# TikTok's own push host, as its web client opens it without a signature.
DEFAULT_DIRECT_PUSH_URL: Final = "wss://webcast-ws.tiktok.com"
DIRECT_PUSH_PATH: Final = "/webcast/im/ws_proxy/ws_reuse_supplement/"

DEFAULT_REQUEST_TIMEOUT: Final = 10.0
DEFAULT_HEARTBEAT_INTERVAL: Final = 5.0
# TikTok's web client heartbeats every 10 s on the direct socket.
DIRECT_HEARTBEAT_INTERVAL: Final = 10.0
# A gzip payload that inflates past this is dropped: a hostile or broken frame
# must not be able to take the memory of the Home Assistant host.
MAX_INFLATED_PAYLOAD: Final = 4 * 1024 * 1024

# Room status values TikTok uses: streaming, paused, not streaming.
ROOM_STATUS_LIVE: Final = 2
ROOM_STATUS_PAUSED: Final = 3
ROOM_STATUS_OFFLINE: Final = 4
# api-live's statusCode for an unknown handle (often a captcha in disguise).
STATUS_CODE_USER_NOT_FOUND: Final = 19881007
# room/info's status_code when it withholds the room (captcha, rate limit or
# age restriction; its "prompts" alone do not tell which).
STATUS_CODE_ROOM_PROMPTS: Final = 4003110
# Gift.type of a gift that streaks (repeat_count updates until repeat_end).
GIFT_TYPE_STREAKABLE: Final = 1
