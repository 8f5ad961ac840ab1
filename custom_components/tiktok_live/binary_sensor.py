"""The Live binary sensor."""

from __future__ import annotations

from homeassistant.components.binary_sensor import (
    BinarySensorEntity,
    BinarySensorEntityDescription,
)
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .coordinator import TikTokLiveConfigEntry
from .entity import TikTokLiveEntity

# State writes are coalesced by the coordinator; nothing is polled.
PARALLEL_UPDATES = 0

# No device class: "Live" / "Offline" (translated states) say it better than
# any of the generic on/off wordings.
LIVE = BinarySensorEntityDescription(key="live", translation_key="live")


async def async_setup_entry(
    hass: HomeAssistant,
    entry: TikTokLiveConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the Live binary sensor."""
    async_add_entities([TikTokLiveBinarySensor(entry.runtime_data, LIVE)])


class TikTokLiveBinarySensor(TikTokLiveEntity, BinarySensorEntity):
    """On while the creator is streaming."""

    @property
    def is_on(self) -> bool | None:
        """Whether the creator is live; unknown before the first check."""
        return self.coordinator.data.is_live

    @property
    def available(self) -> bool:
        """Unavailable only while nobody can tell whether the creator is live.

        A sign server that fails does not make the live check wrong: Live
        stays on (and "went live" automations quiet) while the stream's
        other entities wait for the connection.
        """
        return self.coordinator.data.live_known
