"""Constants of the TikTok LIVE integration."""

from __future__ import annotations

from datetime import timedelta
from enum import StrEnum
import logging
from typing import Final

DOMAIN: Final = "tiktok_live"
LOGGER = logging.getLogger(__package__)

# Config entry data.
CONF_CREATOR: Final = "creator"  # what the user typed; only used by the flow
CONF_UNIQUE_ID: Final = "unique_id"  # the @handle without "@"
CONF_USER_ID: Final = "user_id"  # TikTok's numeric id: the entry's unique id
CONF_SIGN_API_KEY: Final = "sign_api_key"
CONF_SIGN_SERVER_URL: Final = "sign_server_url"
CONF_SESSION_ID: Final = "session_id"
CONF_TT_TARGET_IDC: Final = "tt_target_idc"
# The sign server host the user explicitly trusted with the TikTok session.
CONF_SESSION_TRUSTED_HOST: Final = "session_trusted_host"
# Endpoint overrides used by the demo and the tests; never shown in a form.
CONF_WEB_URL: Final = "web_url"
CONF_WEBCAST_URL: Final = "webcast_url"
CONF_PUSH_URL: Final = "push_url"

# Options.
CONF_LIKE_MILESTONE: Final = "like_milestone"
CONF_OFFLINE_CHECK_INTERVAL: Final = "offline_check_interval"
CONF_BUS_EVENT_TYPES: Final = "bus_event_types"
CONF_CONNECTION_METHOD: Final = "connection_method"
# An HTTP(S) or SOCKS5 proxy for every request and the WebSocket.
CONF_PROXY_URL: Final = "proxy_url"
# Until options version 2 (integration 0.2), gift streak updates had a switch
# of their own besides their bus event type: now the event type is the switch.
LEGACY_CONF_GIFT_STREAK_UPDATES: Final = "gift_streak_updates"

DEFAULT_LIKE_MILESTONE: Final = 1000
DEFAULT_OFFLINE_CHECK_INTERVAL: Final = 60
MIN_OFFLINE_CHECK_INTERVAL: Final = 30
MAX_OFFLINE_CHECK_INTERVAL: Final = 3600

# The bus event every TikTok LIVE event is also fired as.
EVENT_TIKTOK_LIVE: Final = "tiktok_live_event"

# Reconnect back-off after a drop: first retry within seconds, capped at minutes.
RECONNECT_BACKOFF_MIN: Final = 2.0
RECONNECT_BACKOFF_MAX: Final = 300.0
# Back-off while TikTok blocks the connection: long, to not make it worse.
BLOCKED_BACKOFF_MIN: Final = 300.0
BLOCKED_BACKOFF_MAX: Final = 3600.0
# A socket is dead once nothing comes for long enough: a needless reopen costs
# one connect, and the history it replays is deduplicated. A push server that
# answers heartbeats (TikTok's does) sends something every heartbeat interval
# however quiet the room, so this many unanswered heartbeats in a row (never
# less than SILENCE_MIN) mean the socket is dead: a needless reopen costs one
# connect, a dead socket every second of the stream until it is noticed.
SILENCE_MISSED_HEARTBEATS: Final = 2
SILENCE_MIN: Final = timedelta(seconds=20)
# A server that never answered one leaves only the room's own traffic to go
# by (viewer counts every few seconds while live), which may pause longer.
SILENCE_TIMEOUT: Final = timedelta(seconds=60)
# How often the frame count is looked at: a dead socket is noticed within
# its limit plus this.
SILENCE_CHECK_INTERVAL: Final = timedelta(seconds=5)
# Jitter applied to every wait, as a fraction of it.
JITTER: Final = 0.2
# A failure is shown (entities unavailable, Connection in its error state)
# only once it has lasted this long: retries fix most of them before.
FAILURE_GRACE: Final = timedelta(minutes=5)
# A live stream that a check calls offline is believed offline only once a
# second source agrees (the room's own live check), or the answer repeats
# this long after the first one.
OFFLINE_CONFIRM: Final = timedelta(seconds=60)
# Until then, the creator is checked again this soon.
OFFLINE_RECHECK: Final = 30.0
# A live check made at setup is reused by the first attempt if this fresh.
FIRST_CHECK_REUSE: Final = timedelta(seconds=60)

# Coalescing: state writes and like events at most this often per entity/creator.
STATE_WRITE_INTERVAL: Final = 1.0
LIKE_COALESCE_INTERVAL: Final = 1.0
# Statistics are written to storage at most this often while a stream runs
# (and always on unload and stop).
STORAGE_SAVE_INTERVAL: Final = 30.0


class ConnectionState(StrEnum):
    """What the coordinator is doing about the creator's stream."""

    CONNECTED = "connected"
    WAITING_FOR_LIVE = "waiting_for_live"
    CONNECTING = "connecting"
    RECONNECTING = "reconnecting"
    RATE_LIMITED = "rate_limited"
    BLOCKED = "blocked"
    AUTH_REQUIRED = "auth_required"
    ERROR = "error"


class EventType(StrEnum):
    """The `type` of a tiktok_live_event on the bus."""

    GIFT = "gift"
    GIFT_STREAK = "gift_streak"
    FOLLOW = "follow"
    SHARE = "share"
    LIKE = "like"
    LIKE_MILESTONE = "like_milestone"
    COMMENT = "comment"
    JOIN = "join"
    SUBSCRIBE = "subscribe"
    STREAM_STARTED = "stream_started"
    STREAM_ENDED = "stream_ended"
    STREAM_PAUSED = "stream_paused"
    STREAM_RESUMED = "stream_resumed"
    GOAL_REACHED = "goal_reached"


# What goes on the bus (and so into the database and the logbook) unless the
# user chooses otherwise: every gift, follow, share and subscription, the like
# milestones, the stream's start, end, pause and resume, and reached goals
# (a goal is off until the user sets it). The high-volume
# kinds are opt-in: comments and joins (hundreds a minute on a busy stream),
# gift streak steps and the per-second like events.
HIGH_VOLUME_EVENT_TYPES: Final = frozenset(
    {EventType.COMMENT, EventType.JOIN, EventType.GIFT_STREAK, EventType.LIKE}
)
DEFAULT_BUS_EVENT_TYPES: Final = [
    t.value for t in EventType if t not in HIGH_VOLUME_EVENT_TYPES
]
# What an entry of integration 0.1 that never saved its options fired: kept by
# the migration, so that an upgrade never silences an automation.
LEGACY_DEFAULT_BUS_EVENT_TYPES: Final = [
    t.value for t in EventType if t is not EventType.JOIN
]
