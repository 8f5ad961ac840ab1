"""Keeps one creator's stream connected: checks while offline, connects, reconnects.

A single background task owns the connection, so there can never be two at
once. Each turn it asks TikTok (lightly) whether the creator is live, opens
the stream when they are, hands every event to the stream model, and when the
socket ends decides how long to wait. Failures go to the failure policy,
which answers with a wait; waits run on Home Assistant's clock.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers.event import async_call_later
from homeassistant.util import dt as dt_util

from .const import (
    CONF_USER_ID,
    DOMAIN,
    FIRST_CHECK_REUSE,
    LOGGER,
    OFFLINE_CONFIRM,
    OFFLINE_RECHECK,
    SILENCE_CHECK_INTERVAL,
    SILENCE_MIN,
    SILENCE_MISSED_HEARTBEATS,
    SILENCE_TIMEOUT,
    ConnectionState,
)
from .failures import FailurePolicy, jittered
from .methods import SWITCH_DELAY, MethodChooser
from .shared import BULK_FALLBACK_INTERVAL, BulkLiveWatch, Shared, SignServerGate
from .stream import StreamModel
from .webcast import (
    ConnectMethod,
    Creator,
    LiveEndEvent,
    TikTokLiveClient,
    TikTokLiveError,
    UserOfflineError,
    WebcastConnection,
    WebcastConnectionError,
)

if TYPE_CHECKING:
    from homeassistant.config_entries import ConfigEntry


class ConnectionSupervisor:
    """Owns one creator's connection for as long as the entry is loaded."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry: ConfigEntry[Any],
        client: TikTokLiveClient,
        *,
        model: StreamModel,
        policy: FailurePolicy,
        gate: SignServerGate,
        methods: MethodChooser,
        shared: Shared,
        bulk_watch: BulkLiveWatch | None,
        offline_interval: Callable[[], float],
        changed: Callable[[], None],
    ) -> None:
        """Supervise ``client`` for ``model``; ``changed`` when the activity changes."""
        self._hass = hass
        self._entry = entry
        self._client = client
        self._model = model
        self._policy = policy
        self._gate = gate
        self.methods = methods
        self._shared = shared
        self._bulk_watch = bulk_watch
        self._offline_interval = offline_interval
        self._changed = changed
        self.unique_id: str = str(entry.data["unique_id"])
        # What it is doing; what users see unless a failure lasts.
        self.activity = ConnectionState.CONNECTING
        self.connection: WebcastConnection | None = None
        self.connections_opened = 0
        self.next_attempt: datetime | None = None
        self._first_check: tuple[Creator, datetime] | None = None
        self._offline_since: datetime | None = None
        # Set while the creator is offline and the bulk live check watches them.
        self._watched_offline = False
        self._wake: Callable[[], None] | None = None
        self._idle = asyncio.Event()
        # Set while waiting or streaming: nothing is in flight (tests, tools).
        self._settled = asyncio.Event()
        self._watchdog: CALLBACK_TYPE | None = None
        self._frames_at_last_check = -1
        self._silent_checks = 0
        self._shut_down = False
        self._unexpected_logged: set[str] = set()

    @property
    def shutting_down(self) -> bool:
        """Whether unload or Home Assistant's stop has begun."""
        return self._shut_down

    def _stopping(self) -> bool:
        """Whether to stop (a call, so type checkers do not narrow it across awaits)."""
        return self._shut_down

    def first_check(self, creator: Creator) -> None:
        """The live check setup made: applied now, and reused by the first turn."""
        self._first_check = (creator, dt_util.utcnow())
        if creator.is_live:
            self._model.creator_live(creator)
        else:
            self._model.creator_offline()
            self._set_activity(ConnectionState.WAITING_FOR_LIVE)

    # ----------------------------------------------------------------- run

    async def async_run(self, first_wait: float = 0.0) -> None:
        """Check, connect and stream until shut down."""
        if first_wait:
            await self._sleep(first_wait)
        while not self._stopping():
            delay = await self._turn()
            if self._stopping():
                return
            await self._sleep(delay, watch_live=self._watched_offline)

    async def _turn(self) -> float:
        """One check (and connection, while live); seconds until the next turn."""
        creator = self._take_first_check()
        if creator is None:
            try:
                creator = await self._client.check_live(self.unique_id)
            except TikTokLiveError as err:
                outcome = self._policy.failed(err, during_check=True)
                room_id = self._model.stats.room_id
                if outcome.suspected and self._model.is_live and room_id is not None:
                    # "Not found" in the middle of a stream is a captcha, most
                    # likely: the room it streams in is still there to join.
                    LOGGER.debug(
                        "Check of @%s failed (%s), rejoining room %s",
                        self.unique_id,
                        type(err).__name__,
                        room_id,
                    )
                    return await self._connect_when_allowed(room_id)
                return outcome.delay
            except Exception as err:  # noqa: BLE001 - the supervisor must outlive any bug
                self._unexpected("checking", err)
                return self._policy.failed(
                    WebcastConnectionError("Unexpected error"), during_check=True
                ).delay
        self._policy.check_succeeded()
        if not creator.is_live:
            return await self._offline_answer()
        self._offline_since = None
        self._watched_offline = False
        self._shared.waiting_for_live.discard(self._entry.entry_id)
        self._model.creator_live(creator)
        return await self._connect_when_allowed(creator.room_id)

    async def _connect_when_allowed(self, room_id: str | None) -> float:
        """Connect the way the chooser picks, once the sign server's gate lets it."""
        method = self.methods.next()
        if method is ConnectMethod.SIGN_SERVER and self._gate.held:
            if (instead := self.methods.instead_of_waiting()) is not None:
                # The sign server asked to wait; TikTok itself need not.
                method = instead
            else:
                # A 429 (this entry's or another's): nobody asks the sign
                # server until its wait ends.
                self._policy.held_by_gate()
                await self._sleep(until=self._gate)
                if self._stopping():
                    return 0
        return await self._connect(room_id, method)

    def _take_first_check(self) -> Creator | None:
        first, self._first_check = self._first_check, None
        if first is None or dt_util.utcnow() - first[1] > FIRST_CHECK_REUSE:
            return None
        return first[0]

    async def _connect(self, room_id: str | None, method: ConnectMethod) -> float:
        self._set_activity(
            ConnectionState.RECONNECTING
            if self.connections_opened and self._model.is_live
            else ConnectionState.CONNECTING
        )
        try:
            connection = await self._client.connect(
                self.unique_id, room_id=room_id, method=method
            )
        except UserOfflineError:
            # Room info says the room ended while the check said live.
            return await self._offline_answer()
        except TikTokLiveError as err:
            delay = self._policy.failed(err).delay
            if self.methods.refused(method, err) or (
                method is ConnectMethod.SIGN_SERVER
                and self._gate.held
                and self.methods.instead_of_waiting() is not None
            ):
                # Refused one way (or the sign server asked to wait): the
                # other way, soon (the failure still counts towards what
                # users see, should both fail).
                return jittered(SWITCH_DELAY, only_later=True)
            if (
                self.methods.fallback_for(method) is ConnectMethod.SIGN_SERVER
                and self._gate.held
                and self._gate.hold_until is not None
            ):
                # The sign server only asked to wait: try it when its wait
                # ends, not after the (longer) back-off of this refusal.
                until_released = (
                    self._gate.hold_until - dt_util.utcnow()
                ).total_seconds()
                return min(delay, max(until_released, 0.0) + 1.0)
            return delay
        except Exception as err:  # noqa: BLE001 - the supervisor must outlive any bug
            self._unexpected("connecting to", err)
            return self._policy.failed(WebcastConnectionError("Unexpected error")).delay
        self.methods.worked(method)
        self._changed()
        return await self._stream(connection)

    async def _stream(self, connection: WebcastConnection) -> float:
        """Hand every event to the model until the socket ends."""
        self.connection = connection
        self.connections_opened += 1
        self._policy.connected()
        self._set_activity(ConnectionState.CONNECTED)
        self._model.room_info(self._client.room_info(connection.room_id))
        ended = False
        self._arm_watchdog()
        self._settled.set()
        try:
            async for event in connection:
                if self._model.handle(event) and isinstance(event, LiveEndEvent):
                    ended = True
        except WebcastConnectionError as err:
            LOGGER.debug("Connection to @%s dropped: %s", self.unique_id, err)
        except Exception as err:  # noqa: BLE001 - the supervisor must outlive any bug
            self._unexpected("reading the stream of", err)
        finally:
            self._settled.clear()
            self.connection = None
            self._disarm_watchdog()
            if not connection.closed:
                # Not once closing began: a silent socket's close waits for
                # an answer that never comes, and the next socket need not.
                await connection.close()
        if self._stopping():
            return 0
        if ended:
            return self._offline()
        # Dropped, silenced or closed by TikTok without an end: the stream is
        # probably still on. Live stays on; the next turn checks and reconnects.
        self._set_activity(ConnectionState.RECONNECTING)
        return self._policy.dropped()

    async def _offline_answer(self) -> float:
        """A check (or room info) says offline; believe it once it is evidence.

        While the stream was on, one such answer can be a blip: it counts
        when the room's own live check agrees, or when it repeats a minute
        later. Until then Live stays on.
        """
        if not self._model.is_live:
            return self._offline()
        room_id = self._model.stats.room_id
        confirmed = False
        if room_id is not None:
            try:
                confirmed = not await self._client.check_alive(room_id)
            except TikTokLiveError as err:
                LOGGER.debug("Live check of room %s failed: %s", room_id, err)
        now = dt_util.utcnow()
        if self._offline_since is None:
            self._offline_since = now
        elif now - self._offline_since >= OFFLINE_CONFIRM:
            confirmed = True
        if confirmed:
            return self._offline()
        return jittered(OFFLINE_RECHECK, only_later=True)

    def _offline(self) -> float:
        """Wait for the creator to go live: the next check's delay.

        Every offline creator shares one budget of checks a minute; with the
        sign server's bulk live check (an API key's plan) one request a
        minute watches them all, and each one's own check is a rare fallback.
        """
        self._offline_since = None
        self._model.creator_offline()
        self._policy.waiting_for_live()
        self._set_activity(ConnectionState.WAITING_FOR_LIVE)
        self._shared.waiting_for_live.add(self._entry.entry_id)
        interval = self._offline_interval()
        watch = self._bulk_watch
        self._watched_offline = watch is not None and watch.usable
        if self._watched_offline:
            return jittered(max(interval, BULK_FALLBACK_INTERVAL))
        return jittered(self._shared.offline_interval(interval))

    def _unexpected(self, doing: str, err: Exception) -> None:
        """A bug: its traceback once per kind, then a line at debug level."""
        cause = f"{doing} {type(err).__name__}"
        if cause in self._unexpected_logged:
            LOGGER.debug(
                "Unexpected error %s @%s again: %r", doing, self.unique_id, err
            )
            return
        self._unexpected_logged.add(cause)
        LOGGER.exception("Unexpected error %s @%s", doing, self.unique_id)

    def _set_activity(self, activity: ConnectionState) -> None:
        if self.activity is not activity:
            self.activity = activity
            self._changed()

    # ------------------------------------------------------------- waiting

    async def _sleep(
        self,
        seconds: float | None = None,
        *,
        until: SignServerGate | None = None,
        watch_live: bool = False,
    ) -> None:
        """Wait on Home Assistant's clock (or for a gate), cut short by wake().

        With ``watch_live`` the bulk live check also wakes it, when it finds
        the creator live.
        """
        future: asyncio.Future[None] = self._hass.loop.create_future()

        @callback
        def _wake(_now: datetime | None = None) -> None:
            # No longer idle from this moment, not from when the task resumes.
            self._idle.clear()
            self._settled.clear()
            if not future.done():
                future.set_result(None)

        cancel_timer: CALLBACK_TYPE | None = None
        gate_task: asyncio.Task[None] | None = None
        if seconds is not None:
            cancel_timer = async_call_later(self._hass, seconds, _wake)
            self.next_attempt = dt_util.utcnow() + timedelta(seconds=seconds)
        if until is not None:
            self.next_attempt = until.hold_until
            gate_task = self._entry.async_create_background_task(
                self._hass, until.wait_released(), f"{DOMAIN} wait for sign server"
            )
            gate_task.add_done_callback(lambda _task: _wake())
        stop_watching: CALLBACK_TYPE | None = None
        if watch_live and self._bulk_watch is not None:
            stop_watching = self._bulk_watch.wait(
                int(self._entry.data.get(CONF_USER_ID, self._entry.unique_id)), _wake
            )
        self._wake = _wake
        self._idle.set()
        self._settled.set()
        try:
            await future
        finally:
            self._idle.clear()
            self._settled.clear()
            self.next_attempt = None
            self._wake = None
            if cancel_timer is not None:
                cancel_timer()
            if stop_watching is not None:
                stop_watching()
            if gate_task is not None and not gate_task.done():
                gate_task.cancel()

    async def async_wait_idle(self) -> None:
        """Return once the supervisor waits for its next turn (tests, tools)."""
        await self._idle.wait()

    async def async_wait_settled(self) -> None:
        """Return once the supervisor waits or streams: no request in flight."""
        await self._settled.wait()

    @callback
    def async_wake(self) -> None:
        """Cut the current wait short (a repair was made, the user asked)."""
        if self._wake is not None:
            self._wake()

    async def async_shutdown(self) -> None:
        """Stop: close the socket (or the attempt) and end the task's wait."""
        self._shut_down = True
        self._disarm_watchdog()
        if self.connection is not None:
            await self.connection.close()
        await self._client.disconnect()
        self.async_wake()

    # ------------------------------------------------------------- silence

    def _arm_watchdog(self) -> None:
        connection = self.connection
        self._frames_at_last_check = (
            connection.stats.frames_received if connection is not None else -1
        )
        self._silent_checks = 0
        self._watchdog = async_call_later(
            self._hass, SILENCE_CHECK_INTERVAL, self._check_silence
        )

    def _disarm_watchdog(self) -> None:
        if self._watchdog is not None:
            self._watchdog()
            self._watchdog = None

    @callback
    def _check_silence(self, _now: datetime) -> None:
        """Count the checks in a row that saw no new frame; close once they span the limit.

        Counted rather than timed, so it follows Home Assistant's timers
        (and tests that move them) whatever the wall clock does.
        """
        self._watchdog = None
        connection = self.connection
        if connection is None:
            return
        frames = connection.stats.frames_received
        if frames != self._frames_at_last_check:
            self._frames_at_last_check = frames
            self._silent_checks = 0
        else:
            self._silent_checks += 1
        limit = silence_limit(connection)
        if self._silent_checks * SILENCE_CHECK_INTERVAL >= limit:
            LOGGER.debug(
                "No frame from @%s for %s, reconnecting", self.unique_id, limit
            )
            self._entry.async_create_background_task(
                self._hass, connection.close(), f"{DOMAIN} close silent socket"
            )
            return
        self._watchdog = async_call_later(
            self._hass, SILENCE_CHECK_INTERVAL, self._check_silence
        )


def silence_limit(connection: WebcastConnection) -> timedelta:
    """How long this socket may stay without a frame before it counts as dead.

    Once its server has answered a heartbeat, a few missed heartbeats; until
    then, the longer wait that a quiet room needs.
    """
    if connection.stats.heartbeats_received:
        return max(
            SILENCE_MIN,
            timedelta(
                seconds=SILENCE_MISSED_HEARTBEATS * connection.heartbeat_interval
            ),
        )
    return SILENCE_TIMEOUT
