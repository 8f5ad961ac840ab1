"""Actions: simulate_event (test automations while nobody is live) and get_gifts."""

from __future__ import annotations

from typing import Any, Final

from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import (
    HomeAssistant,
    ServiceCall,
    ServiceResponse,
    SupportsResponse,
    callback,
)
from homeassistant.exceptions import ServiceValidationError

from .compat import vol
from .const import DOMAIN
from .coordinator import TikTokLiveConfigEntry
from .goals import MAX_GOAL, GoalKind
from .webcast import (
    CommentEvent,
    FollowEvent,
    GiftEvent,
    LikeEvent,
    ShareEvent,
    SubscribeEvent,
    WebcastEvent,
    WebcastUser,
)


def _flag(data: dict[str, object], key: str) -> bool | None:
    value = data.get(key)
    return bool(value) if value is not None else None


SERVICE_SIMULATE_EVENT: Final = "simulate_event"
SERVICE_GET_GIFTS: Final = "get_gifts"

ATTR_CONFIG_ENTRY_ID: Final = "config_entry_id"
ATTR_TYPE: Final = "type"
ATTR_GIFT_NAME: Final = "gift_name"
ATTR_GIFT_ID: Final = "gift_id"
ATTR_DIAMONDS: Final = "diamonds"
ATTR_COUNT: Final = "count"
ATTR_TEXT: Final = "text"
ATTR_NICKNAME: Final = "nickname"
ATTR_UNIQUE_ID: Final = "unique_id"
ATTR_IS_MODERATOR: Final = "is_moderator"
ATTR_IS_SUBSCRIBER: Final = "is_subscriber"
ATTR_IS_FOLLOWER: Final = "is_follower"
ATTR_TOP_GIFTER_RANK: Final = "top_gifter_rank"
ATTR_GIFT_IMAGE_URL: Final = "gift_image_url"
ATTR_GOAL: Final = "goal"
ATTR_TARGET: Final = "target"

SIMULATED_TYPES: Final = (
    "gift",
    "follow",
    "like",
    "comment",
    "share",
    "subscribe",
    "goal_reached",
)
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
        # Who the viewer is; left out, the event does not say (as TikTok may not).
        vol.Optional(ATTR_IS_MODERATOR): bool,
        vol.Optional(ATTR_IS_SUBSCRIBER): bool,
        vol.Optional(ATTR_IS_FOLLOWER): bool,
        vol.Optional(ATTR_TOP_GIFTER_RANK): vol.All(
            vol.Coerce(int), vol.Range(min=1, max=10)
        ),
        vol.Optional(ATTR_GIFT_IMAGE_URL): vol.All(vol.Url(), vol.Length(max=2048)),
        vol.Optional(ATTR_GOAL, default=GoalKind.LIKES.value): vol.In(
            [kind.value for kind in GoalKind]
        ),
        vol.Optional(ATTR_TARGET, default=1000): vol.All(
            vol.Coerce(int), vol.Range(min=1, max=MAX_GOAL)
        ),
    }
)
GET_GIFTS_SCHEMA: Final = vol.Schema({vol.Required(ATTR_CONFIG_ENTRY_ID): str})


def _event_from_call(data: dict[str, object]) -> WebcastEvent:
    """Build the event the client would have produced for this action call."""
    user = WebcastUser(
        user_id=0,
        unique_id=str(data[ATTR_UNIQUE_ID]),
        nickname=str(data[ATTR_NICKNAME]),
        is_moderator=_flag(data, ATTR_IS_MODERATOR),
        is_subscriber=_flag(data, ATTR_IS_SUBSCRIBER),
        is_follower=_flag(data, ATTR_IS_FOLLOWER),
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
                image_url=str(data[ATTR_GIFT_IMAGE_URL])
                if data.get(ATTR_GIFT_IMAGE_URL)
                else None,
            )
        case "like":
            return LikeEvent(user=user, count=count, total=0)
        case "comment":
            return CommentEvent(user=user, text=str(data[ATTR_TEXT]))
        case "share":
            return ShareEvent(user=user)
        case "subscribe":
            return SubscribeEvent(user=user, sub_month=1)
        case _:
            return FollowEvent(user=user)


def _loaded_entry(hass: HomeAssistant, entry_id: str) -> TikTokLiveConfigEntry:
    """The loaded entry an action names, or a clear error."""
    entry: TikTokLiveConfigEntry | None = hass.config_entries.async_get_entry(entry_id)
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
    return entry


@callback
def async_setup_services(hass: HomeAssistant) -> None:
    """Register the integration's actions."""

    @callback
    def _async_simulate_event(call: ServiceCall) -> None:
        coordinator = _loaded_entry(hass, call.data[ATTR_CONFIG_ENTRY_ID]).runtime_data
        data = dict(call.data)
        if data[ATTR_TYPE] == "goal_reached":
            coordinator.async_simulate_goal(
                GoalKind(data[ATTR_GOAL]), int(data[ATTR_TARGET])
            )
            return
        extra: dict[str, Any] = {}
        if ATTR_TOP_GIFTER_RANK in data:
            extra[ATTR_TOP_GIFTER_RANK] = int(data[ATTR_TOP_GIFTER_RANK])
        coordinator.async_handle_simulated(_event_from_call(data), extra)

    async def _async_get_gifts(call: ServiceCall) -> ServiceResponse:
        coordinator = _loaded_entry(hass, call.data[ATTR_CONFIG_ENTRY_ID]).runtime_data
        return await coordinator.async_get_gifts()

    hass.services.async_register(
        DOMAIN, SERVICE_SIMULATE_EVENT, _async_simulate_event, schema=SIMULATE_SCHEMA
    )
    hass.services.async_register(
        DOMAIN,
        SERVICE_GET_GIFTS,
        _async_get_gifts,
        schema=GET_GIFTS_SCHEMA,
        supports_response=SupportsResponse.ONLY,
    )
