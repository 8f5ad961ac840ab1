"""Creators and their rooms, as the fake TikTok knows them."""

from __future__ import annotations

from dataclasses import dataclass
import time
from typing import TYPE_CHECKING

from custom_components.tiktok_live.webcast.proto import webcast_pb2 as pb

from . import messages

if TYPE_CHECKING:
    from .server import FakeTikTok

ROOM_STATUS_LIVE = 2
ROOM_STATUS_PAUSED = 3
ROOM_STATUS_OFFLINE = 4


@dataclass
class FakeRoom:
    """One stream: a room id, its title, its viewers and likes."""

    room_id: str
    title: str
    viewers: int
    created_at: int
    likes: int = 0
    paused: bool = False
    ended: bool = False


class FakeCreator:
    """A TikTok account that can go live (a new room each time) and go offline."""

    def __init__(
        self, fake: FakeTikTok, unique_id: str, user_id: int, nickname: str
    ) -> None:
        self._fake = fake
        self.unique_id = unique_id
        self.user_id = user_id
        self.nickname = nickname
        self.room: FakeRoom | None = None
        self.last_room: FakeRoom | None = None
        self.rooms: list[FakeRoom] = []
        # Room info asks for a signed-in adult unless a valid session is sent.
        self.age_restricted = False
        # Messages the first fetch result of a connection carries ("history").
        self.history: list[pb.WireMessage] = []

    def __repr__(self) -> str:
        state = f"live in {self.room.room_id}" if self.room else "offline"
        return f"<FakeCreator @{self.unique_id} {state}>"

    @property
    def is_live(self) -> bool:
        """Whether the creator streams right now."""
        return self.room is not None

    @property
    def status(self) -> int:
        """TikTok's room status: 2 live, 3 paused, 4 offline."""
        if self.room is None:
            return ROOM_STATUS_OFFLINE
        return ROOM_STATUS_PAUSED if self.room.paused else ROOM_STATUS_LIVE

    def go_live(self, *, title: str = "", viewers: int = 0) -> FakeRoom:
        """Start a new stream with a new room id (and no history yet)."""
        self.room = FakeRoom(
            room_id=str(next(self._fake.room_ids)),
            title=title,
            viewers=viewers,
            created_at=int(time.time()),
        )
        self.last_room = self.room
        self.rooms.append(self.room)
        self.history = []
        self._fake.changed()
        return self.room

    def go_offline(self) -> None:
        """Stop streaming without telling open sockets (they stay open)."""
        if self.room is not None:
            self.room.ended = True
        self.room = None
        self._fake.changed()

    async def end_stream(self, action: int = 3) -> None:
        """End the stream as TikTok does: control 3 (or 4, suspended), then offline."""
        await self._fake.push(self, messages.control(action))
        self.go_offline()

    async def set_viewers(self, count: int, total: int | None = None) -> None:
        """Change the viewer count and push it (WebcastRoomUserSeqMessage)."""
        if self.room is not None:
            self.room.viewers = count
        await self._fake.push(self, messages.viewers(count, total))

    async def pause(self) -> None:
        """Pause the stream (control 1)."""
        if self.room is not None:
            self.room.paused = True
        await self._fake.push(self, messages.control(1))

    async def resume(self) -> None:
        """Resume the stream (control 2)."""
        if self.room is not None:
            self.room.paused = False
        await self._fake.push(self, messages.control(2))

    def count_likes(self, count: int) -> int:
        """Add likes to the room's running total and return it."""
        if self.room is None:
            return count
        self.room.likes += count
        return self.room.likes
