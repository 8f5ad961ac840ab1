"""Sensors: viewers and per-stream totals, top gifter, title, start and connection."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from homeassistant.components.sensor import (
    SensorDeviceClass,
    SensorEntity,
    SensorEntityDescription,
    SensorStateClass,
)
from homeassistant.const import PERCENTAGE, EntityCategory
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .const import ConnectionState
from .coordinator import TikTokLiveConfigEntry, TikTokLiveData
from .entity import TikTokLiveEntity
from .goals import GoalKind

PARALLEL_UPDATES = 0

type SensorValue = str | int | float | datetime | None

# The stream's top 10 gifters: on the Top gifter sensor, kept out of the
# recorder (a list that changes with every big gift, that nobody charts).
TOP_GIFTERS_ATTRIBUTE = "top_gifters"


@dataclass(frozen=True, kw_only=True)
class TikTokLiveSensorEntityDescription(SensorEntityDescription):
    """How one sensor reads its value from the coordinator's data."""

    value_fn: Callable[[TikTokLiveData], SensorValue]
    attributes_fn: Callable[[TikTokLiveData], Mapping[str, Any] | None] = lambda _: None
    always_available: bool = False


def _top_gifter_attributes(data: TikTokLiveData) -> Mapping[str, Any] | None:
    if (gifter := data.stats.top_gifter) is None:
        return None
    return {
        "diamonds": gifter.diamonds,
        "gifts": gifter.gifts,
        "user_id": gifter.user_id,
        "unique_id": gifter.unique_id,
        # TOP_GIFTERS_ATTRIBUTE, not recorded: it changes with every big gift.
        "top_gifters": data.stats.leaderboard(),
    }


def _goal_progress(kind: GoalKind) -> TikTokLiveSensorEntityDescription:
    """Percent of a goal this stream reached; unknown while the goal is off."""
    return TikTokLiveSensorEntityDescription(
        key=f"{kind.value}_goal_progress",
        translation_key=f"{kind.value}_goal_progress",
        native_unit_of_measurement=PERCENTAGE,
        suggested_display_precision=0,
        value_fn=lambda data: data.goals.progress(kind, data.stats),
        attributes_fn=_goal_attributes(kind),
    )


def _goal_attributes(
    kind: GoalKind,
) -> Callable[[TikTokLiveData], Mapping[str, Any] | None]:
    def attributes(data: TikTokLiveData) -> Mapping[str, Any] | None:
        return {
            "target": data.goals.targets[kind],
            "reached": kind in data.goals.reached,
        }

    return attributes


def _per_stream(
    key: str, value_fn: Callable[[TikTokLiveData], int]
) -> TikTokLiveSensorEntityDescription:
    return TikTokLiveSensorEntityDescription(
        key=key,
        translation_key=key,
        state_class=SensorStateClass.TOTAL_INCREASING,
        value_fn=value_fn,
    )


def _connection_attributes(data: TikTokLiveData) -> dict[str, Any]:
    """The way the current (or last) connection was opened: direct or sign_server."""
    return {"connection_method": data.connection_method}


SENSORS: tuple[TikTokLiveSensorEntityDescription, ...] = (
    TikTokLiveSensorEntityDescription(
        key="viewers",
        translation_key="viewers",
        state_class=SensorStateClass.MEASUREMENT,
        value_fn=lambda data: data.stats.viewers if data.is_live else 0,
    ),
    TikTokLiveSensorEntityDescription(
        key="peak_viewers",
        translation_key="peak_viewers",
        state_class=SensorStateClass.MEASUREMENT,
        value_fn=lambda data: data.stats.peak_viewers,
    ),
    _per_stream("likes", lambda data: data.stats.likes),
    _per_stream("diamonds", lambda data: data.stats.diamonds),
    _per_stream("gifts", lambda data: data.stats.gifts),
    _per_stream("new_followers", lambda data: data.stats.new_followers),
    _per_stream("shares", lambda data: data.stats.shares),
    _per_stream("comments", lambda data: data.stats.comments),
    TikTokLiveSensorEntityDescription(
        key="top_gifter",
        translation_key="top_gifter",
        value_fn=lambda data: (
            g.nickname or g.unique_id if (g := data.stats.top_gifter) else None
        ),
        attributes_fn=_top_gifter_attributes,
    ),
    *(_goal_progress(kind) for kind in GoalKind),
    TikTokLiveSensorEntityDescription(
        key="stream_title",
        translation_key="stream_title",
        value_fn=lambda data: data.stats.title,
    ),
    TikTokLiveSensorEntityDescription(
        key="stream_started",
        translation_key="stream_started",
        device_class=SensorDeviceClass.TIMESTAMP,
        value_fn=lambda data: data.stats.started_at,
    ),
    TikTokLiveSensorEntityDescription(
        key="connection",
        translation_key="connection",
        device_class=SensorDeviceClass.ENUM,
        options=[state.value for state in ConnectionState],
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=lambda data: data.connection_state.value,
        attributes_fn=_connection_attributes,
        always_available=True,
    ),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: TikTokLiveConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the creator's sensors."""
    coordinator = entry.runtime_data
    async_add_entities(
        TikTokLiveSensor(coordinator, description) for description in SENSORS
    )


class TikTokLiveSensor(TikTokLiveEntity, SensorEntity):
    """A sensor fed by the coordinator."""

    entity_description: TikTokLiveSensorEntityDescription
    _unrecorded_attributes = frozenset({TOP_GIFTERS_ATTRIBUTE})

    @property
    def native_value(self) -> SensorValue:
        """The sensor's value."""
        return self.entity_description.value_fn(self.coordinator.data)

    @property
    def extra_state_attributes(self) -> Mapping[str, Any] | None:
        """Extra details (the top gifter's diamonds)."""
        return self.entity_description.attributes_fn(self.coordinator.data)

    @property
    def available(self) -> bool:
        """The Connection sensor explains unavailability, so it never is."""
        return self.entity_description.always_available or super().available
