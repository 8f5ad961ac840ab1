"""Fixed values of the TikTok LIVE web protocol."""

from __future__ import annotations

from typing import Final

# The version this client reports in error messages; it tracks the protocol
# behaviour of the TikTokLive release it is compatible with.
PACKAGE_VERSION: Final = "7.0.1"

DEFAULT_WEB_URL: Final = "https://www.tiktok.com"
DEFAULT_WEBCAST_URL: Final = "https://webcast.tiktok.com/webcast"
DEFAULT_SIGN_SERVER_URL: Final = "https://api.eulerstream.com"

DEFAULT_REQUEST_TIMEOUT: Final = 10.0
DEFAULT_HEARTBEAT_INTERVAL: Final = 5.0
# A gzip payload that inflates past this is dropped: a hostile or broken frame
# must not be able to take the memory of the Home Assistant host.
MAX_INFLATED_PAYLOAD: Final = 4 * 1024 * 1024

# Room status that TikTok uses for "not streaming".
ROOM_STATUS_OFFLINE: Final = 4
# Gift.type of a gift that streaks (repeat_count updates until repeat_end).
GIFT_TYPE_STREAKABLE: Final = 1
