"""Diagnostics: what a bug report needs, with the secrets taken out."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from homeassistant.components.diagnostics import async_redact_data
from homeassistant.core import HomeAssistant

from .const import CONF_PROXY_URL, CONF_SESSION_ID, CONF_SIGN_API_KEY
from .coordinator import TikTokLiveConfigEntry
from .webcast.proxy import proxy_name

TO_REDACT = {CONF_SIGN_API_KEY, CONF_SESSION_ID}


async def async_get_config_entry_diagnostics(
    hass: HomeAssistant, entry: TikTokLiveConfigEntry
) -> dict[str, Any]:
    """Return the state of one creator's connection."""
    coordinator = entry.runtime_data
    data = coordinator.data
    supervisor = coordinator.supervisor
    connection = supervisor.connection
    failures = coordinator.failures
    return {
        "entry": {
            "title": entry.title,
            "data": async_redact_data(dict(entry.data), TO_REDACT),
            # The proxy by scheme, host and port: its URL may hold a password.
            "options": dict(entry.options)
            | (
                {CONF_PROXY_URL: proxy_name(entry.options[CONF_PROXY_URL])}
                if entry.options.get(CONF_PROXY_URL)
                else {}
            ),
        },
        "connection_state": coordinator.connection_state.value,
        "is_live": coordinator.model.is_live,
        "paused": coordinator.model.paused,
        "activity": supervisor.activity.value,
        "connections_opened": supervisor.connections_opened,
        "failing_since": failures.failing_since.isoformat()
        if failures.failing_since
        else None,
        "failure_shown": failures.degraded,
        "retry_at": failures.retry_at.isoformat() if failures.retry_at else None,
        "last_errors": [
            {"at": err.at.isoformat(), "error": err.error, "message": err.message}
            for err in failures.errors
        ],
        "recent_message_ids": len(coordinator.model.recent),
        "connection_method": {
            "setting": coordinator.connection_method.value,
            "in_use": coordinator.methods.in_use,
            "last_working": coordinator.methods.last_working,
            "recent_refusals": {
                method.value: [
                    {"at": refusal.at.isoformat(), "error": refusal.error}
                    for refusal in refusals
                ]
                for method, refusals in coordinator.methods.refusals.items()
            },
        },
        "events_fired": dict(coordinator.event_counts),
        "stream": {
            key: value
            for key, value in data.stats.as_dict().items()
            # Viewers' names are other people's data: counts are enough here.
            if key != "gifters"
        }
        | {"gifters": len(data.stats.gifters)},
        "socket": asdict(connection.stats) if connection is not None else None,
    }
