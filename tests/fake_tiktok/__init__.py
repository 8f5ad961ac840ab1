"""A faithful fake of TikTok LIVE for tests and the demo (see server.py)."""

from __future__ import annotations

from . import messages
from .scenario import Scenario, run_scenario
from .server import (
    FakeCreator,
    FakeRoom,
    FakeSocket,
    FakeTikTok,
    Request,
    SignReply,
    WsReply,
)

__all__ = [
    "FakeCreator",
    "FakeRoom",
    "FakeSocket",
    "FakeTikTok",
    "Request",
    "Scenario",
    "SignReply",
    "WsReply",
    "messages",
    "run_scenario",
]
