"""End-to-end check of scripts/demo, as CI runs it.

Starts scripts/demo headless on free ports with a fresh configuration and:

1. checks that the demo's Home Assistant install resolves names the way its
   HTTP client does (aiohttp with aiodns through HA's resolver class), so
   adding a real creator cannot fail on DNS;
2. logs in as demo/demo through Home Assistant's own login flow and, over the
   WebSocket API, waits until: Live turns on, Viewers changes, a gift reaches
   the event bus and the example automation toggles the demo light;
3. breaks the simulated TikTok with scripts/demo-fault (offline, then clear:
   Live goes off and on again; connected directly, then direct_refused: the
   connection moves to the sign server; rate_limited on top: it is down);
4. runs the browser smoke test (with --screenshots): every form of the
   integration (user, options, reconfigure, each reauth and each repair) in
   the demo's frontend, without a "Translation error" or a title cut off; the
   reauths and repairs are raised through a hooks integration installed into
   the demo's configuration for that (see BROWSER_HOOKS);
5. checks that no "New devices discovered" notification and no libturbojpeg
   traceback appear, changes an option, adds an automation and edits the
   dashboard, stops the demo with Ctrl-C (nothing may be left running), starts
   it again on the same configuration and checks that all three survived.

Usage: python scripts/demo_check.py [--timeout SECONDS] [--keep-config] [--screenshots DIR]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
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
DEMO_PYTHON = REPO / ".venv-demo" / "bin" / "python"
LIVE = "binary_sensor.demo_streamer_live"
VIEWERS = "sensor.demo_streamer_viewers"
CONNECTION = "sensor.demo_streamer_connection"
LIGHT = "light.demo_light"
CONNECTION_STATES = (
    "connected",
    "waiting_for_live",
    "connecting",
    "reconnecting",
    "rate_limited",
    "blocked",
    "auth_required",
    "error",
)
ENTRY_ID = "01JDEMOTIKTOKLIVE000000000"
KEPT_AUTOMATION = "demo_check_kept_automation"
KEPT_TITLE = "Kept across restarts by demo_check"
KEPT_MILESTONE = 500

# Run with the demo's own Python: resolve "localhost" with the resolver class of
# Home Assistant's client sessions (aiohttp-asyncmdnsresolver's dual resolver,
# an aiohttp AsyncResolver, i.e. aiodns and pycares), then fetch through it.
# Names outside .local never touch mDNS, so a stand-in replaces zeroconf.
DNS_CHECK = """
import asyncio, sys, types
import aiodns, aiohttp, pycares
from aiohttp.resolver import AsyncResolver
from aiohttp_asyncmdnsresolver.api import AsyncDualMDNSResolver
from homeassistant.helpers import aiohttp_client

assert aiohttp_client._async_make_resolver.__annotations__["return"] in (
    "AsyncDualMDNSResolver", AsyncDualMDNSResolver)
assert issubclass(AsyncDualMDNSResolver, AsyncResolver)

async def main(url, sign_url):
    resolver = AsyncDualMDNSResolver(async_zeroconf=types.SimpleNamespace())
    try:
        hosts = await resolver.resolve("localhost", 80)
        # The demo entry's sign server is named demo-sign-server.localhost.
        await resolver.resolve("demo-sign-server.localhost", 80)
        connector = aiohttp.TCPConnector(resolver=resolver)
        async with aiohttp.ClientSession(connector=connector) as session:
            async with session.get(url) as response:
                status = response.status
            async with session.get(sign_url) as response:
                sign_status = response.status
    finally:
        await resolver.close()
    print(f"localhost -> {sorted({h['host'] for h in hosts})}, GET {url} -> {status}, "
          f"GET {sign_url} -> {sign_status} "
          f"(aiodns {aiodns.__version__}, pycares {pycares.__version__}, aiohttp {aiohttp.__version__})")
    return status == 200 and sign_status == 200

sys.exit(0 if asyncio.run(main(*sys.argv[1:3])) else 1)
"""


# For the browser smoke test only: a small integration in the demo's
# configuration that lets the test raise, in the demo's own Home Assistant,
# what otherwise takes minutes of evidence: each reauth reason and each
# fixable repair, through the integration's real FailurePolicy (so its real
# reauth data and issue placeholders), with the first answer backdated.
BROWSER_HOOKS = "demo_check_hooks"
BROWSER_HOOK_FILES = {
    "manifest.json": json.dumps(
        {
            "domain": BROWSER_HOOKS,
            "name": "demo_check hooks",
            "codeowners": [],
            "config_flow": True,
            "dependencies": ["tiktok_live"],
            "documentation": "https://github.com/tiktok-live-ha/tiktok_live",
            "iot_class": "local_push",
            "version": "1.0.0",
        },
        indent=2,
    ),
    "config_flow.py": """\
from homeassistant.config_entries import ConfigFlow


class HooksFlow(ConfigFlow, domain="demo_check_hooks"):
    async def async_step_user(self, user_input=None):
        return self.async_create_entry(title="demo_check hooks", data={})
""",
    "__init__.py": """\
\"\"\"demo_check's hooks: make the tiktok_live entry fail as TikTok would.\"\"\"
from datetime import timedelta

import voluptuous as vol
from homeassistant.components import websocket_api
from homeassistant.util import dt as dt_util


async def async_setup_entry(hass, entry):
    websocket_api.async_register_command(hass, ws_fail)
    return True


async def async_unload_entry(hass, entry):
    return True


@websocket_api.websocket_command(
    {
        vol.Required("type"): "demo_check_hooks/fail",
        vol.Required("entry_id"): str,
        vol.Required("cause"): str,
    }
)
@websocket_api.async_response
async def ws_fail(hass, connection, msg):
    from custom_components.tiktok_live import failures, webcast

    entry = hass.config_entries.async_get_entry(msg["entry_id"])
    causes = {
        "age_restricted": (
            failures.Cause.AGE_RESTRICTED,
            webcast.AgeRestrictedError("demo_check"),
        ),
        "session_rejected": (
            failures.Cause.SESSION_REJECTED,
            webcast.WebcastSessionRejectedError(
                "demo_check", status=200, handshake_msg="illegal secret key"
            ),
        ),
        "api_key_invalid": (
            failures.Cause.API_KEY_INVALID,
            webcast.SignAPIKeyInvalidError("demo_check"),
        ),
        "premium_required": (
            failures.Cause.PREMIUM_REQUIRED,
            webcast.PremiumEndpointError("demo_check"),
        ),
        "session_not_trusted": (
            None,
            webcast.AuthenticatedWebSocketConnectionError("demo_check"),
        ),
    }
    policy = entry.runtime_data.failures
    if msg["cause"] == "user_not_found":
        # Confirmed by two sources, as the fault makes TikTok answer.
        policy.user_gone()
        connection.send_result(msg["id"], {"cause": msg["cause"]})
        return
    cause, error = causes[msg["cause"]]
    if cause is not None:
        # The same answer an hour ago: this one confirms it.
        evidence = hass.data.setdefault(failures.DATA_EVIDENCE, {}).setdefault(
            entry.entry_id, {}
        )
        evidence[cause] = failures.Evidence(dt_util.utcnow() - timedelta(hours=1))
    outcome = policy.failed(error)
    await hass.async_block_till_done()
    flows = hass.config_entries.flow.async_progress_by_handler(
        "tiktok_live", include_uninitialized=True
    )
    connection.send_result(
        msg["id"],
        {
            "cause": msg["cause"],
            "state": str(outcome.state),
            "suspected": outcome.suspected,
            "flows": [
                [flow["context"]["source"], flow.get("step_id")] for flow in flows
            ],
        },
    )
""",
}


def install_browser_hooks(config: str) -> None:
    """Put the hooks integration into the demo's configuration (before it starts)."""
    folder = Path(config) / "custom_components" / BROWSER_HOOKS
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in BROWSER_HOOK_FILES.items():
        (folder / name).write_text(text)


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
        # The demo's like goal, reached in the first stream.
        "goal": None,
        # A viewer whose event says who they are (moderator, subscriber, follower).
        "identity": None,
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
                    and seen["goal"]
                    and seen["identity"]
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
                    if seen["goal"] is None and event["data"]["type"] == "goal_reached":
                        seen["goal"] = event["data"]
                        say(
                            f"goal on the bus: {event['data']['goal']}"
                            f" {event['data']['target']} reached"
                        )
                    flags = {
                        key
                        for key in ("is_moderator", "is_subscriber", "is_follower")
                        if event["data"].get(key)
                    }
                    if seen["identity"] is None and flags:
                        seen["identity"] = event["data"]
                        say(
                            f"who sent it: {event['data']['type']} from"
                            f" {event['data']['nickname']}: {sorted(flags)}"
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


def check_dns(port: int, fake_port: int) -> None:
    """The demo's install resolves names as Home Assistant's HTTP client does."""
    result = subprocess.run(
        [
            str(DEMO_PYTHON),
            "-c",
            DNS_CHECK,
            f"http://localhost:{port}/manifest.json",
            f"http://demo-sign-server.localhost:{fake_port}/sign/webcast/rate_limits",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(
            "name resolution through Home Assistant's resolver failed in .venv-demo "
            f"(adding a real creator would end in 'Unexpected error'):\n{result.stderr}"
        )
    say(f"DNS as Home Assistant resolves: {result.stdout.strip()}")


class Hass:
    """A logged-in WebSocket (and REST) connection to the demo's Home Assistant."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.states: dict[str, str] = {}
        self.attributes: dict[str, dict[str, Any]] = {}
        self.notifications: dict[str, Any] = {}
        self._session: aiohttp.ClientSession | None = None
        self._ws: aiohttp.ClientWebSocketResponse | None = None
        self._token = ""
        self._next_id = 1
        self._results: dict[int, Any] = {}

    async def __aenter__(self) -> Hass:
        self._session = aiohttp.ClientSession()
        self._token = await login(self._session, self.base)
        self._ws = await self._session.ws_connect(f"{self.base}/api/websocket")
        await self._ws.receive_json()  # auth_required
        await self._ws.send_json({"type": "auth", "access_token": self._token})
        if (await self._ws.receive_json())["type"] != "auth_ok":
            raise RuntimeError("WebSocket authentication failed")
        await self.call({"type": "subscribe_events", "event_type": "state_changed"})
        await self.call({"type": "persistent_notification/subscribe"})
        for state in await self.call({"type": "get_states"}):
            self.states[state["entity_id"]] = state["state"]
            self.attributes[state["entity_id"]] = state.get("attributes", {})
        return self

    async def __aexit__(self, *_exc: object) -> None:
        if self._ws is not None:
            await self._ws.close()
        if self._session is not None:
            await self._session.close()

    async def _receive(self, within: float) -> None:
        assert self._ws is not None
        message = await self._ws.receive_json(timeout=within)
        if message.get("type") == "result":
            if not message.get("success"):
                raise RuntimeError(f"WebSocket command failed: {message}")
            self._results[message["id"]] = message.get("result")
        elif message.get("type") == "event":
            event = message["event"]
            if event.get("event_type") == "state_changed":
                new = event["data"]["new_state"]
                if new is not None:
                    self.states[new["entity_id"]] = new["state"]
                    self.attributes[new["entity_id"]] = new.get("attributes", {})
            elif "notifications" in event:  # persistent notifications
                if event.get("type") in ("current", "added", "updated"):
                    self.notifications.update(event["notifications"])
                elif event.get("type") == "removed":
                    for key in event["notifications"]:
                        self.notifications.pop(key, None)

    async def call(self, command: dict[str, Any], within: float = 30) -> Any:
        """Send a WebSocket command and return its result."""
        assert self._ws is not None
        command_id = self._next_id
        self._next_id += 1
        await self._ws.send_json({**command, "id": command_id})
        deadline = time.monotonic() + within
        while command_id not in self._results:
            await self._receive(max(deadline - time.monotonic(), 0.1))
        return self._results.pop(command_id)

    async def wait_state(self, entity_id: str, wanted: set[str], within: float) -> str:
        """Wait until the entity is in one of the wanted states; return it."""
        deadline = time.monotonic() + within
        while self.states.get(entity_id) not in wanted:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(
                    f"{entity_id} is {self.states.get(entity_id)!r}, not one of {sorted(wanted)}, after {within:.0f} s"
                )
            with contextlib.suppress(TimeoutError):
                await self._receive(left)
        return self.states[entity_id]

    async def wait_attribute(
        self, entity_id: str, name: str, wanted: set[Any], within: float
    ) -> Any:
        """Wait until one of the entity's attributes has one of the wanted values."""
        deadline = time.monotonic() + within
        while self.attributes.get(entity_id, {}).get(name) not in wanted:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(
                    f"{entity_id}'s {name} is "
                    f"{self.attributes.get(entity_id, {}).get(name)!r}, not one of "
                    f"{sorted(wanted)}, after {within:.0f} s"
                )
            with contextlib.suppress(TimeoutError):
                await self._receive(left)
        return self.attributes[entity_id][name]

    async def settle(self, seconds: float) -> None:
        """Keep reading events for a while (notifications, states)."""
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            with contextlib.suppress(TimeoutError):
                await self._receive(left)

    async def rest(self, method: str, path: str, body: Any = None) -> Any:
        """A REST API call with the same login."""
        assert self._session is not None
        async with self._session.request(
            method,
            f"{self.base}{path}",
            json=body,
            headers={"Authorization": f"Bearer {self._token}"},
        ) as response:
            if response.status >= 400:
                raise RuntimeError(
                    f"{method} {path}: {response.status} {await response.text()}"
                )
            return await response.json()


async def wait_running(base: str, deadline: float) -> None:
    """Wait until Home Assistant finished starting (state RUNNING)."""
    async with Hass(base) as hass:
        while time.monotonic() < deadline:
            if (await hass.call({"type": "get_config"}))["state"] == "RUNNING":
                return
            await asyncio.sleep(1)
    raise TimeoutError("Home Assistant did not finish starting")


def demo_fault(env: dict[str, str], *args: str) -> None:
    """Run scripts/demo-fault as a user would."""
    result = subprocess.run(
        [str(REPO / "scripts" / "demo-fault"), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(
            f"scripts/demo-fault {' '.join(args)} failed:\n{result.stdout}{result.stderr}"
        )
    say(f"scripts/demo-fault {' '.join(args)}: {result.stdout.splitlines()[0]}")


async def break_it(base: str, env: dict[str, str]) -> None:
    """Faults injected with scripts/demo-fault show in Home Assistant; clear undoes them."""
    async with Hass(base) as hass:
        await hass.wait_state(LIVE, {"on"}, 120)
        demo_fault(env, "offline")
        await hass.wait_state(LIVE, {"off"}, 60)
        say("offline: Live turned off")
        demo_fault(env, "clear")
        # Back live in a new stream: found at the next offline check (30 s).
        await hass.wait_state(LIVE, {"on"}, 120)
        await hass.wait_state(CONNECTION, {"connected"}, 60)
        say("clear: Live is on again, connected")
        method = hass.attributes.get(CONNECTION, {}).get("connection_method")
        if method != "direct":
            raise RuntimeError(f"the demo connects {method!r}, not directly")
        say("connected directly: nothing goes to the sign server")
        demo_fault(env, "direct_refused")
        # Automatic moves to the sign server within seconds.
        await hass.wait_attribute(CONNECTION, "connection_method", {"sign_server"}, 60)
        await hass.wait_state(CONNECTION, {"connected"}, 60)
        say("direct_refused: connected through the sign server instead")
        demo_fault(env, "rate_limited")
        # The connection is cut and every new one meets the 429. (Which state
        # the sensor then shows, and when, is the integration's business.)
        await hass.wait_state(CONNECTION, set(CONNECTION_STATES) - {"connected"}, 30)
        await hass.settle(5)
        state = hass.states[CONNECTION]
        if state == "connected":
            raise RuntimeError("connected although the sign server rate limits")
        say(f"rate_limited: the connection is down ({state}) and stays down")
        demo_fault(env, "clear")
        # The sign server asked for 30 s; the stream may have ended meanwhile.
        state = await hass.wait_state(
            CONNECTION, {"connected", "waiting_for_live"}, 120
        )
        say(f"clear: Connection is {state} again")


def check_log(config: str, run: str) -> None:
    """The demo's Home Assistant log has no libturbojpeg traceback."""
    log = Path(config) / "home-assistant.log"
    text = log.read_text(errors="replace") if log.exists() else ""
    if "libturbojpeg" in text:
        raise RuntimeError(f"{run}: the log shows the libturbojpeg traceback")
    say(f"{run}: no libturbojpeg traceback in the log")


def no_discovery_notification(hass: Hass, run: str) -> None:
    """The stale "New devices discovered" notification must not show."""
    titles = [n.get("title") for n in hass.notifications.values()]
    if "config_entry_discovery" in hass.notifications:
        raise RuntimeError(f"{run}: 'New devices discovered' is shown: {titles}")
    say(f"{run}: no 'New devices discovered' notification (notifications: {titles})")


async def change_settings(base: str) -> None:
    """What a user changes in the UI: an option, an automation, the dashboard."""
    async with Hass(base) as hass:
        await hass.settle(3)
        no_discovery_notification(hass, "first start")
        flow = await hass.rest(
            "POST",
            "/api/config/config_entries/options/flow",
            {"handler": ENTRY_ID},
        )
        done = await hass.rest(
            "POST",
            f"/api/config/config_entries/options/flow/{flow['flow_id']}",
            {"like_milestone": KEPT_MILESTONE, "offline_check_interval": 30},
        )
        if done.get("type") != "create_entry":
            raise RuntimeError(f"the options flow did not save: {done}")
        await hass.rest(
            "POST",
            f"/api/config/automation/config/{KEPT_AUTOMATION}",
            {
                "alias": "Kept across restarts",
                "triggers": [{"trigger": "event", "event_type": "demo_check_never"}],
                "actions": [],
            },
        )
        dashboard = await hass.call({"type": "lovelace/config"})
        dashboard["title"] = KEPT_TITLE
        await hass.call({"type": "lovelace/config/save", "config": dashboard})
        await hass.wait_state(
            "automation.kept_across_restarts", {"on"}, 30
        )  # the automation editor's save reloads automations
        # What every browser session asks for first; it makes Home Assistant
        # import its camera helper (see the logger filter in demo_config.py).
        await hass.call({"type": "get_services"})
    say("changed an option, added an automation, edited the dashboard")


async def check_kept(base: str, deadline: float) -> None:
    """After a restart on the same configuration, the changes are still there."""
    await wait_for_http(base, deadline)
    await wait_running(base, deadline)
    async with Hass(base) as hass:
        await hass.settle(3)
        no_discovery_notification(hass, "restart")
        if hass.states.get("automation.kept_across_restarts") is None:
            raise RuntimeError("the automation added in the UI is gone after a restart")
        dashboard = await hass.call({"type": "lovelace/config"})
        if dashboard.get("title") != KEPT_TITLE:
            raise RuntimeError("the dashboard edit is gone after a restart")
        await hass.wait_state(LIVE, {"on", "off"}, 60)


def check_kept_options(config: str, when: str) -> None:
    """The option changed in the UI is stored (once the demo stopped)."""
    stored = json.loads((Path(config) / ".storage" / "core.config_entries").read_text())
    entry = next(e for e in stored["data"]["entries"] if e["entry_id"] == ENTRY_ID)
    if entry["options"].get("like_milestone") != KEPT_MILESTONE:
        raise RuntimeError(f"{when}: the option changed in the UI is gone: {entry}")
    say(f"{when}: the changed option is stored")


def processes_using(*needles: str) -> list[int]:
    """Pids whose command line mentions any of these (the demo's config, its ports)."""
    pids = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if any(n in cmdline for n in needles) and int(proc.name) != os.getpid():
            pids.append(int(proc.name))
    return pids


def port_open(port: int) -> bool:
    """Whether something still listens on the port."""
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


def start_demo(env: dict[str, str], base: str, config: str) -> subprocess.Popen[bytes]:
    """scripts/demo in its own process group, as a user starts it."""
    say(f"starting scripts/demo on {base} (config {config})")
    return subprocess.Popen(
        [str(REPO / "scripts" / "demo")], env=env, start_new_session=True
    )


def stop_demo(
    demo: subprocess.Popen[bytes], config: str, ports: tuple[int, ...]
) -> bool:
    """Ctrl-C; then nothing of the demo may be left running or listening."""
    ok = True
    say("stopping the demo with Ctrl-C")
    if demo.poll() is None:
        os.killpg(demo.pid, signal.SIGINT)
    try:
        demo.wait(timeout=60)
    except subprocess.TimeoutExpired:
        say("the demo did not stop within 60 s")
        os.killpg(demo.pid, signal.SIGKILL)
        ok = False
    # Home Assistant runs with the config directory, the fake with its control port.
    leftovers = processes_using(config, f"--control-port {ports[-1]} ")
    listening = [port for port in ports if port_open(port)]
    if leftovers or listening:
        say(f"left running after stop: pids {leftovers}, ports {listening}")
        for pid in leftovers:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        ok = False
    else:
        say("nothing left running")
    return ok


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

    port, fake_port, control_port = free_port(), free_port(), free_port()
    ports = (port, fake_port, control_port)
    config = tempfile.mkdtemp(prefix="tiktok-live-demo-")
    env = {
        **os.environ,
        "DEMO_PORT": str(port),
        "DEMO_FAKE_PORT": str(fake_port),
        "DEMO_CONTROL_PORT": str(control_port),
        "DEMO_CONFIG": config,
    }
    base = f"http://127.0.0.1:{port}"
    if args.screenshots:
        install_browser_hooks(config)
    try:
        return 0 if run(args, env, base, config, ports) else 1
    finally:
        if not args.keep_config:
            shutil.rmtree(config, ignore_errors=True)


def run(
    args: argparse.Namespace,
    env: dict[str, str],
    base: str,
    config: str,
    ports: tuple[int, int, int],
) -> bool:
    """Both starts of the demo and every check; True when all passed."""
    port, fake_port, control_port = ports
    ok = False
    demo = start_demo(env, base, config)
    try:
        install_deadline = (
            time.monotonic() + args.timeout + 900
        )  # first run installs HA
        asyncio.run(wait_for_http(base, install_deadline))
        say("Home Assistant answers")
        check_dns(port, fake_port)
        seen = asyncio.run(watch(base, time.monotonic() + args.timeout))
        say(
            f"all seen: live on, viewers {sorted(seen['viewer_values'])}, a gift, "
            f"the automation fired, the light changed {seen['light_changes']} times,"
            " the like goal reached, a viewer's badges"
        )
        asyncio.run(break_it(base, env))
        if args.screenshots:
            say(
                "browser smoke test: log in, open the device page and every form "
                "of the integration, take screenshots"
            )
            subprocess.run(
                [
                    "node",
                    str(REPO / "tests" / "browser" / "smoke.mjs"),
                    base,
                    str(args.screenshots),
                ],
                env={
                    **env,
                    "DEMO_CONTROL_URL": f"http://127.0.0.1:{control_port}/_control",
                },
                check=True,
                timeout=600,
            )
        asyncio.run(change_settings(base))
        check_log(config, "first start")
        ok = True
    finally:
        ok = stop_demo(demo, config, ports) and ok
    if not ok:
        return False
    # Home Assistant wrote its storage when it stopped (a second signal during
    # its shutdown would have killed it before that).
    check_kept_options(config, "first stop")
    ok = False
    demo = start_demo(env, base, config)
    try:
        asyncio.run(check_kept(base, time.monotonic() + args.timeout))
        check_log(config, "restart")
        ok = True
    finally:
        ok = stop_demo(demo, config, ports) and ok
    if ok:
        check_kept_options(config, "restart")
        say("restart: the option, the automation and the dashboard edit were kept")
    return ok


if __name__ == "__main__":
    sys.exit(main())
