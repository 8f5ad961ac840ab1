"""Which way to connect: TikTok directly, or through the sign server.

*Automatic* tries the way that worked last (direct the first time), and moves
to the other way after a refusal: TikTok refusing the socket, or the sign
server failing. A mere drop of a working connection is no reason to move.
Direct costs no sign server quota, so an hour after its last refusal it is
the first choice again.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, Final

from homeassistant.util import dt as dt_util

from .webcast import (
    AgeRestrictedError,
    ConnectMethod,
    InitialCursorMissingError,
    SignAPIError,
    SignatureRateLimitError,
    TikTokLiveError,
    WebcastBlockedError,
    WebcastConnectionError,
    WebcastDeviceBlockedError,
    WebsocketURLMissingError,
)

# Refusals per way kept for diagnostics.
REFUSAL_HISTORY: Final = 5
# The wait before trying the other way after a refusal.
SWITCH_DELAY: Final = 2.0
HTTP_CLIENT_ERRORS: Final = range(400, 500)
# DEVICE_BLOCKED refuses a browser identity, not the way: the client is a new
# browser for the next attempt. Only a renewed identity refused again moves.
DEVICE_BLOCKED_BEFORE_SWITCH: Final = 2
# How long a refused direct way stays second choice.
DIRECT_RETRY_AFTER: Final = timedelta(hours=1)
# While the sign server asks to wait (a 429), a direct way that TikTok refused
# only as a browser is tried instead, until this many such refusals.
DEVICE_BLOCKED_WHILE_HELD: Final = 4


class ConnectionMethod(StrEnum):
    """The user's choice (an option)."""

    AUTOMATIC = "automatic"
    SIGN_SERVER = "sign_server"
    DIRECT = "direct"


@dataclass(frozen=True, slots=True)
class Refusal:
    """One refusal, as diagnostics show it."""

    at: datetime
    error: str


def is_refusal(method: ConnectMethod, err: TikTokLiveError) -> bool:
    """Whether ``err`` means this way was refused (not a network blip, not offline).

    A sign server's 429 is no refusal: it asks to wait, and the way is tried
    again when the wait ends (its gate holds every entry until then).
    """
    if isinstance(err, SignatureRateLimitError):
        return False
    if isinstance(err, WebcastBlockedError | AgeRestrictedError):
        return True
    if method is ConnectMethod.SIGN_SERVER:
        return isinstance(
            err, SignAPIError | InitialCursorMissingError | WebsocketURLMissingError
        )
    # The direct socket answered with a client error status: refused too.
    return (
        isinstance(err, WebcastConnectionError)
        and err.status is not None
        and err.status in HTTP_CLIENT_ERRORS
    )


class MethodChooser:
    """Picks the way for each attempt, remembering what worked."""

    def __init__(
        self,
        setting: Callable[[], ConnectionMethod],
        *,
        sign_server_usable: Callable[[], bool],
    ) -> None:
        """Follow the user's ``setting``; automatic skips an unusable sign server.

        ``sign_server_usable`` is False when a configured session may go to
        TikTok only: the sign server cannot sign for it.
        """
        self._setting = setting
        self._sign_server_usable = sign_server_usable
        self.last_working: ConnectMethod | None = None
        self.in_use: ConnectMethod | None = None
        self.refusals: dict[ConnectMethod, deque[Refusal]] = {
            method: deque(maxlen=REFUSAL_HISTORY) for method in ConnectMethod
        }
        # Ways refused since the last connection that worked, and of them the
        # ones refused only as a browser (DEVICE_BLOCKED): a new identity may do.
        self._refused: set[ConnectMethod] = set()
        self._refused_as_browser: set[ConnectMethod] = set()
        self._device_blocked: dict[ConnectMethod, int] = dict.fromkeys(ConnectMethod, 0)
        # When the direct way was last refused (a tolerated DEVICE_BLOCKED aside).
        self.direct_refused_at: datetime | None = None

    def next(self) -> ConnectMethod:
        """The way for the next attempt."""
        match self._setting():
            case ConnectionMethod.DIRECT:
                return ConnectMethod.DIRECT
            case ConnectionMethod.SIGN_SERVER:
                return ConnectMethod.SIGN_SERVER
        if not self._sign_server_usable():
            return ConnectMethod.DIRECT
        preferred = self.last_working or ConnectMethod.DIRECT
        if preferred is ConnectMethod.SIGN_SERVER and self._direct_rested():
            preferred = ConnectMethod.DIRECT
        other = _other(preferred)
        if preferred in self._refused and other not in self._refused:
            return other
        return preferred

    def fallback_for(self, method: ConnectMethod) -> ConnectMethod | None:
        """The other way Automatic may use when ``method`` fails, if any."""
        if self._setting() is not ConnectionMethod.AUTOMATIC:
            return None
        other = _other(method)
        if other is ConnectMethod.SIGN_SERVER and not self._sign_server_usable():
            return None
        return other

    def _direct_rested(self) -> bool:
        """Whether the direct way's last refusal (if any) is long enough ago."""
        refused_at = self.direct_refused_at
        return refused_at is None or dt_util.utcnow() - refused_at >= DIRECT_RETRY_AFTER

    def refused(self, method: ConnectMethod, err: TikTokLiveError) -> bool:
        """Note a failed attempt; whether the other way is worth trying at once."""
        if not is_refusal(method, err):
            return False
        self.refusals[method].append(Refusal(dt_util.utcnow(), type(err).__name__))
        if isinstance(err, WebcastDeviceBlockedError):
            self._device_blocked[method] += 1
            if self._device_blocked[method] < DEVICE_BLOCKED_BEFORE_SWITCH:
                return False
            if method not in self._refused:
                self._refused_as_browser.add(method)
        else:
            self._refused_as_browser.discard(method)
        if method is ConnectMethod.DIRECT:
            self.direct_refused_at = dt_util.utcnow()
        self._refused.add(method)
        automatic = self._setting() is ConnectionMethod.AUTOMATIC
        return automatic and self._sign_server_usable() and len(self._refused) == 1

    def instead_of_waiting(self) -> ConnectMethod | None:
        """The way to try while the sign server asks to wait, rather than wait.

        Automatic goes direct then, unless TikTok refused direct for more than
        a browser identity (which the client renews at each such refusal),
        or refused that often already.
        """
        direct = self.fallback_for(ConnectMethod.SIGN_SERVER)
        if direct is None:
            return None
        if direct in self._refused and (
            direct not in self._refused_as_browser
            or self._device_blocked[direct] >= DEVICE_BLOCKED_WHILE_HELD
        ):
            return None
        return direct

    def worked(self, method: ConnectMethod) -> None:
        """A connection opened this way."""
        self.last_working = self.in_use = method
        self._refused.clear()
        self._refused_as_browser.clear()
        self._device_blocked = dict.fromkeys(ConnectMethod, 0)

    def stored(self) -> dict[str, str | None]:
        """What survives a restart: the way that worked last, the direct way's last refusal."""
        refused_at = self.direct_refused_at
        return {
            "method": self.last_working.value if self.last_working else None,
            "direct_refused_at": refused_at.isoformat() if refused_at else None,
        }

    def restore(self, value: Any) -> None:
        """Take back what stored() kept (ignoring anything malformed)."""
        if not isinstance(value, dict):
            return
        if value.get("method") in {m.value for m in ConnectMethod}:
            self.last_working = ConnectMethod(value["method"])
        if isinstance(at := value.get("direct_refused_at"), str) and (
            refused_at := dt_util.parse_datetime(at)
        ):
            self.direct_refused_at = refused_at


def _other(method: ConnectMethod) -> ConnectMethod:
    return (
        ConnectMethod.SIGN_SERVER
        if method is ConnectMethod.DIRECT
        else ConnectMethod.DIRECT
    )
