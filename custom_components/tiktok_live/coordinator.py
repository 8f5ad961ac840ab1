"""Wires one creator's supervisor, stream model and failure policy to Home Assistant.

The supervisor keeps the connection, the stream model turns its events into
statistics and events, the failure policy answers what goes wrong. This
coordinator only connects them to Home Assistant: the entities' data and
coalesced state writes, event listeners and the bus, storage, options.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers.event import async_call_later
from homeassistant.helpers.storage import Store
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator, UpdateFailed

from .api import sign_server_may_sign
from .const import (
    CONF_BUS_EVENT_TYPES,
    CONF_CONNECTION_METHOD,
    CONF_LIKE_MILESTONE,
    CONF_OFFLINE_CHECK_INTERVAL,
    CONF_PROXY_URL,
    CONF_UNIQUE_ID,
    DEFAULT_BUS_EVENT_TYPES,
    DEFAULT_LIKE_MILESTONE,
    DEFAULT_OFFLINE_CHECK_INTERVAL,
    DOMAIN,
    EVENT_TIKTOK_LIVE,
    LOGGER,
    STATE_WRITE_INTERVAL,
    STORAGE_SAVE_INTERVAL,
    ConnectionState,
    EventType,
)
from .failures import FailurePolicy
from .goals import GoalKind, Goals, ReachedGoal
from .methods import ConnectionMethod, MethodChooser
from .shared import BulkLiveWatch, SignServerGate, async_get_shared
from .stream import (
    DEDUP_PERSISTED,
    DEDUP_PERSISTED_PERIODIC,
    StreamModel,
    StreamOptions,
)
from .stream_stats import StreamStatistics
from .supervisor import ConnectionSupervisor
from .webcast import (
    PremiumEndpointError,
    TikTokLiveClient,
    TikTokLiveError,
    UserNotFoundError,
    WebcastEvent,
)

type TikTokLiveConfigEntry = ConfigEntry[TikTokLiveCoordinator]

STORAGE_VERSION = 1

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
    # The goal entity's event type is the goal that was reached (its data's "goal").
    EventType.GOAL_REACHED: ("goal", "goal_reached"),
}

type EventListener = Callable[[EventType, dict[str, Any]], None]


@dataclass(slots=True)
class TikTokLiveData:
    """What the entities show, refreshed before every state write."""

    connection_state: ConnectionState = ConnectionState.CONNECTING
    is_live: bool | None = None
    paused: bool = False
    # False while nobody can tell whether the creator is live.
    live_known: bool = True
    # The way the current (or last) connection was opened: direct or sign_server.
    connection_method: str | None = None
    stats: StreamStatistics = field(default_factory=StreamStatistics)
    goals: Goals = field(default_factory=Goals)


class TikTokLiveCoordinator(DataUpdateCoordinator[TikTokLiveData]):
    """One creator: the supervisor, stream model and failure policy, wired to Home Assistant."""

    config_entry: TikTokLiveConfigEntry

    def __init__(
        self,
        hass: HomeAssistant,
        entry: TikTokLiveConfigEntry,
        client: TikTokLiveClient,
        gate: SignServerGate,
        bulk_watch: BulkLiveWatch | None = None,
    ) -> None:
        """Set everything up; nothing is connected until async_run."""
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
        self.event_counts: Counter[str] = Counter()
        # What this coordinator was built from: a change of the entry's data or
        # proxy needs a reload; other options apply as they are.
        self._built_from = self._connection_settings(entry)
        self._store: Store[dict[str, Any]] = Store(
            hass, STORAGE_VERSION, f"{DOMAIN}.{entry.entry_id}"
        )
        self._event_listeners: list[EventListener] = []
        self._write_timer: CALLBACK_TYPE | None = None
        self._write_pending = False
        self._save_timer: CALLBACK_TYPE | None = None
        self._first_wait = 0.0
        self._shut_down = False
        self._simulated_extra: dict[str, Any] = {}
        # The gift list of one room (room id, gifts): fetched once per stream.
        self._gifts: tuple[str, list[dict[str, Any]]] | None = None
        self.model = StreamModel(
            hass,
            options=self._stream_options,
            fire=self._fire,
            changed=self.async_schedule_write,
        )
        self.failures = FailurePolicy(
            hass, entry, gate, changed=self.async_schedule_write
        )
        self.methods = MethodChooser(
            lambda: self.connection_method,
            sign_server_usable=lambda: sign_server_may_sign(self.config_entry.data),
        )
        self.supervisor = ConnectionSupervisor(
            hass,
            entry,
            client,
            model=self.model,
            policy=self.failures,
            gate=gate,
            methods=self.methods,
            shared=async_get_shared(hass),
            bulk_watch=bulk_watch,
            offline_interval=lambda: self.offline_check_interval,
            changed=self.async_schedule_write,
        )

    # ----------------------------------------------------------------- options

    def _stream_options(self) -> StreamOptions:
        options = self.config_entry.options
        return StreamOptions(
            # One control: streak steps are fired only when chosen for the bus.
            gift_streak_updates=EventType.GIFT_STREAK in self.bus_event_types,
            like_milestone=int(
                options.get(CONF_LIKE_MILESTONE, DEFAULT_LIKE_MILESTONE)
            ),
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
    def connection_method(self) -> ConnectionMethod:
        """How to connect: automatic, sign server only, or direct only."""
        value = self.config_entry.options.get(
            CONF_CONNECTION_METHOD, ConnectionMethod.AUTOMATIC
        )
        return (
            ConnectionMethod(value)
            if value in ConnectionMethod.__members__.values()
            else ConnectionMethod.AUTOMATIC
        )

    @property
    def bus_event_types(self) -> list[str]:
        """Event types that go on the bus."""
        return list(
            self.config_entry.options.get(CONF_BUS_EVENT_TYPES, DEFAULT_BUS_EVENT_TYPES)
        )

    @staticmethod
    def _connection_settings(entry: TikTokLiveConfigEntry) -> tuple[object, ...]:
        return (dict(entry.data), entry.options.get(CONF_PROXY_URL))

    def needs_reload(self, entry: TikTokLiveConfigEntry) -> bool:
        """Whether the entry changed in a way only a fresh start applies."""
        return self._connection_settings(entry) != self._built_from

    @callback
    def async_options_updated(self) -> None:
        """New options: they apply from the next event, without a reconnect."""
        self.async_schedule_write()

    # -------------------------------------------------------------- lifecycle

    async def _async_setup(self) -> None:
        """Restore the stream that was running before a restart or reload."""
        if stored := await self._store.async_load():
            self.model.restore(stored)
            self.methods.restore(stored.get("connection_method"))

    async def _async_update_data(self) -> TikTokLiveData:
        """Check the creator once before setup completes (test-before-setup)."""
        creator_name = f"@{self.unique_id}"
        try:
            creator = await self.client.check_live(self.unique_id)
        except UserNotFoundError as err:
            if not self.failures.user_not_found_confirmed(err):
                # One answer can be a captcha: Home Assistant retries setup.
                raise UpdateFailed(
                    translation_domain=DOMAIN,
                    translation_key="user_not_found_unconfirmed",
                    translation_placeholders={"creator": creator_name},
                ) from err
            # Confirmed gone: loaded all the same, with a repair issue, and
            # checked now and then so a creator who comes back is picked up.
            self._first_wait = self.failures.failed(err, during_check=True).delay
            return self._refresh_data()
        except TikTokLiveError as err:
            raise UpdateFailed(
                translation_domain=DOMAIN,
                translation_key="cannot_connect",
                translation_placeholders={"creator": creator_name},
            ) from err
        self.supervisor.first_check(creator)
        return self._refresh_data()

    async def async_run(self) -> None:
        """Own the connection for as long as the entry is loaded."""
        await self.supervisor.async_run(self._first_wait)

    async def async_wait_idle(self) -> None:
        """Return once the supervisor waits for its next turn (tests, tools)."""
        await self.supervisor.async_wait_idle()

    async def async_wait_settled(self) -> None:
        """Return once the supervisor waits or streams (tests, tools)."""
        await self.supervisor.async_wait_settled()

    @callback
    def async_wake(self) -> None:
        """Try again now (a repair was made, the user asked)."""
        self.supervisor.async_wake()

    async def async_shutdown(self) -> None:
        """Stop timers and close the socket; called on unload and HA stop."""
        if self._shut_down:
            return
        self._shut_down = True
        await super().async_shutdown()
        await self.supervisor.async_shutdown()
        self.model.shutdown()
        self.failures.shutdown()
        for cancel in (self._write_timer, self._save_timer):
            if cancel is not None:
                cancel()
        self._write_timer = self._save_timer = None
        # Written now, not delayed: the next setup (a restart) reads it at once.
        await self._store.async_save(self._stored(ids=DEDUP_PERSISTED))

    @property
    def shutting_down(self) -> bool:
        """Whether unload or Home Assistant's stop has begun."""
        return self._shut_down

    @property
    def connection_state(self) -> ConnectionState:
        """What the Connection sensor shows: a failure once it lasted, else the activity."""
        failures = self.failures
        if failures.degraded and failures.failure_state is not None:
            return failures.failure_state
        return self.supervisor.activity

    # ------------------------------------------------------------------ state

    def _refresh_data(self) -> TikTokLiveData:
        data = self.data
        model = self.model
        data.connection_state = self.connection_state
        data.is_live = model.is_live
        data.paused = model.paused
        data.stats = model.stats
        data.goals = model.goals
        data.live_known = not (self.failures.degraded and self.failures.check_failing)
        data.connection_method = self.methods.in_use
        return data

    @callback
    def async_schedule_write(self) -> None:
        """Write entity states now, or within a second if one just went out."""
        if self._shut_down:
            return
        if self.model.dirty and self._save_timer is None:
            self._save_timer = async_call_later(
                self.hass, STORAGE_SAVE_INTERVAL, self._async_save_timer_fired
            )
        if self._write_timer is not None:
            self._write_pending = True
            return
        self._refresh_data()
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

    @callback
    def _async_save_timer_fired(self, _now: datetime) -> None:
        self._save_timer = None
        self.model.dirty = False
        self.hass.async_create_task(
            self._store.async_save(self._stored(ids=DEDUP_PERSISTED_PERIODIC)),
            f"{DOMAIN} save statistics",
        )

    def _stored(self, *, ids: int) -> dict[str, Any]:
        return {
            **self.model.stored(ids=ids),
            "connection_method": self.methods.stored(),
        }

    # ----------------------------------------------------------------- events

    @callback
    def async_add_event_listener(self, listener: EventListener) -> CALLBACK_TYPE:
        """Call ``listener(type, data)`` for every event; returns the remover."""
        self._event_listeners.append(listener)

        @callback
        def _remove() -> None:
            self._event_listeners.remove(listener)

        return _remove

    @callback
    def async_set_goal(self, kind: GoalKind, target: int) -> None:
        """A goal's new target, applied (and saved) at once."""
        self.model.set_goal(kind, target)

    @callback
    def async_handle_simulated(
        self, event: WebcastEvent, extra: Mapping[str, Any] | None = None
    ) -> None:
        """Run a made-up event through the real path, without touching statistics.

        ``extra`` is what the statistics would have added (a top gifter rank).
        """
        self._simulated_extra = dict(extra or {})
        try:
            self.model.handle(event, simulated=True)
        finally:
            self._simulated_extra = {}

    @callback
    def async_simulate_goal(self, kind: GoalKind, target: int) -> None:
        """A made-up goal_reached: the goals themselves are left as they are."""
        reached = ReachedGoal(kind, target, target)
        self._fire(EventType.GOAL_REACHED, reached.as_event_data(), True)

    async def async_get_gifts(self) -> dict[str, Any]:
        """The gifts of the creator's current (or last) stream: fetched once per stream."""
        room_id = self.model.stats.room_id
        if room_id is None:
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key="gifts_no_stream",
                translation_placeholders={"creator": f"@{self.unique_id}"},
            )
        if self._gifts is None or self._gifts[0] != room_id:
            try:
                gifts = await self.client.fetch_gifts(room_id)
            except PremiumEndpointError as err:
                raise HomeAssistantError(
                    translation_domain=DOMAIN,
                    translation_key="gifts_need_key",
                    translation_placeholders={"creator": f"@{self.unique_id}"},
                ) from err
            except TikTokLiveError as err:
                LOGGER.debug("Gift list of @%s failed: %s", self.unique_id, err)
                raise HomeAssistantError(
                    translation_domain=DOMAIN,
                    translation_key="gifts_unavailable",
                    translation_placeholders={"creator": f"@{self.unique_id}"},
                ) from err
            self._gifts = (
                room_id,
                [
                    {
                        "id": gift.gift_id,
                        "name": gift.name,
                        "diamonds": gift.diamonds,
                        "image_url": gift.image_url,
                        "streakable": gift.streakable,
                    }
                    for gift in gifts
                ],
            )
        return {"room_id": room_id, "gifts": list(self._gifts[1])}

    def _fire(
        self, event_type: EventType, data: dict[str, Any], simulated: bool
    ) -> None:
        """Hand an event to the event entities and, if enabled, to the bus."""
        payload = {**data, "simulated": simulated}
        if simulated and self._simulated_extra:
            payload.update(self._simulated_extra)
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
