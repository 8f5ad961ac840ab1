"""A faithful fake of TikTok LIVE for tests and the demo.

``FakeTikTok`` (server.py) serves TikTok web, the webcast API, a sign server and
the push WebSocket on 127.0.0.1; ``messages`` builds wire messages; ``faults``
injects every failure; ``scenario`` scripts whole streams; ``demo`` loops one::

    async with FakeTikTok(ping_interval=0.05) as fake:    # port 0: a free port
        client = TikTokLiveClient(session, web_url=fake.web_url,
                                  webcast_url=fake.webcast_url,
                                  sign_server_url=fake.sign_server_url)
        creator = fake.add_creator("streamer", user_id=1, nickname="S")  # offline
        creator.go_live(title="Hi", viewers=5)       # a new room id each time
        connection = await client.connect("streamer")
        socket = await fake.wait_entered(creator)    # the client sent im_enter_room
        [log_id] = await fake.push(creator, messages.gift(fan, "Rose"), need_ack=True)
        mod = messages.viewer(7002, "mia", "Mia", moderator=True, follower=True)
        await fake.push(creator, messages.comment(mod, "hi"))  # with UserIdentity
        await fake.push(creator, messages.gift(mod, "Rose", image=True))
        await fake.wait_for_ack(socket, log_id)
        assert await fake.wait_for_heartbeats(socket, 3) == [1, 2, 3]
        fake.faults.sign_fetch.once(faults.rate_limited(remaining=30))  # next only
        fake.faults.ws_handshake.always(faults.blocked(200, "illegal secret key"))
        fake.faults.socket.once(faults.close(4001))  # the next socket, once entered
        await fake.inject(creator, faults.gzip_bomb())  # open sockets, now
        fake.faults.clear()
        await creator.end_stream()                   # control 3, then offline
        await run_scenario(fake, creator, demo_stream(1))  # instantly
        gifts = await client.fetch_gifts(room_id)    # fake.gift_catalog
        fake.room_gift_list = False                  # 404: the client asks /webcast/gifts
        fake.faults.sign_gifts.once(faults.sign_status(500))

``fake.requests`` records every HTTP request; ``socket.received`` every frame a
client sent. ``python -m tests.fake_tiktok --port 8765`` serves the demo.
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
from .messages import Viewer
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
    "Viewer",
    "WsReply",
    "faults",
    "messages",
    "run_scenario",
]
