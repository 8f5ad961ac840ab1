"""Base entity of the TikTok LIVE integration."""

from __future__ import annotations

from homeassistant.helpers.device_registry import DeviceEntryType, DeviceInfo
from homeassistant.helpers.entity import EntityDescription
from homeassistant.helpers.update_coordinator import CoordinatorEntity

from .const import CONF_UNIQUE_ID, DOMAIN, ConnectionState
from .coordinator import TikTokLiveCoordinator

# While these last, nobody can tell whether the creator is live.
UNKNOWABLE_STATES = frozenset(
    {
        ConnectionState.RATE_LIMITED,
        ConnectionState.BLOCKED,
        ConnectionState.AUTH_REQUIRED,
        ConnectionState.ERROR,
    }
)


class TikTokLiveEntity(CoordinatorEntity[TikTokLiveCoordinator]):
    """An entity of one creator's device."""

    _attr_has_entity_name = True

    def __init__(
        self, coordinator: TikTokLiveCoordinator, description: EntityDescription
    ) -> None:
        """Attach the entity to the creator's device."""
        super().__init__(coordinator)
        self.entity_description = description
        entry = coordinator.config_entry
        self._attr_unique_id = f"{entry.unique_id}_{description.key}"
        handle = entry.data[CONF_UNIQUE_ID]
        self._attr_device_info = DeviceInfo(
            identifiers={(DOMAIN, str(entry.unique_id))},
            name=entry.title,
            manufacturer="TikTok",
            model="LIVE creator",
            entry_type=DeviceEntryType.SERVICE,
            configuration_url=f"https://www.tiktok.com/@{handle}/live",
        )

    @property
    def available(self) -> bool:
        """Unavailable only while the integration cannot know the stream's state."""
        return self.coordinator.data.connection_state not in UNKNOWABLE_STATES
