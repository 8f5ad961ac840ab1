"""How each TikTok LIVE error is answered in Home Assistant.

One place decides, per error class: the Connection state, how long to wait
before the next attempt, and whether the user must act (a repair issue or a
reauth flow). Issues are removed as soon as a connection succeeds again.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from datetime import datetime, timedelta
import random
from typing import TYPE_CHECKING, Any, Final

from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir
from homeassistant.util import dt as dt_util

from .const import (
    BLOCKED_BACKOFF_MAX,
    BLOCKED_BACKOFF_MIN,
    CONF_SIGN_API_KEY,
    DOMAIN,
    JITTER,
    LOGGER,
    RECONNECT_BACKOFF_MAX,
    RECONNECT_BACKOFF_MIN,
    ConnectionState,
)
from .webcast import (
    AgeRestrictedError,
    AlreadyConnectedError,
    AuthenticatedWebSocketConnectionError,
    InitialCursorMissingError,
    PremiumEndpointError,
    SignAPIError,
    SignAPIKeyInvalidError,
    SignatureRateLimitError,
    TikTokLiveError,
    UserNotFoundError,
    WebcastBlockedError,
    WebsocketURLMissingError,
)

if TYPE_CHECKING:
    from homeassistant.config_entries import ConfigEntry

# Waiting for the user to act (reauth, a repair): TikTok is asked again only
# rarely, and the fix reloads the entry anyway.
WAIT_FOR_USER: Final = 6 * 3600.0
# Failures in a row before a transient problem becomes a repair issue.
BLOCKED_ISSUE_AFTER: Final = 3
SIGN_SERVER_ISSUE_AFTER: Final = 5
RATE_LIMIT_DEFAULT: Final = 60
# How many recent errors diagnostics show.
ERROR_HISTORY: Final = 10

ISSUE_USER_NOT_FOUND: Final = "user_not_found"
ISSUE_BLOCKED: Final = "blocked"
ISSUE_SIGN_SERVER: Final = "sign_server_unavailable"
ISSUE_RATE_LIMITED: Final = "rate_limited"
ISSUE_PREMIUM_REQUIRED: Final = "premium_required"
ISSUE_SESSION_NOT_TRUSTED: Final = "session_not_trusted"
ALL_ISSUES: Final = (
    ISSUE_USER_NOT_FOUND,
    ISSUE_BLOCKED,
    ISSUE_SIGN_SERVER,
    ISSUE_RATE_LIMITED,
    ISSUE_PREMIUM_REQUIRED,
    ISSUE_SESSION_NOT_TRUSTED,
)

REAUTH_SESSION: Final = "session"
REAUTH_API_KEY: Final = "api_key"
CONF_REAUTH_REASON: Final = "reauth_reason"

BLOCKED_ERRORS: Final = (
    InitialCursorMissingError,
    WebsocketURLMissingError,
    WebcastBlockedError,
)


def issue_id(key: str, entry_id: str) -> str:
    """Issues are per entry: two creators can fail for different reasons."""
    return f"{key}_{entry_id}"


class Backoff:
    """Exponential back-off with jitter."""

    def __init__(self, minimum: float, maximum: float) -> None:
        """Start at ``minimum`` and double up to ``maximum``."""
        self._minimum = minimum
        self._maximum = maximum
        self._attempt = 0

    def next(self) -> float:
        """The next wait in seconds."""
        delay = min(self._maximum, self._minimum * 2**self._attempt)
        self._attempt += 1
        return float(delay * random.uniform(1.0 - JITTER, 1.0 + JITTER))

    def reset(self) -> None:
        """Start again from the minimum."""
        self._attempt = 0


@dataclass(frozen=True, slots=True)
class Outcome:
    """The answer to one failed attempt."""

    state: ConnectionState
    delay: float


@dataclass(frozen=True, slots=True)
class RecordedError:
    """An error as diagnostics show it: class and message, nothing secret."""

    at: datetime
    error: str
    message: str


class FailureTracker:
    """Turns connection failures into states, waits, repair issues and reauth."""

    def __init__(self, hass: HomeAssistant, entry: ConfigEntry[Any]) -> None:
        """Track failures for one config entry."""
        self._hass = hass
        self._entry = entry
        self._reconnect = Backoff(RECONNECT_BACKOFF_MIN, RECONNECT_BACKOFF_MAX)
        self._blocked = Backoff(BLOCKED_BACKOFF_MIN, BLOCKED_BACKOFF_MAX)
        self._consecutive: dict[str, int] = {}
        self._unreachable = False
        self.errors: deque[RecordedError] = deque(maxlen=ERROR_HISTORY)
        self.retry_at: datetime | None = None

    # ------------------------------------------------------------ outcomes

    def failed(self, err: TikTokLiveError, unique_id: str) -> Outcome:
        """Decide what a failed connection attempt means."""
        self._record(err)
        creator = f"@{unique_id}"
        match err:
            case AlreadyConnectedError():
                # Cannot happen while a single task owns the connection; if it
                # ever does, back off instead of looping.
                LOGGER.error("A second connection to %s was refused: %s", creator, err)
                return self._wait(ConnectionState.RECONNECTING, self._reconnect.next())
            case UserNotFoundError():
                self.user_not_found(unique_id)
                return self._wait(ConnectionState.ERROR, WAIT_FOR_USER)
            case AgeRestrictedError():
                self._start_reauth(REAUTH_SESSION)
                return self._wait(ConnectionState.AUTH_REQUIRED, WAIT_FOR_USER)
            case SignAPIKeyInvalidError():
                self._start_reauth(REAUTH_API_KEY)
                return self._wait(ConnectionState.AUTH_REQUIRED, WAIT_FOR_USER)
            case SignatureRateLimitError():
                delay = self._rate_limit_delay(err)
                retry_at = dt_util.now() + timedelta(seconds=delay)
                self._create_issue(
                    ISSUE_RATE_LIMITED,
                    ir.IssueSeverity.WARNING,
                    translation_key=(
                        "rate_limited_with_key"
                        if self._entry.data.get(CONF_SIGN_API_KEY)
                        else ISSUE_RATE_LIMITED
                    ),
                    placeholders={
                        "creator": creator,
                        "retry_at": retry_at.strftime("%H:%M:%S"),
                    },
                )
                return self._wait(ConnectionState.RATE_LIMITED, delay)
            case PremiumEndpointError():
                self._create_issue(
                    ISSUE_PREMIUM_REQUIRED,
                    ir.IssueSeverity.ERROR,
                    fixable=True,
                    placeholders={"creator": creator},
                )
                return self._wait(ConnectionState.ERROR, WAIT_FOR_USER)
            case AuthenticatedWebSocketConnectionError():
                self._create_issue(
                    ISSUE_SESSION_NOT_TRUSTED,
                    ir.IssueSeverity.ERROR,
                    fixable=True,
                    placeholders={"creator": creator},
                )
                return self._wait(ConnectionState.ERROR, WAIT_FOR_USER)
            case (
                InitialCursorMissingError()
                | WebsocketURLMissingError()
                | WebcastBlockedError()
            ):
                if self._count(ISSUE_BLOCKED) >= BLOCKED_ISSUE_AFTER:
                    self._create_issue(
                        ISSUE_BLOCKED,
                        ir.IssueSeverity.ERROR,
                        placeholders={
                            "creator": creator,
                            "failures": str(self._consecutive[ISSUE_BLOCKED]),
                        },
                    )
                return self._wait(ConnectionState.BLOCKED, self._blocked.next())
            case SignAPIError():
                if self._count(ISSUE_SIGN_SERVER) >= SIGN_SERVER_ISSUE_AFTER:
                    self._create_issue(
                        ISSUE_SIGN_SERVER,
                        ir.IssueSeverity.WARNING,
                        placeholders={
                            "creator": creator,
                            "reason": err.reason.name.lower(),
                        },
                    )
                return self._wait(ConnectionState.ERROR, self._reconnect.next())
            case _:
                # TikTok itself unreachable, or an unexpected answer.
                return self._wait(ConnectionState.ERROR, self._reconnect.next())

    def dropped(self) -> float:
        """Wait after an established connection went away."""
        return self._reconnect.next()

    def recovered(self) -> None:
        """A connection (or a clean offline check) worked: clear everything."""
        self._reconnect.reset()
        self._blocked.reset()
        self._consecutive.clear()
        self.retry_at = None
        if self._unreachable:
            self._unreachable = False
            LOGGER.info("TikTok LIVE of @%s is reachable again", self._creator)
        for key in ALL_ISSUES:
            ir.async_delete_issue(
                self._hass, DOMAIN, issue_id(key, self._entry.entry_id)
            )

    def user_not_found(self, unique_id: str) -> None:
        """The handle no longer exists: ask the user for the new one."""
        self._create_issue(
            ISSUE_USER_NOT_FOUND,
            ir.IssueSeverity.ERROR,
            fixable=True,
            placeholders={"creator": f"@{unique_id}"},
        )

    # ------------------------------------------------------------- helpers

    @property
    def _creator(self) -> str:
        return str(self._entry.title).lstrip("@")

    def _wait(self, state: ConnectionState, delay: float) -> Outcome:
        self.retry_at = dt_util.utcnow() + timedelta(seconds=delay)
        return Outcome(state, delay)

    def _record(self, err: TikTokLiveError) -> None:
        self.errors.append(
            RecordedError(dt_util.utcnow(), type(err).__name__, str(err))
        )
        if not self._unreachable:
            # One line when it breaks and one when it is back, not one per retry.
            self._unreachable = True
            LOGGER.warning(
                "TikTok LIVE of @%s is unreachable (%s); retrying in the background",
                self._creator,
                type(err).__name__,
            )

    def _count(self, key: str) -> int:
        self._consecutive[key] = self._consecutive.get(key, 0) + 1
        return self._consecutive[key]

    @staticmethod
    def _rate_limit_delay(err: SignatureRateLimitError) -> float:
        """Never retry before the sign server said we may."""
        now = dt_util.utcnow().timestamp()
        delay = float(max(err.retry_after, err.reset_time - now, 1))
        if delay <= 0:  # pragma: no cover - max() above keeps it positive
            delay = RATE_LIMIT_DEFAULT
        return delay * random.uniform(1.0, 1.0 + JITTER)

    def _start_reauth(self, reason: str) -> None:
        self._entry.async_start_reauth(
            self._hass, data={**self._entry.data, CONF_REAUTH_REASON: reason}
        )

    def _create_issue(
        self,
        key: str,
        severity: ir.IssueSeverity,
        *,
        placeholders: dict[str, str],
        fixable: bool = False,
        translation_key: str | None = None,
    ) -> None:
        ir.async_create_issue(
            self._hass,
            DOMAIN,
            issue_id(key, self._entry.entry_id),
            is_fixable=fixable,
            is_persistent=False,
            severity=severity,
            translation_key=translation_key or key,
            translation_placeholders={"entry_title": self._entry.title, **placeholders},
            data={"entry_id": self._entry.entry_id, "issue": key},
        )
