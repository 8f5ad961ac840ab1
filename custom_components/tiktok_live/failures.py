"""How each TikTok LIVE failure is answered in Home Assistant.

One place decides, per error class: what the Connection sensor shows, how
long to wait before the next attempt, and whether the user must act (a repair
issue or a reauth flow). Two rules shape every answer, because every answer
from TikTok or a sign server can be wrong once:

* Nothing the user sees changes while retries may still fix it. A failure is
  shown (entities unavailable, Connection in its error state) only once it
  has lasted ``FAILURE_GRACE``.
* The user is asked to act only on evidence that survives a retry: the same
  answer again, some minutes later (or from two independent sources).

Issues and reauth flows go away by themselves when their cause clears.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
import enum
import random
from typing import TYPE_CHECKING, Any, Final

from homeassistant.config_entries import SOURCE_REAUTH
from homeassistant.core import (
    CALLBACK_TYPE,
    DOMAIN as HOMEASSISTANT_DOMAIN,
    HomeAssistant,
    callback,
)
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.event import async_call_later
from homeassistant.util import dt as dt_util
from homeassistant.util.hass_dict import HassKey

from .api import sign_server_host, sign_server_url
from .const import (
    BLOCKED_BACKOFF_MAX,
    BLOCKED_BACKOFF_MIN,
    CONF_PROXY_URL,
    CONF_SIGN_API_KEY,
    DOMAIN,
    FAILURE_GRACE,
    JITTER,
    LOGGER,
    RECONNECT_BACKOFF_MAX,
    RECONNECT_BACKOFF_MIN,
    ConnectionState,
)
from .shared import SignServerGate
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
    WebcastDeviceBlockedError,
    WebcastProxyError,
    WebcastSessionRejectedError,
    WebsocketURLMissingError,
)
from .webcast.proxy import proxy_name

if TYPE_CHECKING:
    from homeassistant.config_entries import ConfigEntry

# While the user is asked to act, TikTok is still asked now and then, so a
# cause that clears by itself (a creator who comes back, a lifted age
# restriction) is noticed without the user.
RECHECK_WHILE_WAITING: Final = 30 * 60.0
# Failures in a row before a transient problem becomes a repair issue.
BLOCKED_ISSUE_AFTER: Final = 3
SIGN_SERVER_ISSUE_AFTER: Final = 5
# DEVICE_BLOCKED: retried this quickly (with a new identity) this many times.
DEVICE_BLOCKED_RETRY: Final = 2.0
DEVICE_BLOCKED_QUICK_RETRIES: Final = 3
# How many recent errors diagnostics show.
ERROR_HISTORY: Final = 10

ISSUE_USER_NOT_FOUND: Final = "user_not_found"
ISSUE_BLOCKED: Final = "blocked"
ISSUE_SIGN_SERVER: Final = "sign_server_unavailable"
# The same issue, worded for what the sign server does wrong.
ISSUE_SIGN_SERVER_UNREACHABLE: Final = "sign_server_unreachable"
ISSUE_SIGN_SERVER_PUSH_HOST: Final = "sign_server_push_host"
ISSUE_RATE_LIMITED: Final = "rate_limited"
ISSUE_PREMIUM_REQUIRED: Final = "premium_required"
ISSUE_SESSION_NOT_TRUSTED: Final = "session_not_trusted"
ISSUE_PROXY: Final = "proxy_unreachable"
# The same issue, worded for a proxy that answers but refuses.
ISSUE_PROXY_REFUSED: Final = "proxy_refused"
ISSUE_PROXY_AUTH: Final = "proxy_auth"
ALL_ISSUES: Final = (
    ISSUE_USER_NOT_FOUND,
    ISSUE_BLOCKED,
    ISSUE_SIGN_SERVER,
    ISSUE_RATE_LIMITED,
    ISSUE_PREMIUM_REQUIRED,
    ISSUE_SESSION_NOT_TRUSTED,
    ISSUE_PROXY,
)

# Why a reauth asks for something: an age-restricted stream needs a session;
# TikTok refused the configured session; the sign server refused the key.
REAUTH_SESSION: Final = "session"
REAUTH_SESSION_REJECTED: Final = "session_rejected"
REAUTH_API_KEY: Final = "api_key"
CONF_REAUTH_REASON: Final = "reauth_reason"

BLOCKED_ERRORS: Final = (
    InitialCursorMissingError,
    WebsocketURLMissingError,
    WebcastBlockedError,
)


class Cause(enum.StrEnum):
    """Causes that need the user, each confirmed by its own evidence."""

    USER_NOT_FOUND = "user_not_found"
    AGE_RESTRICTED = "age_restricted"
    SESSION_REJECTED = "session_rejected"
    API_KEY_INVALID = "api_key_invalid"
    PREMIUM_REQUIRED = "premium_required"


@dataclass(frozen=True, slots=True)
class EvidenceRule:
    """When an answer counts as confirmed, and how soon to ask again until then."""

    # The same answer again at least this long after the first one confirms it.
    span: timedelta
    # The wait before asking again while unconfirmed.
    retry: float
    # The wait after the first such answer, when a blip is the likely cause.
    first_retry: float | None = None


# Retries of an unconfirmed answer come well within FAILURE_GRACE: a blip
# (a captcha, a refused browser) costs a minute or two, and only a lasting
# failure is ever shown.
EVIDENCE: Final[dict[Cause, EvidenceRule]] = {
    # One "not found" can be a captcha: repeated over 30 minutes (or two
    # sources agreeing, which confirms at once). Asked again soon once (a
    # blip as a stream starts would otherwise cost its first minute), then
    # as often as an offline creator is.
    Cause.USER_NOT_FOUND: EvidenceRule(timedelta(minutes=30), 60.0, first_retry=15.0),
    # Refused, with TikTok's age prompt in room info: still so 5 minutes later.
    Cause.AGE_RESTRICTED: EvidenceRule(timedelta(minutes=5), 2 * 60.0),
    Cause.SESSION_REJECTED: EvidenceRule(timedelta(minutes=5), 2 * 60.0),
    # A sign server's 401/402/403 again after a couple of minutes.
    Cause.API_KEY_INVALID: EvidenceRule(timedelta(minutes=2), 2 * 60.0),
    Cause.PREMIUM_REQUIRED: EvidenceRule(timedelta(minutes=2), 2 * 60.0),
}


@dataclass(slots=True)
class Evidence:
    """When an answer was first seen, and how often since."""

    first: datetime
    count: int = 1


DATA_EVIDENCE: HassKey[dict[str, dict[Cause, Evidence]]] = HassKey(f"{DOMAIN}_evidence")


def issue_id(key: str, entry_id: str) -> str:
    """Issues are per entry: two creators can fail for different reasons."""
    return f"{key}_{entry_id}"


def jittered(seconds: float, *, only_later: bool = False) -> float:
    """Spread waits so many installations do not hit TikTok in lockstep."""
    low = 1.0 if only_later else 1.0 - JITTER
    return seconds * random.uniform(low, 1.0 + JITTER)


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
        return jittered(delay)

    def reset(self) -> None:
        """Start again from the minimum."""
        self._attempt = 0


@dataclass(frozen=True, slots=True)
class Outcome:
    """The answer to one failed attempt: what to show once it lasts, and the wait.

    ``suspected``: an answer that would need the user, not yet confirmed. It
    changes nothing users see until the same answer survives a retry.
    """

    state: ConnectionState
    delay: float
    suspected: bool = False


@dataclass(frozen=True, slots=True)
class RecordedError:
    """An error as diagnostics show it: class and message, nothing secret."""

    at: datetime
    error: str
    message: str


class FailurePolicy:
    """Turns failures into states, waits, repair issues and reauth flows."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry: ConfigEntry[Any],
        gate: SignServerGate,
        *,
        changed: Callable[[], None],
    ) -> None:
        """Answer failures of one entry; call ``changed`` when what users see changes."""
        self._hass = hass
        self._entry = entry
        self._gate = gate
        self._changed = changed
        self._reconnect = Backoff(RECONNECT_BACKOFF_MIN, RECONNECT_BACKOFF_MAX)
        self._blocked = Backoff(BLOCKED_BACKOFF_MIN, BLOCKED_BACKOFF_MAX)
        self._consecutive: dict[str, int] = {}
        self._device_blocked = 0
        self._grace_timer: CALLBACK_TYPE | None = None
        self._unreachable = False
        # Issues to raise once the failure shows, by key.
        self._pending_issues: dict[str, Callable[[], None]] = {}
        self._evidence = hass.data.setdefault(DATA_EVIDENCE, {}).setdefault(
            entry.entry_id, {}
        )
        # What a lasting failure shows, and since when the failure lasts.
        self.failure_state: ConnectionState | None = None
        self.failing_since: datetime | None = None
        # Set once the failure outlasted the grace period (or needs the user).
        self.degraded = False
        # Whether the last failure was the live check itself (then nobody
        # knows whether the creator is live).
        self.check_failing = False
        self.errors: deque[RecordedError] = deque(maxlen=ERROR_HISTORY)
        self.retry_at: datetime | None = None

    # ------------------------------------------------------------ outcomes

    def failed(self, err: TikTokLiveError, *, during_check: bool = False) -> Outcome:
        """Decide what a failed check or connection attempt means."""
        self._record(err)
        # The issue raised once the failure shows is the latest failure's:
        # an earlier answer (a 429 whose wait ended) is no longer the cause.
        self._pending_issues.clear()
        if not isinstance(err, SignatureRateLimitError) and not self._gate.held:
            self._delete_issue(ISSUE_RATE_LIMITED)
        outcome = self._answer(err)
        if not outcome.suspected:
            self.check_failing = during_check
            self._failing(outcome.state)
        elif self.failing_since is not None:
            # Still failing, but no longer for the earlier reason: should it
            # show, it shows as an error, never as that stale reason.
            self.failure_state = ConnectionState.ERROR
        self.retry_at = dt_util.utcnow() + timedelta(seconds=outcome.delay)
        return outcome

    def held_by_gate(self) -> None:
        """Another entry's 429 holds the sign server: this entry waits too."""
        self._failing(ConnectionState.RATE_LIMITED)
        self.retry_at = self._gate.hold_until
        self._issue_once_degraded(ISSUE_RATE_LIMITED, self._rate_limit_issue)

    def _answer(self, err: TikTokLiveError) -> Outcome:
        creator = self._creator
        match err:
            case AlreadyConnectedError():
                # Cannot happen while a single task owns the connection; if it
                # ever does, back off instead of looping.
                LOGGER.error("A second connection to %s was refused: %s", creator, err)
                return Outcome(ConnectionState.RECONNECTING, self._reconnect.next())
            case UserNotFoundError():
                if len(err.sources) > 1 or self._confirmed(Cause.USER_NOT_FOUND):
                    self.user_gone()
                    return Outcome(ConnectionState.ERROR, RECHECK_WHILE_WAITING)
                return self._unconfirmed(Cause.USER_NOT_FOUND, ConnectionState.ERROR)
            case AgeRestrictedError():
                return self._reauth_when_confirmed(Cause.AGE_RESTRICTED, REAUTH_SESSION)
            case WebcastSessionRejectedError():
                return self._reauth_when_confirmed(
                    Cause.SESSION_REJECTED, REAUTH_SESSION_REJECTED
                )
            case SignAPIKeyInvalidError():
                return self._reauth_when_confirmed(
                    Cause.API_KEY_INVALID, REAUTH_API_KEY
                )
            case SignatureRateLimitError():
                delay = self._gate.rate_limited(err.retry_after)
                self._issue_once_degraded(ISSUE_RATE_LIMITED, self._rate_limit_issue)
                return Outcome(ConnectionState.RATE_LIMITED, delay)
            case PremiumEndpointError():
                if not self._confirmed(Cause.PREMIUM_REQUIRED):
                    return self._unconfirmed(
                        Cause.PREMIUM_REQUIRED, ConnectionState.ERROR
                    )
                self._create_issue(
                    ISSUE_PREMIUM_REQUIRED,
                    ir.IssueSeverity.ERROR,
                    fixable=True,
                    placeholders={"creator": creator},
                )
                self._degrade()
                return Outcome(ConnectionState.ERROR, RECHECK_WHILE_WAITING)
            case AuthenticatedWebSocketConnectionError():
                # Our own configuration, not an answer: no retry changes it.
                self._create_issue(
                    ISSUE_SESSION_NOT_TRUSTED,
                    ir.IssueSeverity.ERROR,
                    fixable=True,
                    placeholders={"creator": creator},
                )
                self._degrade()
                return Outcome(ConnectionState.ERROR, RECHECK_WHILE_WAITING)
            case WebcastProxyError():
                kind = err.kind
                self._issue_once_degraded(
                    ISSUE_PROXY,
                    lambda: self._create_issue(
                        ISSUE_PROXY,
                        ir.IssueSeverity.ERROR,
                        translation_key=ISSUE_PROXY_AUTH
                        if kind == WebcastProxyError.AUTH
                        else ISSUE_PROXY_REFUSED
                        if kind == WebcastProxyError.REFUSED
                        else ISSUE_PROXY,
                        placeholders={"creator": creator, "proxy": self._proxy_name},
                    ),
                )
                return Outcome(ConnectionState.ERROR, self._reconnect.next())
            case WebcastDeviceBlockedError() if (
                self._device_blocked < DEVICE_BLOCKED_QUICK_RETRIES
            ):
                # The client already became another browser: try it soon.
                self._device_blocked += 1
                return Outcome(ConnectionState.BLOCKED, jittered(DEVICE_BLOCKED_RETRY))
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
                return Outcome(ConnectionState.BLOCKED, self._blocked.next())
            case SignAPIError():
                if self._count(ISSUE_SIGN_SERVER) >= SIGN_SERVER_ISSUE_AFTER:
                    reason = err.reason
                    self._issue_once_degraded(
                        ISSUE_SIGN_SERVER,
                        lambda: self._create_issue(
                            ISSUE_SIGN_SERVER,
                            ir.IssueSeverity.WARNING,
                            # What a streamer can check differs by what fails.
                            translation_key=ISSUE_SIGN_SERVER_UNREACHABLE
                            if reason is SignAPIError.ErrorReason.CONNECT_ERROR
                            else ISSUE_SIGN_SERVER_PUSH_HOST
                            if reason is SignAPIError.ErrorReason.PUSH_HOST
                            else ISSUE_SIGN_SERVER,
                            placeholders={
                                "creator": creator,
                                "sign_server": self._sign_server_host,
                            },
                        ),
                    )
                return Outcome(ConnectionState.ERROR, self._reconnect.next())
            case _:
                # TikTok itself unreachable, or an unexpected answer.
                return Outcome(ConnectionState.ERROR, self._reconnect.next())

    def dropped(self) -> float:
        """Wait after an established connection went away."""
        return self._reconnect.next()

    def check_succeeded(self) -> None:
        """A live check answered: TikTok is reachable and the creator exists."""
        self._clear_evidence(Cause.USER_NOT_FOUND)
        self._delete_issue(ISSUE_USER_NOT_FOUND)
        if self.check_failing:
            self.check_failing = False
            self._recovered_from_failure()

    def waiting_for_live(self) -> None:
        """The creator is offline: nothing is failing while nobody streams."""
        self._reconnect.reset()
        self._recovered_from_failure()

    def connected(self) -> None:
        """A connection worked: every cause is gone."""
        self._reconnect.reset()
        self._blocked.reset()
        self._consecutive.clear()
        self._device_blocked = 0
        self._gate.succeeded()
        self._evidence.clear()
        for key in ALL_ISSUES:
            self._delete_issue(key)
        self._dismiss_reauth()
        self._recovered_from_failure()

    def user_gone(self) -> None:
        """The account is confirmed gone: ask the user for the new handle."""
        self._create_issue(
            ISSUE_USER_NOT_FOUND,
            ir.IssueSeverity.ERROR,
            fixable=True,
            placeholders={"creator": self._creator},
        )
        self._degrade()

    def user_not_found_confirmed(self, err: UserNotFoundError) -> bool:
        """Whether a "not found" at setup is confirmed (else setup is retried).

        Two sources agreeing confirm it at once; a single source only once
        the same answer came back over the evidence span.
        """
        if len(err.sources) > 1:
            return True
        evidence = self._evidence.get(Cause.USER_NOT_FOUND)
        if evidence is None:
            self._evidence[Cause.USER_NOT_FOUND] = Evidence(dt_util.utcnow())
            return False
        return dt_util.utcnow() - evidence.first >= EVIDENCE[Cause.USER_NOT_FOUND].span

    def shutdown(self) -> None:
        """Stop the grace timer."""
        if self._grace_timer is not None:
            self._grace_timer()
            self._grace_timer = None

    # -------------------------------------------------------------- grace

    def _failing(self, state: ConnectionState) -> None:
        self.failure_state = state
        if self.failing_since is None:
            self.failing_since = dt_util.utcnow()
            self._grace_timer = async_call_later(
                self._hass, FAILURE_GRACE, self._grace_over
            )
        elif self.degraded:
            self._changed()

    @callback
    def _grace_over(self, _now: datetime) -> None:
        self._grace_timer = None
        self._degrade()

    def _degrade(self) -> None:
        """The failure is shown from now on (and its issues raised)."""
        if self._grace_timer is not None:
            self._grace_timer()
            self._grace_timer = None
        if self.failing_since is None:
            self.failing_since = dt_util.utcnow()
        self.degraded = True
        for create in self._pending_issues.values():
            create()
        self._pending_issues.clear()
        self._changed()

    def _recovered_from_failure(self) -> None:
        was_shown = self.degraded
        self.shutdown()
        self.failing_since = None
        self.failure_state = None
        self.degraded = False
        self.retry_at = None
        self._pending_issues.clear()
        for key in (ISSUE_RATE_LIMITED, ISSUE_SIGN_SERVER, ISSUE_PROXY):
            self._delete_issue(key)
        if self._unreachable:
            self._unreachable = False
            LOGGER.info("TikTok LIVE of %s is reachable again", self._creator)
        if was_shown:
            self._changed()

    # ------------------------------------------------------------ evidence

    def _confirmed(self, cause: Cause) -> bool:
        """Note one more such answer; whether it now survived a retry."""
        now = dt_util.utcnow()
        evidence = self._evidence.get(cause)
        if evidence is None:
            self._evidence[cause] = Evidence(now)
            return False
        evidence.count += 1
        return now - evidence.first >= EVIDENCE[cause].span

    def _unconfirmed(self, cause: Cause, state: ConnectionState) -> Outcome:
        """An answer that would need the user, not yet confirmed: ask again later."""
        rule = EVIDENCE[cause]
        evidence = self._evidence.get(cause)
        retry = rule.retry
        if rule.first_retry is not None and (evidence is None or evidence.count == 1):
            retry = rule.first_retry
        return Outcome(state, jittered(retry, only_later=True), suspected=True)

    def _reauth_when_confirmed(self, cause: Cause, reason: str) -> Outcome:
        if not self._confirmed(cause):
            return self._unconfirmed(cause, ConnectionState.AUTH_REQUIRED)
        self._entry.async_start_reauth(
            self._hass, data={**self._entry.data, CONF_REAUTH_REASON: reason}
        )
        self._degrade()
        return Outcome(ConnectionState.AUTH_REQUIRED, RECHECK_WHILE_WAITING)

    def _clear_evidence(self, cause: Cause) -> None:
        self._evidence.pop(cause, None)

    def _dismiss_reauth(self) -> None:
        """The cause of a reauth cleared by itself: the flow and its notice go.

        The same two steps Home Assistant takes for a reauth of an entry
        that is removed: abort the flow, delete its repair notice.
        """
        entry_id = self._entry.entry_id
        flows = self._hass.config_entries.flow.async_progress_by_handler(
            DOMAIN, match_context={"entry_id": entry_id, "source": SOURCE_REAUTH}
        )
        for flow in flows:
            self._hass.config_entries.flow.async_abort(flow["flow_id"])
            ir.async_delete_issue(
                self._hass,
                HOMEASSISTANT_DOMAIN,
                f"config_entry_reauth_{DOMAIN}_{entry_id}",
            )

    # ------------------------------------------------------------- helpers

    @property
    def _creator(self) -> str:
        return str(self._entry.title)

    @property
    def _proxy_name(self) -> str:
        return proxy_name(self._entry.options.get(CONF_PROXY_URL))

    @property
    def _sign_server_host(self) -> str:
        return sign_server_host(sign_server_url(self._entry.data))

    def _record(self, err: TikTokLiveError) -> None:
        self.errors.append(
            RecordedError(dt_util.utcnow(), type(err).__name__, str(err))
        )
        if not self._unreachable:
            # One line when it breaks and one when it is back, not one per retry.
            self._unreachable = True
            LOGGER.warning(
                "TikTok LIVE of %s is unreachable (%s); retrying in the background",
                self._creator,
                type(err).__name__,
            )
        else:
            LOGGER.debug("TikTok LIVE of %s still failing: %s", self._creator, err)

    def _count(self, key: str) -> int:
        self._consecutive[key] = self._consecutive.get(key, 0) + 1
        return self._consecutive[key]

    def _rate_limit_issue(self) -> None:
        """The rate limit issue, naming when the wait ends (never "in 0 seconds")."""
        retry_at = dt_util.as_local(self._gate.hold_until or dt_util.utcnow())
        self._create_issue(
            ISSUE_RATE_LIMITED,
            ir.IssueSeverity.WARNING,
            translation_key=(
                "rate_limited_with_key"
                if self._entry.data.get(CONF_SIGN_API_KEY)
                else ISSUE_RATE_LIMITED
            ),
            placeholders={
                "creator": self._creator,
                "retry_at": retry_at.strftime("%H:%M"),
            },
        )

    def _issue_once_degraded(self, key: str, create: Callable[[], None]) -> None:
        """Raise an issue now if the failure already shows, else once it starts to."""
        if self.degraded:
            create()
        else:
            self._pending_issues[key] = create

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

    def _delete_issue(self, key: str) -> None:
        ir.async_delete_issue(self._hass, DOMAIN, issue_id(key, self._entry.entry_id))
