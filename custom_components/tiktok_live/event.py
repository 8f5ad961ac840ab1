"""Event entities: the last gift, follow, like, comment ... of the creator's stream."""

from __future__ import annotations

from typing import Any

from homeassistant.components.event import EventEntity, EventEntityDescription
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .const import EventType
from .coordinator import EVENT_ENTITY_TYPES, TikTokLiveConfigEntry
from .entity import TikTokLiveEntity
from .goals import GoalKind

PARALLEL_UPDATES = 0


def _description(key: str) -> EventEntityDescription:
    return EventEntityDescription(
        key=key,
        translation_key=key,
        event_types=[kind.value for kind in GoalKind]
        if key == "goal"
        else [
            entity_type
            for entity_key, entity_type in EVENT_ENTITY_TYPES.values()
            if entity_key == key
        ],
        # Every event is fired on the bus, where it is stored once and told
        # in the logbook; an event entity would store it a second time. So
        # they are opt-in: enable one where a state trigger or a dashboard
        # card suits better than the bus.
        entity_registry_enabled_default=False,
    )


EVENTS: tuple[EventEntityDescription, ...] = (
    _description("gift"),
    _description("follow"),
    _description("share"),
    _description("like"),
    _description("comment"),
    _description("join"),
    _description("subscribe"),
    _description("stream"),
    _description("goal"),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: TikTokLiveConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the creator's event entities."""
    coordinator = entry.runtime_data
    async_add_entities(
        TikTokLiveEventEntity(coordinator, description) for description in EVENTS
    )


class TikTokLiveEventEntity(TikTokLiveEntity, EventEntity):
    """Shows the last event of one kind, with its data as attributes."""

    async def async_added_to_hass(self) -> None:
        """Listen to the coordinator's events, not to its state writes."""
        await super().async_added_to_hass()
        self.async_on_remove(
            self.coordinator.async_add_event_listener(self._async_handle_event)
        )

    @callback
    def _async_handle_coordinator_update(self) -> None:
        """State writes carry no event: only availability can change here."""
        if self.available != self._attr_available_last:
            self._attr_available_last = self.available
            self.async_write_ha_state()

    _attr_available_last = True

    @callback
    def _async_handle_event(self, event_type: EventType, data: dict[str, Any]) -> None:
        entity_key, entity_event_type = EVENT_ENTITY_TYPES[event_type]
        if entity_key != self.entity_description.key:
            return
        if event_type is EventType.GOAL_REACHED:
            entity_event_type = data["goal"]
        self._trigger_event(entity_event_type, data)
        # Every event is written at once: coalescing applies to sensors only.
        self.async_write_ha_state()
