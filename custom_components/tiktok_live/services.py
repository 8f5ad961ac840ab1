"""The tiktok_live.simulate_event action: test automations while nobody is live."""

from __future__ import annotations

from typing import Final

from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant, ServiceCall, callback
from homeassistant.exceptions import ServiceValidationError

from .compat import vol
from .const import DOMAIN
from .coordinator import TikTokLiveConfigEntry
from .webcast import (
    CommentEvent,
    FollowEvent,
    GiftEvent,
    LikeEvent,
    ShareEvent,
    WebcastEvent,
    WebcastUser,
)

SERVICE_SIMULATE_EVENT: Final = "simulate_event"

ATTR_CONFIG_ENTRY_ID: Final = "config_entry_id"
ATTR_TYPE: Final = "type"
ATTR_GIFT_NAME: Final = "gift_name"
ATTR_GIFT_ID: Final = "gift_id"
ATTR_DIAMONDS: Final = "diamonds"
ATTR_COUNT: Final = "count"
ATTR_TEXT: Final = "text"
ATTR_NICKNAME: Final = "nickname"
ATTR_UNIQUE_ID: Final = "unique_id"

SIMULATED_TYPES: Final = ("gift", "follow", "like", "comment", "share")
# TikTok's Rose: the most common gift, worth one diamond.
ROSE_ID: Final = 5655

SIMULATE_SCHEMA: Final = vol.Schema(
    {
        vol.Required(ATTR_CONFIG_ENTRY_ID): str,
        vol.Required(ATTR_TYPE): vol.In(SIMULATED_TYPES),
        vol.Optional(ATTR_GIFT_NAME, default="Rose"): vol.All(
            str, vol.Length(min=1, max=64)
        ),
        vol.Optional(ATTR_GIFT_ID, default=ROSE_ID): vol.All(
            vol.Coerce(int), vol.Range(min=1)
        ),
        vol.Optional(ATTR_DIAMONDS, default=1): vol.All(
            vol.Coerce(int), vol.Range(min=1, max=100_000)
        ),
        vol.Optional(ATTR_COUNT, default=1): vol.All(
            vol.Coerce(int), vol.Range(min=1, max=10_000)
        ),
        vol.Optional(ATTR_TEXT, default="Hello from Home Assistant!"): vol.All(
            str, vol.Length(max=500)
        ),
        vol.Optional(ATTR_NICKNAME, default="Simulated viewer"): vol.All(
            str, vol.Length(min=1, max=64)
        ),
        vol.Optional(ATTR_UNIQUE_ID, default="simulated_viewer"): vol.All(
            str, vol.Length(min=1, max=64)
        ),
    }
)


def _event_from_call(data: dict[str, object]) -> WebcastEvent:
    """Build the event the client would have produced for this action call."""
    user = WebcastUser(
        user_id=0,
        unique_id=str(data[ATTR_UNIQUE_ID]),
        nickname=str(data[ATTR_NICKNAME]),
    )
    count = int(str(data[ATTR_COUNT]))
    match data[ATTR_TYPE]:
        case "gift":
            return GiftEvent(
                user=user,
                gift_id=int(str(data[ATTR_GIFT_ID])),
                gift_name=str(data[ATTR_GIFT_NAME]),
                diamond_count=int(str(data[ATTR_DIAMONDS])),
                repeat_count=count,
                repeat_end=True,
                streakable=True,
            )
        case "like":
            return LikeEvent(user=user, count=count, total=0)
        case "comment":
            return CommentEvent(user=user, text=str(data[ATTR_TEXT]))
        case "share":
            return ShareEvent(user=user)
        case _:
            return FollowEvent(user=user)


@callback
def async_setup_services(hass: HomeAssistant) -> None:
    """Register the integration's actions."""

    @callback
    def _async_simulate_event(call: ServiceCall) -> None:
        entry_id = call.data[ATTR_CONFIG_ENTRY_ID]
        entry: TikTokLiveConfigEntry | None = hass.config_entries.async_get_entry(
            entry_id
        )
        if entry is None or entry.domain != DOMAIN:
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key="entry_not_found",
                translation_placeholders={"entry_id": entry_id},
            )
        if entry.state is not ConfigEntryState.LOADED:
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key="entry_not_loaded",
                translation_placeholders={"title": entry.title},
            )
        entry.runtime_data.async_handle_simulated(_event_from_call(dict(call.data)))

    hass.services.async_register(
        DOMAIN, SERVICE_SIMULATE_EVENT, _async_simulate_event, schema=SIMULATE_SCHEMA
    )
