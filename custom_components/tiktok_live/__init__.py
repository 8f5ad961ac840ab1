"""The TikTok LIVE integration: a creator's LIVE stream as entities and events."""

from __future__ import annotations

from functools import partial

from homeassistant.const import EVENT_HOMEASSISTANT_STOP, Platform
from homeassistant.core import Event, HomeAssistant
from homeassistant.helpers import (
    config_validation as cv,
    device_registry as dr,
    issue_registry as ir,
)
from homeassistant.helpers.storage import Store
from homeassistant.helpers.typing import ConfigType

from .api import (
    async_release_session,
    create_client,
    create_session,
    sign_server_url,
)
from .const import (
    CONF_BUS_EVENT_TYPES,
    CONF_PROXY_URL,
    CONF_SIGN_API_KEY,
    CONF_UNIQUE_ID,
    DOMAIN,
    LEGACY_CONF_GIFT_STREAK_UPDATES,
    LEGACY_DEFAULT_BUS_EVENT_TYPES,
    EventType,
)
from .coordinator import STORAGE_VERSION, TikTokLiveConfigEntry, TikTokLiveCoordinator
from .failures import ALL_ISSUES, DATA_EVIDENCE, issue_id
from .services import async_setup_services
from .shared import async_acquire_gate, async_get_shared

PLATFORMS: tuple[Platform, ...] = (
    Platform.BINARY_SENSOR,
    Platform.EVENT,
    Platform.NUMBER,
    Platform.SENSOR,
)

CONFIG_SCHEMA = cv.config_entry_only_config_schema(DOMAIN)


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """Register the integration's actions once, whatever the number of entries."""
    async_setup_services(hass)
    return True


async def async_setup_entry(hass: HomeAssistant, entry: TikTokLiveConfigEntry) -> bool:
    """Check the creator, then keep their stream connected in the background."""
    proxy = entry.options.get(CONF_PROXY_URL)
    session = create_session(hass, proxy=proxy)
    entry.async_on_unload(partial(async_release_session, session, proxy))
    client = create_client(
        entry.data, session, pacer=async_get_shared(hass).pacer, proxy=proxy
    )
    gate, bulk_watch, release_shared = async_acquire_gate(
        hass,
        entry.entry_id,
        sign_server_url(entry.data),
        entry.data.get(CONF_SIGN_API_KEY),
        client.bulk_live_check,
    )
    entry.async_on_unload(release_shared)
    coordinator = TikTokLiveCoordinator(hass, entry, client, gate, bulk_watch)
    entry.async_on_unload(coordinator.async_shutdown)
    # The device first: the setup check can already fire stream_started.
    device = dr.async_get(hass).async_get_or_create(
        config_entry_id=entry.entry_id,
        identifiers={(DOMAIN, str(entry.unique_id))},
        name=entry.title,
        manufacturer="TikTok",
        model="LIVE creator",
        entry_type=dr.DeviceEntryType.SERVICE,
        configuration_url=f"https://www.tiktok.com/@{entry.data[CONF_UNIQUE_ID]}/live",
    )
    coordinator.device_id = device.id
    await coordinator.async_config_entry_first_refresh()
    entry.runtime_data = coordinator

    await hass.config_entries.async_forward_entry_setups(entry, PLATFORMS)

    entry.async_create_background_task(
        hass, coordinator.async_run(), f"{DOMAIN} connection @{coordinator.unique_id}"
    )

    async def _async_stop(_event: Event) -> None:
        await coordinator.async_shutdown()

    # Not listen_once: a once-listener removes itself when it fires, and the
    # unload after Home Assistant's stop would then remove it a second time.
    entry.async_on_unload(hass.bus.async_listen(EVENT_HOMEASSISTANT_STOP, _async_stop))
    entry.async_on_unload(entry.add_update_listener(_async_entry_updated))
    return True


async def _async_entry_updated(
    hass: HomeAssistant, entry: TikTokLiveConfigEntry
) -> None:
    """New options apply at once; new connection data (or proxy) needs a fresh start."""
    coordinator = entry.runtime_data
    if coordinator.needs_reload(entry):
        hass.config_entries.async_schedule_reload(entry.entry_id)
    else:
        coordinator.async_options_updated()


async def async_migrate_entry(
    hass: HomeAssistant, entry: TikTokLiveConfigEntry
) -> bool:
    """Options of earlier versions: the streak switch folds into the event types (2).

    Minor version 3 adds goal_reached to the event types an entry chose.

    An entry that never saved its options keeps the event types it fired
    (then all but joins): an upgrade never silences an automation.
    """
    if entry.version > 1:
        return False  # a newer integration wrote it: nothing to do here
    if entry.minor_version < 2:
        options = dict(entry.options)
        streak_updates = bool(options.pop(LEGACY_CONF_GIFT_STREAK_UPDATES, False))
        types = list(options.get(CONF_BUS_EVENT_TYPES, LEGACY_DEFAULT_BUS_EVENT_TYPES))
        options[CONF_BUS_EVENT_TYPES] = [
            t for t in types if t != EventType.GIFT_STREAK or streak_updates
        ]
        hass.config_entries.async_update_entry(entry, options=options, minor_version=2)
    if entry.minor_version < 3:
        # Goals are new: an entry that chose its events gets goal_reached too
        # (nothing fires until the user sets a goal).
        options = dict(entry.options)
        if CONF_BUS_EVENT_TYPES in options:
            types = list(options[CONF_BUS_EVENT_TYPES])
            if EventType.GOAL_REACHED not in types:
                options[CONF_BUS_EVENT_TYPES] = [*types, EventType.GOAL_REACHED.value]
        hass.config_entries.async_update_entry(entry, options=options, minor_version=3)
    return True


async def async_unload_entry(hass: HomeAssistant, entry: TikTokLiveConfigEntry) -> bool:
    """Close the connection and stop every timer."""
    # The coordinator's shutdown (socket, timers) runs as an unload callback.
    return await hass.config_entries.async_unload_platforms(entry, PLATFORMS)


async def async_remove_entry(hass: HomeAssistant, entry: TikTokLiveConfigEntry) -> None:
    """Forget the stored statistics and any open repair issue."""
    await Store[dict[str, object]](
        hass, STORAGE_VERSION, f"{DOMAIN}.{entry.entry_id}"
    ).async_remove()
    for key in ALL_ISSUES:
        ir.async_delete_issue(hass, DOMAIN, issue_id(key, entry.entry_id))
    hass.data.get(DATA_EVIDENCE, {}).pop(entry.entry_id, None)
