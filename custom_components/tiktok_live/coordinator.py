"""Keeps one creator's TikTok LIVE stream connected and turns it into state and events."""

from __future__ import annotations

import asyncio
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
import random
from typing import Any

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.exceptions import ConfigEntryError
from homeassistant.helpers.event import async_call_later
from homeassistant.helpers.storage import Store
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator, UpdateFailed
from homeassistant.util import dt as dt_util

from .const import (
    CONF_BUS_EVENT_TYPES,
    CONF_GIFT_STREAK_UPDATES,
    CONF_LIKE_MILESTONE,
    CONF_OFFLINE_CHECK_INTERVAL,
    CONF_UNIQUE_ID,
    DEDUP_WINDOW,
    DEFAULT_BUS_EVENT_TYPES,
    DEFAULT_GIFT_STREAK_UPDATES,
    DEFAULT_LIKE_MILESTONE,
    DEFAULT_OFFLINE_CHECK_INTERVAL,
    DOMAIN,
    EVENT_TIKTOK_LIVE,
    JITTER,
    LIKE_COALESCE_INTERVAL,
    LOGGER,
    SILENCE_TIMEOUT,
    STATE_WRITE_INTERVAL,
    ConnectionState,
    EventType,
)
from .failures import FailureTracker
from .payloads import (
    comment_data,
    gift_data,
    join_data,
    social_data,
    subscribe_data,
    user_data,
)
from .stream_stats import StreamStatistics
from .webcast import (
    CommentEvent,
    ConnectEvent,
    FollowEvent,
    GiftEvent,
    JoinEvent,
    LikeEvent,
    LiveEndEvent,
    LivePauseEvent,
    LiveResumeEvent,
    ShareEvent,
    SubscribeEvent,
    TikTokLiveClient,
    TikTokLiveError,
    UserNotFoundError,
    UserOfflineError,
    ViewerCountEvent,
    WebcastConnection,
    WebcastConnectionError,
    WebcastEvent,
    WebcastUser,
)

type TikTokLiveConfigEntry = ConfigEntry[TikTokLiveCoordinator]

STORAGE_VERSION = 1
STORAGE_SAVE_DELAY = 10

# Which event entity (translation key) shows which bus event type, and as what.
EVENT_ENTITY_TYPES: dict[EventType, tuple[str, str]] = {
    EventType.GIFT: ("gift", "gift"),
    EventType.GIFT_STREAK: ("gift", "gift_streak"),
    EventType.FOLLOW: ("follow", "follow"),
    EventType.SHARE: ("share", "share"),
    EventType.LIKE: ("like", "like"),
    EventType.LIKE_MILESTONE: ("like", "milestone"),
    EventType.COMMENT: ("comment", "comment"),
    EventType.JOIN: ("join", "join"),
    EventType.SUBSCRIBE: ("subscribe", "subscribe"),
    EventType.STREAM_STARTED: ("stream", "started"),
    EventType.STREAM_ENDED: ("stream", "ended"),
    EventType.STREAM_PAUSED: ("stream", "paused"),
    EventType.STREAM_RESUMED: ("stream", "resumed"),
}

type EventListener = Callable[[EventType, dict[str, Any]], None]


def jittered(seconds: float, *, only_later: bool = False) -> float:
    """Spread waits so many installations do not hit TikTok in lockstep."""
    low = 1.0 if only_later else 1.0 - JITTER
    return seconds * random.uniform(low, 1.0 + JITTER)


@dataclass(slots=True)
class TikTokLiveData:
    """What the entities show; mutated in place by the coordinator."""

    connection_state: ConnectionState = ConnectionState.CONNECTING
    is_live: bool | None = None
    paused: bool = False
    stats: StreamStatistics = field(default_factory=StreamStatistics)


class TikTokLiveCoordinator(DataUpdateCoordinator[TikTokLiveData]):
    """Supervises the connection to one creator's LIVE stream.

    A single background task owns the connection: it polls while the creator is
    offline, streams events while live, and reconnects with back-off after a
    drop. Because only that task ever connects, there can never be two
    connections at once.
    """

    config_entry: TikTokLiveConfigEntry

    def __init__(
        self,
        hass: HomeAssistant,
        entry: TikTokLiveConfigEntry,
        client: TikTokLiveClient,
    ) -> None:
        """Set up the coordinator; nothing is connected until async_run."""
        super().__init__(
            hass,
            LOGGER,
            config_entry=entry,
            name=f"{DOMAIN} @{entry.data[CONF_UNIQUE_ID]}",
            update_interval=None,
        )
        self.client = client
        self.unique_id: str = entry.data[CONF_UNIQUE_ID]
        self.data = TikTokLiveData()
        self.device_id: str | None = None
        self.failures = FailureTracker(hass, entry)
        self.connection: WebcastConnection | None = None
        self.event_counts: Counter[str] = Counter()
        self.connections_opened = 0
        self._store: Store[dict[str, Any]] = Store(
            hass, STORAGE_VERSION, f"{DOMAIN}.{entry.entry_id}"
        )
        self._event_listeners: list[EventListener] = []
        self._seen_ids: set[int] = set()
        self._seen_order: deque[int] = deque()
        self._stream_ended = False
        self._wake: Callable[[], None] | None = None
        self._idle = asyncio.Event()
        self.next_attempt: datetime | None = None
        # Coalescing of state writes.
        self._write_timer: CALLBACK_TYPE | None = None
        self._write_pending = False
        # Coalescing of like events.
        self._like_timer: CALLBACK_TYPE | None = None
        self._pending_likes = 0
        self._pending_likers: set[int] = set()
        self._pending_like_user: WebcastUser | None = None
        self._pending_like_simulated = False
        # Silence watchdog.
        self._watchdog: CALLBACK_TYPE | None = None
        self._frames_at_last_check = -1
        self._silenced = False
        self._shut_down = False

    # ----------------------------------------------------------------- options

    @property
    def gift_streak_updates(self) -> bool:
        """Whether intermediate gift streak updates are fired."""
        return bool(
            self.config_entry.options.get(
                CONF_GIFT_STREAK_UPDATES, DEFAULT_GIFT_STREAK_UPDATES
            )
        )

    @property
    def like_milestone(self) -> int:
        """Likes between two milestone events (0 disables them)."""
        return int(
            self.config_entry.options.get(CONF_LIKE_MILESTONE, DEFAULT_LIKE_MILESTONE)
        )

    @property
    def offline_check_interval(self) -> float:
        """Seconds between two live checks while the creator is offline."""
        return float(
            self.config_entry.options.get(
                CONF_OFFLINE_CHECK_INTERVAL, DEFAULT_OFFLINE_CHECK_INTERVAL
            )
        )

    @property
    def bus_event_types(self) -> list[str]:
        """Event types that go on the bus."""
        return list(
            self.config_entry.options.get(CONF_BUS_EVENT_TYPES, DEFAULT_BUS_EVENT_TYPES)
        )

    # -------------------------------------------------------------- lifecycle

    async def _async_setup(self) -> None:
        """Restore the statistics of the stream that was running before a restart."""
        if (stored := await self._store.async_load()) and isinstance(
            stored.get("stats"), dict
        ):
            self.data.stats = StreamStatistics.from_dict(stored["stats"])

    async def _async_update_data(self) -> TikTokLiveData:
        """Check the creator once before setup completes (test-before-setup)."""
        try:
            creator = await self.client.resolve_creator(self.unique_id)
        except UserNotFoundError as err:
            self.failures.user_not_found(self.unique_id)
            raise ConfigEntryError(
                translation_domain=DOMAIN,
                translation_key="user_not_found",
                translation_placeholders={"creator": f"@{self.unique_id}"},
            ) from err
        except TikTokLiveError as err:
            raise UpdateFailed(
                translation_domain=DOMAIN,
                translation_key="cannot_connect",
                translation_placeholders={"creator": f"@{self.unique_id}"},
            ) from err
        self.data.is_live = creator.is_live
        if not creator.is_live:
            self.data.connection_state = ConnectionState.WAITING_FOR_LIVE
        return self.data

    async def async_shutdown(self) -> None:
        """Stop timers and close the socket; called on unload and HA stop."""
        if self._shut_down:
            return
        self._shut_down = True
        await super().async_shutdown()
        self._flush_likes()
        for cancel in (self._write_timer, self._like_timer, self._watchdog):
            if cancel is not None:
                cancel()
        self._write_timer = self._like_timer = self._watchdog = None
        if self.connection is not None:
            await self.connection.close()
        await self.client.disconnect()
        # Written now, not delayed: the next setup (a restart) reads it at once.
        await self._store.async_save(self._stored_data())

    # --------------------------------------------------------------- run loop

    async def async_run(self) -> None:
        """Own the connection for as long as the entry is loaded."""
        while True:
            delay = await self._async_attempt()
            if self.shutting_down:
                # Home Assistant stops: the socket was closed on purpose.
                return
            await self._async_sleep(delay)

    @property
    def shutting_down(self) -> bool:
        """Whether unload or Home Assistant's stop has begun."""
        return self._shut_down

    async def _async_attempt(self) -> float:
        """Connect once and stream until the end; return seconds until the next try."""
        if self.data.connection_state not in (
            ConnectionState.RECONNECTING,
            ConnectionState.WAITING_FOR_LIVE,
        ):
            self._set_state(ConnectionState.CONNECTING)
        try:
            connection = await self.client.connect(self.unique_id)
        except UserOfflineError:
            self._creator_offline()
            self.failures.recovered()
            return jittered(self.offline_check_interval)
        except TikTokLiveError as err:
            return self._failed(err)
        except Exception:  # noqa: BLE001 - the supervisor must outlive any bug
            LOGGER.exception("Unexpected error connecting to @%s", self.unique_id)
            self._set_state(ConnectionState.ERROR)
            return self.failures.dropped()

        self.connection = connection
        self.connections_opened += 1
        self._stream_ended = False
        self._silenced = False
        self._arm_watchdog()
        try:
            async for event in connection:
                self._handle_event(event)
        except WebcastConnectionError as err:
            if not self._silenced:
                LOGGER.debug("Connection to @%s dropped: %s", self.unique_id, err)
        except Exception:  # noqa: BLE001 - the supervisor must outlive any bug
            LOGGER.exception("Unexpected error in the stream of @%s", self.unique_id)
        finally:
            self.connection = None
            self._disarm_watchdog()
            await connection.close()

        if self._shut_down:
            return 0
        if self._stream_ended:
            self._creator_offline()
            return jittered(self.offline_check_interval)
        # Dropped, silenced or closed by TikTok without an end: the stream is
        # probably still on, so come back quickly.
        self._set_state(ConnectionState.RECONNECTING)
        return self.failures.dropped()

    def _failed(self, err: TikTokLiveError) -> float:
        """Map a failed connection attempt to a state and a wait."""
        outcome = self.failures.failed(err, self.unique_id)
        self._set_state(outcome.state)
        return outcome.delay

    async def _async_sleep(self, seconds: float) -> None:
        """Wait on Home Assistant's clock, so tests and time changes drive it."""
        future: asyncio.Future[None] = self.hass.loop.create_future()

        @callback
        def _wake(_now: datetime | None = None) -> None:
            # No longer idle from this moment, not from when the task resumes.
            self._idle.clear()
            if not future.done():
                future.set_result(None)

        cancel = async_call_later(self.hass, seconds, _wake)
        self._wake = _wake
        self.next_attempt = dt_util.utcnow() + timedelta(seconds=seconds)
        self._idle.set()
        try:
            await future
        finally:
            self._idle.clear()
            self.next_attempt = None
            self._wake = None
            cancel()

    async def async_wait_idle(self) -> None:
        """Return once the supervisor waits for its next attempt (tests, tools)."""
        await self._idle.wait()

    @callback
    def async_wake(self) -> None:
        """Cut the current wait short (a repair was made, the user asked)."""
        if self._wake is not None:
            self._wake()

    # ---------------------------------------------------------------- silence

    def _arm_watchdog(self) -> None:
        connection = self.connection
        self._frames_at_last_check = (
            connection.stats.frames_received if connection is not None else -1
        )
        self._watchdog = async_call_later(
            self.hass, SILENCE_TIMEOUT, self._async_check_silence
        )

    def _disarm_watchdog(self) -> None:
        if self._watchdog is not None:
            self._watchdog()
            self._watchdog = None

    @callback
    def _async_check_silence(self, _now: datetime) -> None:
        self._watchdog = None
        connection = self.connection
        if connection is None:
            return
        frames = connection.stats.frames_received
        if frames == self._frames_at_last_check:
            LOGGER.debug(
                "No frame from @%s for %s, reconnecting",
                self.unique_id,
                SILENCE_TIMEOUT,
            )
            self._silenced = True
            self.config_entry.async_create_background_task(
                self.hass, connection.close(), f"{DOMAIN} close silent socket"
            )
            return
        self._frames_at_last_check = frames
        self._watchdog = async_call_later(
            self.hass, SILENCE_TIMEOUT, self._async_check_silence
        )

    # ------------------------------------------------------------------ state

    def _set_state(self, state: ConnectionState) -> None:
        if self.data.connection_state is not state:
            self.data.connection_state = state
            self.async_schedule_write()

    def _creator_offline(self) -> None:
        """The creator is not live: end the stream if we thought it was on."""
        if self.data.is_live:
            self._end_stream()
        self.data.is_live = False
        self.data.paused = False
        self._set_state(ConnectionState.WAITING_FOR_LIVE)
        self.async_schedule_write()

    def _end_stream(self) -> None:
        self._flush_likes()
        stats = self.data.stats
        self.data.is_live = False
        self.data.paused = False
        self._fire(
            EventType.STREAM_ENDED,
            {
                "room_id": stats.room_id,
                "title": stats.title,
                "likes": stats.likes,
                "diamonds": stats.diamonds,
                "gifts": stats.gifts,
                "new_followers": stats.new_followers,
                "peak_viewers": stats.peak_viewers,
            },
        )
        self._save()

    @callback
    def async_schedule_write(self) -> None:
        """Write entity states now, or within a second if one just went out."""
        if self._shut_down:
            return
        if self._write_timer is not None:
            self._write_pending = True
            return
        self.async_update_listeners()
        self._write_timer = async_call_later(
            self.hass, STATE_WRITE_INTERVAL, self._async_write_timer_fired
        )

    @callback
    def _async_write_timer_fired(self, _now: datetime) -> None:
        self._write_timer = None
        if self._write_pending:
            self._write_pending = False
            self.async_schedule_write()

    def _save(self) -> None:
        self._store.async_delay_save(self._stored_data, STORAGE_SAVE_DELAY)

    def _stored_data(self) -> dict[str, Any]:
        return {"stats": self.data.stats.as_dict()}

    # ----------------------------------------------------------------- events

    @callback
    def async_add_event_listener(self, listener: EventListener) -> CALLBACK_TYPE:
        """Call ``listener(type, data)`` for every event; returns the remover."""
        self._event_listeners.append(listener)

        @callback
        def _remove() -> None:
            self._event_listeners.remove(listener)

        return _remove

    def _is_duplicate(self, msg_id: int) -> bool:
        """Remember message ids so history replayed on reconnect fires nothing."""
        if not msg_id:
            return False
        if msg_id in self._seen_ids:
            return True
        self._seen_ids.add(msg_id)
        self._seen_order.append(msg_id)
        if len(self._seen_order) > DEDUP_WINDOW:
            self._seen_ids.discard(self._seen_order.popleft())
        return False

    @callback
    def async_handle_simulated(self, event: WebcastEvent) -> None:
        """Run a made-up event through the real path, without touching statistics."""
        self._handle_event(event, simulated=True)

    def _handle_event(self, event: WebcastEvent, *, simulated: bool = False) -> None:
        if not simulated and self._is_duplicate(event.msg_id):
            return
        stats = self.data.stats
        count_it = not simulated
        match event:
            case ConnectEvent():
                self._connected(event)
            case LiveEndEvent():
                self._stream_ended = True
                self._end_stream()
                self.async_schedule_write()
            case LivePauseEvent():
                self.data.paused = True
                self._fire(
                    EventType.STREAM_PAUSED, {"room_id": stats.room_id}, simulated
                )
                self.async_schedule_write()
            case LiveResumeEvent():
                self.data.paused = False
                self._fire(
                    EventType.STREAM_RESUMED, {"room_id": stats.room_id}, simulated
                )
                self.async_schedule_write()
            case GiftEvent():
                self._gift(event, simulated)
            case LikeEvent():
                self._like(event, simulated)
            case FollowEvent():
                if count_it:
                    stats.new_followers += 1
                    self.async_schedule_write()
                self._fire(EventType.FOLLOW, social_data(event), simulated)
            case ShareEvent():
                if count_it:
                    stats.shares += 1
                    self.async_schedule_write()
                self._fire(EventType.SHARE, social_data(event), simulated)
            case CommentEvent():
                if count_it:
                    stats.comments += 1
                    self.async_schedule_write()
                self._fire(EventType.COMMENT, comment_data(event), simulated)
            case JoinEvent():
                self._fire(EventType.JOIN, join_data(event), simulated)
            case SubscribeEvent():
                if count_it:
                    stats.subscribers += 1
                    self.async_schedule_write()
                self._fire(EventType.SUBSCRIBE, subscribe_data(event), simulated)
            case ViewerCountEvent():
                if count_it:
                    stats.set_viewers(event.viewers)
                    self.async_schedule_write()
            case _:
                return
        if count_it:
            self._save()

    def _connected(self, event: ConnectEvent) -> None:
        self.failures.recovered()
        self._set_state(ConnectionState.CONNECTED)
        room_info = self.client.room_info
        stats = self.data.stats
        if stats.room_id != event.room_id:
            # A new stream: counters start from zero.
            self._flush_likes()
            stats = self.data.stats = StreamStatistics(room_id=event.room_id)
            if room_info is not None:
                stats.title = room_info.title
                stats.started_at = room_info.started_at
                if room_info.viewers is not None:
                    stats.set_viewers(room_info.viewers)
            if stats.started_at is None:
                stats.started_at = dt_util.utcnow()
            self.data.is_live = True
            self.data.paused = False
            self._fire(
                EventType.STREAM_STARTED,
                {"room_id": event.room_id, "title": stats.title},
            )
        else:
            if room_info is not None and room_info.title:
                stats.title = room_info.title
            self.data.is_live = True
        self.async_schedule_write()

    def _gift(self, event: GiftEvent, simulated: bool) -> None:
        data = gift_data(event)
        if event.streaking:
            if self.gift_streak_updates:
                self._fire(EventType.GIFT_STREAK, data, simulated)
            return
        if not simulated:
            user = event.user
            self.data.stats.add_gift(
                str(user.user_id),
                user.unique_id,
                user.nickname,
                data["count"],
                data["total_diamonds"],
            )
            self.async_schedule_write()
        self._fire(EventType.GIFT, data, simulated)

    def _like(self, event: LikeEvent, simulated: bool) -> None:
        if not simulated:
            stats = self.data.stats
            before = stats.likes
            # TikTok's running total is authoritative (it covers likes sent
            # while we were reconnecting); counts fill in when it is absent.
            stats.likes = max(before + event.count, event.total)
            self.async_schedule_write()
            if (
                step := self.like_milestone
            ) > 0 and stats.likes // step > before // step:
                self._fire(
                    EventType.LIKE_MILESTONE,
                    {"milestone": stats.likes // step * step, "total": stats.likes},
                )
        # Likes come in floods: fire at most one like event per interval.
        if self._pending_like_simulated != simulated:
            self._flush_likes()
        self._pending_likes += event.count
        self._pending_likers.add(event.user.user_id)
        self._pending_like_user = event.user
        self._pending_like_simulated = simulated
        if self._like_timer is None:
            self._flush_likes()
            self._like_timer = async_call_later(
                self.hass, LIKE_COALESCE_INTERVAL, self._async_like_timer_fired
            )

    @callback
    def _async_like_timer_fired(self, _now: datetime) -> None:
        self._like_timer = None
        if self._pending_likes:
            self._flush_likes()
            self._like_timer = async_call_later(
                self.hass, LIKE_COALESCE_INTERVAL, self._async_like_timer_fired
            )

    def _flush_likes(self) -> None:
        if not self._pending_likes or self._pending_like_user is None:
            return
        data = {
            "count": self._pending_likes,
            "total": self.data.stats.likes,
            "likers": len(self._pending_likers),
            **user_data(self._pending_like_user),
        }
        simulated = self._pending_like_simulated
        self._pending_likes = 0
        self._pending_likers = set()
        self._pending_like_user = None
        self._fire(EventType.LIKE, data, simulated)

    def _fire(
        self, event_type: EventType, data: dict[str, Any], simulated: bool = False
    ) -> None:
        """Hand an event to the event entities and, if enabled, to the bus."""
        payload = {**data, "simulated": simulated}
        self.event_counts[event_type] += 1
        for listener in list(self._event_listeners):
            listener(event_type, payload)
        if event_type in self.bus_event_types:
            self.hass.bus.async_fire(
                EVENT_TIKTOK_LIVE,
                {
                    "type": event_type.value,
                    "device_id": self.device_id,
                    "entry_id": self.config_entry.entry_id,
                    "creator": f"@{self.unique_id}",
                    **payload,
                },
            )
