"""Reuse the test fixtures: a real hass and the fake TikTok."""

from __future__ import annotations

from tests.conftest import auto_enable_custom_integrations
from tests.integration.conftest import (
    bus_events,
    creator,
    fake_tiktok,
    mock_config_entry,
)

__all__ = [
    "auto_enable_custom_integrations",
    "bus_events",
    "creator",
    "fake_tiktok",
    "mock_config_entry",
]
