"""The demo's fault control (tests/fake_tiktok/control.py), over real HTTP.

Every fault of the table is injected and cleared through the control's HTTP
API against a running fake; each must change the fake's state the way it
says (and be seen by a client of the fake), and clearing must undo it.

At the end: the demo's configuration (scripts/demo_config.py) keeps what a
user changed across restarts of scripts/demo.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
import functools
import importlib.util
import json
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from tests.fake_tiktok import (
    ApiFault,
    FakeCreator,
    FakeSocket,
    FakeTikTok,
    PageFault,
    SocketFaultKind,
)
from tests.fake_tiktok.control import FAULTS, ControlServer
from tests.fake_tiktok.server import DIRECT_PUSH_PATH

CREATOR = "streamer"


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations() -> None:
    """No Home Assistant needed here (overrides the fixture of tests/conftest.py)."""


@dataclass
class Rig:
    """A fake TikTok with a live creator, its control, and an HTTP session."""

    fake: FakeTikTok
    control: ControlServer
    creator: FakeCreator
    session: aiohttp.ClientSession

    async def post(self, path: str, *, status: int = 200) -> dict[str, Any]:
        async with self.session.post(f"{self.control.url}{path}") as response:
            assert response.status == status, await response.text()
            result: dict[str, Any] = await response.json()
            return result

    async def state(self) -> dict[str, Any]:
        async with self.session.get(f"{self.control.url}/state") as response:
            assert response.status == 200
            result: dict[str, Any] = await response.json()
            return result

    async def fake_get(self, path: str) -> tuple[int, str]:
        async with self.session.get(f"{self.fake.web_url}{path}") as response:
            return response.status, (await response.read()).decode(errors="replace")

    async def open_socket(self) -> FakeSocket:
        """A push WebSocket to the creator's room (as a client would open it)."""
        assert self.creator.room is not None
        count = len([s for s in self.fake.sockets if s.creator is self.creator])
        ws = await self.session.ws_connect(
            f"{self.fake.push_server_url}?room_id={self.creator.room.room_id}",
            protocols=("echo-protocol",),
        )
        self._sockets.append(ws)
        return await self.fake.wait_for_socket(self.creator, count=count + 1)

    def __post_init__(self) -> None:
        self._sockets: list[aiohttp.ClientWebSocketResponse] = []

    async def close(self) -> None:
        for ws in self._sockets:
            await ws.close()


@pytest.fixture
async def rig(socket_enabled: None) -> AsyncIterator[Rig]:
    async with (
        FakeTikTok() as fake,
        ControlServer(fake) as control,
        aiohttp.ClientSession() as session,
    ):
        creator = fake.add_creator(CREATOR, user_id=6_900_000_000_000_000_001)
        creator.go_live(title="Testing", viewers=5)
        rig = Rig(fake, control, creator, session)
        try:
            yield rig
        finally:
            await rig.close()


async def _room_api(rig: Rig) -> str:
    return (await rig.fake_get(f"/api-live/user/room/?uniqueId={CREATOR}"))[1]


async def _sign_status(rig: Rig) -> int:
    return (await rig.fake_get("/sign/webcast/fetch?room_id=1"))[0]


async def _room_info(rig: Rig) -> str:
    room = rig.creator.last_room
    assert room is not None
    return (await rig.fake_get(f"/webcast/room/info/?room_id={room.room_id}"))[1]


# What each sticky fault does to the fake, seen from its state and over HTTP,
# and what must hold again once it is cleared.
Check = Callable[[Rig], Any]


async def _offline_on(rig: Rig) -> None:
    faults = rig.fake.faults
    assert not rig.creator.is_live
    assert faults.room_api.sticky is ApiFault.OFFLINE
    assert faults.live_page.sticky is PageFault.OFFLINE
    assert faults.check_alive.sticky is False
    assert '"status": 4' in await _room_api(rig)


async def _offline_off(rig: Rig) -> None:
    assert rig.creator.is_live  # back on air, in a new room
    assert rig.creator.room is not rig.creator.rooms[0]
    assert '"status": 2' in await _room_api(rig)


async def _rate_limited_on(rig: Rig) -> None:
    sticky = rig.fake.faults.sign_fetch.sticky
    assert sticky is not None
    assert sticky.status == 429
    assert "Retry-After" in sticky.headers
    assert await _sign_status(rig) == 429
    assert await _sign_status(rig) == 429  # sticky: every request


async def _sign_ok(rig: Rig) -> None:
    assert rig.fake.faults.sign_fetch.sticky is None
    assert rig.fake.faults.sign_url.sticky is None
    assert await _sign_status(rig) == 200


async def _user_not_found_on(rig: Rig) -> None:
    assert rig.fake.faults.room_api.sticky is ApiFault.USER_NOT_FOUND
    assert rig.fake.faults.live_page.sticky is PageFault.NO_LIVE_ROOM
    assert "user_not_found" in await _room_api(rig)
    assert "LiveRoom" not in (await rig.fake_get(f"/@{CREATOR}/live"))[1]


async def _user_found(rig: Rig) -> None:
    assert rig.fake.faults.room_api.sticky is None
    assert rig.fake.faults.live_page.sticky is None
    assert "user_not_found" not in await _room_api(rig)
    assert "LiveRoom" in (await rig.fake_get(f"/@{CREATOR}/live"))[1]


async def _age_restricted_on(rig: Rig) -> None:
    assert rig.creator.age_restricted
    assert "prompts" in await _room_info(rig)


async def _age_restricted_off(rig: Rig) -> None:
    assert not rig.creator.age_restricted
    assert "prompts" not in await _room_info(rig)


async def _sign_server_down_on(rig: Rig) -> None:
    sticky = rig.fake.faults.sign_fetch.sticky
    assert sticky is not None
    assert sticky.status == 503
    assert rig.fake.faults.sign_url.sticky is not None
    assert await _sign_status(rig) == 503


async def _blocked_on(rig: Rig) -> None:
    sticky = rig.fake.faults.ws_handshake.sticky
    assert sticky is not None
    assert sticky.handshake_msg == "illegal secret key"
    with pytest.raises(aiohttp.WSServerHandshakeError):
        await rig.open_socket()
    await _direct_refused_on(rig)


async def _blocked_off(rig: Rig) -> None:
    assert rig.fake.faults.ws_handshake.sticky is None
    await rig.open_socket()
    await _direct_accepted(rig)


async def _direct_refused_on(rig: Rig) -> None:
    sticky = rig.fake.faults.direct_handshake.sticky
    assert sticky is not None
    with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
        await rig.session.ws_connect(
            f"{rig.fake.direct_push_url}{DIRECT_PUSH_PATH}?room_id=1"
        )
    assert refused.value.status == 200


async def _direct_accepted(rig: Rig) -> None:
    assert rig.fake.faults.direct_handshake.sticky is None
    with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
        # No ttwid: DEVICE_BLOCKED (415), the fake's own answer, not the fault's.
        await rig.session.ws_connect(
            f"{rig.fake.direct_push_url}{DIRECT_PUSH_PATH}?room_id=1"
        )
    assert refused.value.status == 415


STICKY: dict[str, tuple[Check, Check]] = {
    "offline": (_offline_on, _offline_off),
    "rate_limited": (_rate_limited_on, _sign_ok),
    "user_not_found": (_user_not_found_on, _user_found),
    "age_restricted": (_age_restricted_on, _age_restricted_off),
    "sign_server_down": (_sign_server_down_on, _sign_ok),
    "blocked": (_blocked_on, _blocked_off),
    "direct_refused": (_direct_refused_on, _direct_accepted),
}
ONE_SHOT = {"drop": SocketFaultKind.DROP, "silence": SocketFaultKind.SILENCE}


def test_every_fault_is_tested() -> None:
    """A fault added to the table needs its checks here."""
    assert set(FAULTS) == set(STICKY) | set(ONE_SHOT)
    assert {name for name, fault in FAULTS.items() if not fault.sticky} == set(ONE_SHOT)


@pytest.mark.parametrize("name", list(STICKY))
async def test_sticky_fault_until_cleared(rig: Rig, name: str) -> None:
    """Inject over HTTP: the fake fails that way until the fault is cleared."""
    applied, cleared = STICKY[name]
    socket = await rig.open_socket()
    answer = await rig.post(f"/fault/{name}")
    assert answer["ok"]
    assert answer["faults"][name]["active"]
    await applied(rig)
    if name == "offline":
        # The stream ended on the open connection (control 3), as TikTok ends one.
        assert socket.sent
    else:
        # The open connection was cut, so a client meets the fault at once.
        await rig.fake.wait_closed(socket)
    assert (await rig.state())["faults"][name]["active"]

    answer = await rig.post(f"/clear/{name}")
    assert not answer["faults"][name]["active"]
    await cleared(rig)
    assert not any(rig.fake.faults.slots), rig.fake.faults


@pytest.mark.parametrize("name", list(ONE_SHOT))
async def test_one_shot_fault_hits_open_connections(rig: Rig, name: str) -> None:
    """drop and silence hit the open sockets once; nothing stays behind."""
    socket = await rig.open_socket()
    answer = await rig.post(f"/fault/{name}")
    assert not answer["faults"][name]["active"]  # one-shot: nothing holds
    assert [f.kind for f in socket.faults] == [ONE_SHOT[name]]
    if name == "drop":
        await rig.fake.wait_closed(socket)
    else:
        assert socket.silenced
        assert not socket.closed
    assert not rig.fake.faults.socket
    later = await rig.open_socket()
    assert not later.faults  # the next connection is healthy


@pytest.mark.parametrize("name", list(ONE_SHOT))
async def test_one_shot_fault_waits_for_a_connection(rig: Rig, name: str) -> None:
    """With nobody connected, the next connection gets it; clear forgets it."""
    await rig.post(f"/fault/{name}")
    assert [f.kind for f in rig.fake.faults.socket.queue] == [ONE_SHOT[name]]
    await rig.post(f"/clear/{name}")
    assert not rig.fake.faults.socket


async def test_clear_undoes_every_fault(rig: Rig) -> None:
    """All faults at once, then one clear: the fake is healthy again."""
    for name in FAULTS:
        await rig.post(f"/fault/{name}")
    state = await rig.state()
    assert not state["creators"][CREATOR]["live"]
    answer = await rig.post("/clear")
    assert answer["done"] == "cleared every fault"
    assert not any(f["active"] for f in answer["faults"].values())
    assert not any(rig.fake.faults.slots), rig.fake.faults
    assert answer["creators"][CREATOR]["live"]
    assert not rig.creator.age_restricted
    await _sign_ok(rig)
    await _user_found(rig)


async def test_clear_without_faults_changes_nothing(rig: Rig) -> None:
    """Clearing a healthy fake does not bring an offline creator on air."""
    rig.creator.go_offline()
    await rig.post("/clear")
    assert not rig.creator.is_live
    rig.creator.go_live()
    room = rig.creator.room
    await rig.post("/clear")
    assert rig.creator.room is room


async def test_shared_slots_clear_only_their_own_fault(rig: Rig) -> None:
    """offline and user_not_found share slots: clearing one keeps the other."""
    await rig.post("/fault/offline")
    await rig.post("/fault/rate_limited")
    await rig.post("/clear/user_not_found")
    await rig.post("/clear/sign_server_down")
    assert rig.fake.faults.room_api.sticky is ApiFault.OFFLINE
    assert await _sign_status(rig) == 429


async def test_unknown_fault(rig: Rig) -> None:
    answer = await rig.post("/fault/meteor", status=404)
    assert not answer["ok"]
    assert "offline" in answer["faults"]
    await rig.post("/clear/meteor", status=404)


async def test_control_page(rig: Rig) -> None:
    """The page lists every fault; its buttons post forms and come back to it."""
    async with rig.session.get(rig.control.url) as response:
        assert response.status == 200
        assert response.content_type == "text/html"
        page = await response.text()
    for name in FAULTS:
        assert f'action="/_control/fault/{name}"' in page
    async with rig.session.post(
        f"{rig.control.url}/fault/blocked",
        data={},
        headers={"Accept": "text/html,application/xhtml+xml"},
        allow_redirects=False,
    ) as response:
        assert response.status == 303
        assert response.headers["Location"] == "/_control"
    async with rig.session.get(rig.control.url) as response:
        assert 'class="on"' in await response.text()
    assert rig.fake.faults.ws_handshake.sticky is not None


# ------------------------------------------- the demo's configuration (restarts)


def _demo_config() -> Any:
    """scripts/demo_config.py (a script, not a package)."""
    path = Path(__file__).resolve().parent.parent / "scripts" / "demo_config.py"
    spec = importlib.util.spec_from_file_location("demo_config", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _entries(config: Path) -> list[dict[str, Any]]:
    stored = json.loads((config / ".storage" / "core.config_entries").read_text())
    entries: list[dict[str, Any]] = stored["data"]["entries"]
    return entries


def test_demo_config_keeps_user_changes(tmp_path: Path) -> None:
    """A restart keeps options, entries, automations and dashboards; it only
    rewrites configuration.yaml and points the demo entry at the fake's address."""
    demo_config = _demo_config()
    repo = Path(__file__).resolve().parent.parent
    config = tmp_path / "demo-config"
    write = functools.partial(demo_config.write, config, user_id=42, repo=repo)
    assert write(port=8123, fake_url="http://127.0.0.1:8765") == []
    entries = _entries(config)
    # Home Assistant's own Backup entry is there from the start: creating it
    # at the first start would leave "New devices discovered" behind.
    assert [e["domain"] for e in entries] == ["tiktok_live", "backup"]
    demo = entries[0]
    assert demo["data"]["web_url"] == "http://127.0.0.1:8765"
    assert demo["data"]["sign_server_url"] == (
        "http://demo-sign-server.localhost:8765/sign"
    )

    # What a user does in the UI.
    stored = json.loads((config / ".storage" / "core.config_entries").read_text())
    stored["data"]["entries"][0]["options"] = {"like_milestone": 500}
    stored["data"]["entries"].append({"entry_id": "x", "domain": "tiktok_live"})
    (config / ".storage" / "core.config_entries").write_text(json.dumps(stored))
    (config / "automations.yaml").write_text("- id: mine\n")
    (config / ".storage" / "lovelace").write_text('{"mine": true}')
    (config / "configuration.yaml").write_text("edited: true\n")

    assert write(port=9000, fake_url="http://127.0.0.1:9999") == []
    entries = _entries(config)
    assert entries[0]["options"] == {"like_milestone": 500}
    assert entries[0]["data"]["webcast_url"] == "http://127.0.0.1:9999/webcast"
    assert entries[0]["data"]["sign_server_url"] == (
        "http://demo-sign-server.localhost:9999/sign"
    )
    assert [e["entry_id"] for e in entries][1:] == [demo_config.BACKUP_ENTRY_ID, "x"]
    assert (config / "automations.yaml").read_text() == "- id: mine\n"
    assert (config / ".storage" / "lovelace").read_text() == '{"mine": true}'
    assert "server_port: 9000" in (config / "configuration.yaml").read_text()
    assert (config / demo_config.MARKER).exists()
    link = config / "custom_components" / "tiktok_live"
    assert link.resolve() == (repo / "custom_components" / "tiktok_live").resolve()


def test_demo_config_respects_a_deleted_demo_entry(tmp_path: Path) -> None:
    """Deleting the demo creator sticks (with a hint how to start over)."""
    demo_config = _demo_config()
    repo = Path(__file__).resolve().parent.parent
    config = tmp_path / "demo-config"
    demo_config.write(
        config, port=8123, fake_url="http://127.0.0.1:8765", user_id=42, repo=repo
    )
    path = config / ".storage" / "core.config_entries"
    stored = json.loads(path.read_text())
    stored["data"]["entries"] = []
    path.write_text(json.dumps(stored))
    notes = demo_config.write(
        config, port=8123, fake_url="http://127.0.0.1:8765", user_id=42, repo=repo
    )
    assert "--fresh" in notes[0]
    assert [e["domain"] for e in _entries(config)] == ["backup"]
