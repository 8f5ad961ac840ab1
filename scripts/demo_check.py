"""End-to-end check of scripts/demo, as CI runs it.

Starts scripts/demo headless on free ports with a fresh configuration, logs in
as demo/demo through Home Assistant's own login flow, and over the WebSocket API
waits until: Live turns on, Viewers changes, a gift reaches the event bus and
the example automation toggles the demo light. Then it stops the demo with
Ctrl-C (SIGINT) and checks that no process of it is left running.

Usage: python scripts/demo_check.py [--timeout SECONDS] [--keep-config] [--screenshots DIR]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
from pathlib import Path
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from typing import Any

import aiohttp

REPO = Path(__file__).resolve().parent.parent
LIVE = "binary_sensor.demo_streamer_live"
VIEWERS = "sensor.demo_streamer_viewers"
LIGHT = "light.demo_light"


def free_port() -> int:
    """A port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def say(message: str) -> None:
    """Progress, flushed so CI logs show it as it happens."""
    print(f"demo-check: {message}", flush=True)


async def wait_for_http(base: str, deadline: float) -> None:
    """Wait until Home Assistant answers HTTP."""
    async with aiohttp.ClientSession() as session:
        while time.monotonic() < deadline:
            with contextlib.suppress(aiohttp.ClientError, OSError):
                async with session.get(f"{base}/manifest.json") as response:
                    if response.status == 200:
                        return
            await asyncio.sleep(1)
    raise TimeoutError("Home Assistant did not start")


async def login(session: aiohttp.ClientSession, base: str) -> str:
    """Log in as demo/demo the way the frontend does; return an access token."""
    client_id = f"{base}/"
    async with session.post(
        f"{base}/auth/login_flow",
        json={
            "client_id": client_id,
            "handler": ["homeassistant", None],
            "redirect_uri": client_id,
        },
    ) as response:
        flow = await response.json()
    async with session.post(
        f"{base}/auth/login_flow/{flow['flow_id']}",
        json={"client_id": client_id, "username": "demo", "password": "demo"},
    ) as response:
        result = await response.json()
    if result.get("type") != "create_entry":
        raise RuntimeError(f"login as demo/demo failed: {result}")
    async with session.post(
        f"{base}/auth/token",
        data={
            "grant_type": "authorization_code",
            "code": result["result"],
            "client_id": client_id,
        },
    ) as response:
        token = await response.json()
    return str(token["access_token"])


async def watch(base: str, deadline: float) -> dict[str, Any]:
    """Follow states and events until every expectation is met."""
    seen: dict[str, Any] = {
        "live_on": False,
        "viewer_values": set(),
        "gift": None,
        "automation": False,
        "light_changes": 0,
    }
    async with aiohttp.ClientSession() as session:
        token = await login(session, base)
        async with session.ws_connect(f"{base}/api/websocket") as ws:
            await ws.receive_json()  # auth_required
            await ws.send_json({"type": "auth", "access_token": token})
            if (await ws.receive_json())["type"] != "auth_ok":
                raise RuntimeError("WebSocket authentication failed")
            await ws.send_json({"id": 1, "type": "subscribe_events"})
            await ws.send_json({"id": 2, "type": "get_states"})
            while time.monotonic() < deadline:
                if (
                    seen["live_on"]
                    and len(seen["viewer_values"]) >= 2
                    and seen["gift"]
                    and seen["automation"]
                    and seen["light_changes"]
                ):
                    return seen
                try:
                    message = await ws.receive_json(
                        timeout=max(deadline - time.monotonic(), 0.1)
                    )
                except TimeoutError:
                    break
                if message.get("id") == 2 and message.get("type") == "result":
                    for current in message["result"]:
                        _note_state(seen, current["entity_id"], current["state"])
                    continue
                event = message.get("event")
                if not event:
                    continue
                if (
                    event["event_type"] == "state_changed"
                    and event["data"]["new_state"]
                ):
                    new = event["data"]["new_state"]
                    _note_state(seen, new["entity_id"], new["state"])
                    if new["entity_id"] == LIGHT:
                        seen["light_changes"] += 1
                elif event["event_type"] == "tiktok_live_event":
                    if event["data"]["type"] == "gift" and seen["gift"] is None:
                        seen["gift"] = event["data"]
                        say(
                            f"gift on the bus: {event['data']['gift_name']} x{event['data']['count']}"
                        )
                elif event["event_type"] == "automation_triggered":
                    seen["automation"] = True
    missing = {
        k: v for k, v in seen.items() if not v or (k == "viewer_values" and len(v) < 2)
    }
    raise TimeoutError(f"expectations not met before the deadline: {missing}")


def _note_state(seen: dict[str, Any], entity_id: str, value: str) -> None:
    if entity_id == LIVE and value == "on" and not seen["live_on"]:
        seen["live_on"] = True
        say("Live is on")
    elif (
        entity_id == VIEWERS
        and value not in ("unknown", "unavailable")
        and value not in seen["viewer_values"]
    ):
        seen["viewer_values"].add(value)
        say(f"Viewers: {value}")


def processes_using(path: str) -> list[int]:
    """Pids whose command line mentions the demo's private config directory."""
    pids = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if path in cmdline and int(proc.name) != os.getpid():
            pids.append(int(proc.name))
    return pids


def port_open(port: int) -> bool:
    """Whether something still listens on the port."""
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


def main() -> int:
    """Run the check; exit status 0 when the demo behaved."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--timeout", type=float, default=240.0)
    parser.add_argument("--keep-config", action="store_true")
    parser.add_argument(
        "--screenshots",
        type=Path,
        help="also run the browser smoke test (tests/browser) and save its screenshots here",
    )
    args = parser.parse_args()

    port, fake_port = free_port(), free_port()
    config = tempfile.mkdtemp(prefix="tiktok-live-demo-")
    env = {
        **os.environ,
        "DEMO_PORT": str(port),
        "DEMO_FAKE_PORT": str(fake_port),
        "DEMO_CONFIG": config,
    }
    base = f"http://127.0.0.1:{port}"
    say(f"starting scripts/demo on {base} (config {config})")
    demo = subprocess.Popen(
        [str(REPO / "scripts" / "demo")], env=env, start_new_session=True
    )
    ok = False
    try:
        install_deadline = (
            time.monotonic() + args.timeout + 900
        )  # first run installs HA
        asyncio.run(wait_for_http(base, install_deadline))
        say("Home Assistant answers")
        seen = asyncio.run(watch(base, time.monotonic() + args.timeout))
        say(
            f"all seen: live on, viewers {sorted(seen['viewer_values'])}, a gift, "
            f"the automation fired, the light changed {seen['light_changes']} times"
        )
        if args.screenshots:
            say("browser smoke test: log in, open the device page, take screenshots")
            subprocess.run(
                [
                    "node",
                    str(REPO / "tests" / "browser" / "smoke.mjs"),
                    base,
                    str(args.screenshots),
                ],
                check=True,
                timeout=300,
            )
        ok = True
    finally:
        say("stopping the demo with Ctrl-C")
        if demo.poll() is None:
            os.killpg(demo.pid, signal.SIGINT)
        try:
            demo.wait(timeout=60)
        except subprocess.TimeoutExpired:
            say("the demo did not stop within 60 s")
            os.killpg(demo.pid, signal.SIGKILL)
            ok = False
        leftovers = processes_using(config)
        if leftovers or port_open(port) or port_open(fake_port):
            say(f"left running after stop: pids {leftovers}")
            for pid in leftovers:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
            ok = False
        else:
            say("nothing left running")
        if not args.keep_config:
            shutil.rmtree(config, ignore_errors=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
