"""Tests for the tiktok_live integration and its TikTok LIVE client."""
