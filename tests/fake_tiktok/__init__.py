"""A faithful fake of TikTok LIVE for tests and the demo.

``FakeTikTok`` (server.py) serves TikTok web, the webcast API, a sign server and
the push WebSocket on loopback; ``messages`` builds wire messages; ``faults``
injects every failure; ``scenario`` scripts whole streams; ``demo`` loops one.
"""

from __future__ import annotations

from . import faults, messages
from .faults import (
    ApiFault,
    Faults,
    FaultSlot,
    HttpStatus,
    PageFault,
    RoomInfoFault,
    SignReply,
    SignUrlReply,
    SocketFault,
    SocketFaultKind,
    WsReply,
)
from .recording import Request
from .scenario import Expected, Scenario, run_scenario
from .server import FakeSocket, FakeTikTok
from .state import ROOM_STATUS_LIVE, ROOM_STATUS_OFFLINE, FakeCreator, FakeRoom

__all__ = [
    "ROOM_STATUS_LIVE",
    "ROOM_STATUS_OFFLINE",
    "ApiFault",
    "Expected",
    "FakeCreator",
    "FakeRoom",
    "FakeSocket",
    "FakeTikTok",
    "FaultSlot",
    "Faults",
    "HttpStatus",
    "PageFault",
    "Request",
    "RoomInfoFault",
    "Scenario",
    "SignReply",
    "SignUrlReply",
    "SocketFault",
    "SocketFaultKind",
    "WsReply",
    "faults",
    "messages",
    "run_scenario",
]
