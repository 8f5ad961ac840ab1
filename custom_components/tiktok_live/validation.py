"""Checks the flows run against TikTok before they store anything."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
import logging
from typing import Any, Final

from homeassistant.core import HomeAssistant

from .api import create_client, create_session, sign_server_host
from .const import CONF_CREATOR, CONF_UNIQUE_ID, LOGGER
from .webcast import (
    AgeRestrictedError,
    Creator,
    SignAPIError,
    SignAPIKeyInvalidError,
    SignatureRateLimitError,
    TikTokLiveClient,
    TikTokLiveError,
    UserNotFoundError,
    UserOfflineError,
    WebcastConnectionError,
)

__all__ = [
    "CONF_ADVANCED",
    "CONF_TRUST_SIGN_SERVER",
    "async_validate_api_key",
    "async_validate_creator",
    "async_validate_session",
    "sign_server_host",
]

CONF_ADVANCED: Final = "advanced"
CONF_TRUST_SIGN_SERVER: Final = "trust_sign_server"

HTTP_TOO_MANY_REQUESTS: Final = 429


def _error_key(err: Exception) -> str:
    """The form error for a failed check."""
    match err:
        case UserNotFoundError():
            return "user_not_found"
        case SignatureRateLimitError():
            return "rate_limited"
        case WebcastConnectionError() if err.status == HTTP_TOO_MANY_REQUESTS:
            return "rate_limited"
        case SignAPIKeyInvalidError():
            return "invalid_api_key"
        case AgeRestrictedError():
            return "invalid_session"
        case WebcastConnectionError() | SignAPIError():
            return "cannot_connect"
        case _:
            return "unknown"


async def _with_client[T](
    hass: HomeAssistant,
    data: Mapping[str, Any],
    check: Callable[[TikTokLiveClient], Awaitable[T]],
) -> tuple[T | None, dict[str, str]]:
    """Run one check on a throw-away session; map failures to a form error."""
    session = create_session(hass, auto_cleanup=False)
    try:
        return await check(create_client(data, session)), {}
    except TikTokLiveError as err:
        key = _error_key(err)
        # The form promises the details are in the log for "unknown"; the
        # client's messages never contain the key or the session.
        LOGGER.log(
            logging.WARNING if key == "unknown" else logging.DEBUG,
            "Checking the creator failed (%s): %s",
            key,
            err,
        )
        return None, {"base": key}
    except Exception:  # noqa: BLE001 - a form error beats a crashed flow
        LOGGER.exception("Unexpected error while checking the creator")
        return None, {"base": "unknown"}
    finally:
        # Home Assistant's sessions share its connector: detach, never close.
        session.detach()


async def async_validate_creator(
    hass: HomeAssistant, data: Mapping[str, Any]
) -> tuple[Creator | None, dict[str, str]]:
    """Resolve the typed creator to TikTok's account, live or not."""
    typed = data.get(CONF_CREATOR) or data.get(CONF_UNIQUE_ID) or ""
    try:
        unique_id = TikTokLiveClient.parse_unique_id(str(typed))
    except ValueError:
        return None, {CONF_CREATOR: "invalid_creator"}
    return await _with_client(
        hass, data, lambda client: client.resolve_creator(unique_id)
    )


async def async_validate_api_key(
    hass: HomeAssistant, data: Mapping[str, Any]
) -> dict[str, str]:
    """Ask the sign server whether it accepts the key."""
    _, errors = await _with_client(
        hass, data, lambda client: client.fetch_sign_rate_limits()
    )
    return errors


async def async_validate_session(
    hass: HomeAssistant, data: Mapping[str, Any]
) -> dict[str, str]:
    """With the session, the creator's room info must no longer be age restricted."""

    async def _check(client: TikTokLiveClient) -> None:
        try:
            room_id = await client.fetch_room_id(str(data[CONF_UNIQUE_ID]))
        except UserOfflineError:
            # Nothing to check against while offline; the next stream will tell.
            return
        if (await client.fetch_room_info(room_id)).withheld:
            # With a good adult session TikTok shows the room. Withheld can
            # also be a passing captcha: the form says to try again.
            raise AgeRestrictedError("TikTok still withholds the room")

    _, errors = await _with_client(hass, data, _check)
    return errors
