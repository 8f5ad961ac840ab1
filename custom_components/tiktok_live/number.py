"""Number entities: the stream goals a streamer sets (likes, diamonds, new followers)."""

from __future__ import annotations

from dataclasses import dataclass

from homeassistant.components.number import (
    NumberEntity,
    NumberEntityDescription,
    NumberMode,
)
from homeassistant.const import EntityCategory
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .coordinator import TikTokLiveConfigEntry
from .entity import TikTokLiveEntity
from .goals import MAX_GOAL, GoalKind

PARALLEL_UPDATES = 0


@dataclass(frozen=True, kw_only=True)
class GoalEntityDescription(NumberEntityDescription):
    """A goal's number entity."""

    goal: GoalKind


GOALS: tuple[GoalEntityDescription, ...] = tuple(
    GoalEntityDescription(
        key=f"{kind.value}_goal",
        translation_key=f"{kind.value}_goal",
        goal=kind,
        entity_category=EntityCategory.CONFIG,
        native_min_value=0,
        native_max_value=MAX_GOAL,
        native_step=1,
        mode=NumberMode.BOX,
    )
    for kind in GoalKind
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: TikTokLiveConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the creator's goal settings."""
    coordinator = entry.runtime_data
    async_add_entities(
        TikTokLiveGoal(coordinator, description) for description in GOALS
    )


class TikTokLiveGoal(TikTokLiveEntity, NumberEntity):
    """One goal's target for a stream; 0 turns the goal off."""

    entity_description: GoalEntityDescription

    @property
    def native_value(self) -> float:
        """The target (0: off)."""
        return self.coordinator.data.goals.targets[self.entity_description.goal]

    @property
    def available(self) -> bool:
        """A goal can be set whatever the connection does."""
        return True

    async def async_set_native_value(self, value: float) -> None:
        """Set the goal; a goal the stream already passed is reached at once."""
        self.coordinator.async_set_goal(self.entity_description.goal, int(value))
