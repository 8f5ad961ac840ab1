"""Tests of the TikTok LIVE client against the fake TikTok over loopback."""
