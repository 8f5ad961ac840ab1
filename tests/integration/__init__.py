"""Tests of the Home Assistant integration, driven through hass and the fake TikTok."""
