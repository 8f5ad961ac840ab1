"""Write a ready-to-use Home Assistant configuration for the demo.

Onboarding is marked done, a `demo` / `demo` login exists (created by
`hass --script auth` from scripts/demo), and a tiktok_live config entry follows
the simulated creator served by tests/fake_tiktok. The fake's endpoint URLs are
stored in the entry's data (its sign server as demo-sign-server.localhost).

Run at every start of scripts/demo, it keeps what the user changed: only the
first start writes the entries, the dashboard, the automations and onboarding.
Later starts rewrite configuration.yaml (the demo's own YAML) and point the
demo entry at the fake's current address, nothing else. `scripts/demo --fresh`
starts from scratch.
"""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
import json
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

DOMAIN = "tiktok_live"
ENTRY_ID = "01JDEMOTIKTOKLIVE000000000"
BACKUP_ENTRY_ID = "01JDEMOBACKUP0000000000000"
DEVICE = "demo_streamer"
SIGN_SERVER_HOST = "demo-sign-server.localhost"
# Written into every demo configuration: scripts/demo --fresh deletes only a
# directory that has it.
MARKER = ".tiktok_live_demo"


def configuration_yaml(port: int) -> str:
    """The demo's configuration.yaml."""
    return f"""\
# Written by scripts/demo at every start: a minimal Home Assistant for the
# TikTok LIVE demo. Changes made in the UI (options, automations, dashboards,
# devices you add) are kept across restarts; edits to this file are not.
homeassistant:
  name: TikTok LIVE demo
  unit_system: metric
  time_zone: UTC
  currency: EUR
  country: US
  latitude: 52.37
  longitude: 4.89
  elevation: 0

http:
  server_host: 127.0.0.1
  server_port: {port}

frontend:
config:
api:
# The logbook tells the stream in words; the recorder behind it keeps a day.
recorder:
  purge_keep_days: 1
logbook:
history:
automation: !include automations.yaml
script: !include scripts.yaml
scene: !include scenes.yaml
input_boolean:
  demo_light_power:
    name: Demo light power

light:
  - platform: template
    lights:
      demo_light:
        friendly_name: Demo light
        value_template: "{{{{ is_state('input_boolean.demo_light_power', 'on') }}}}"
        turn_on:
          action: input_boolean.turn_on
          target:
            entity_id: input_boolean.demo_light_power
        turn_off:
          action: input_boolean.turn_off
          target:
            entity_id: input_boolean.demo_light_power

logger:
  default: warning
  logs:
    custom_components.tiktok_live: info
    homeassistant.components.http: error
  filters:
    # The light's service descriptions make Home Assistant import its camera
    # helper, which logs a traceback when the system lacks libturbojpeg (only
    # used to scale camera snapshots; the demo has no camera).
    homeassistant.components.camera.img_util:
      - "libturbojpeg"
"""


AUTOMATIONS_YAML = """\
# The example automation of the demo: every gift toggles the demo light.
- id: tiktok_live_demo_gift_toggles_light
  alias: A TikTok gift toggles the demo light
  description: Cause and effect, live - each gift on the simulated stream toggles Demo light.
  triggers:
    - trigger: event
      event_type: tiktok_live_event
      event_data:
        type: gift
  actions:
    - action: light.toggle
      target:
        entity_id: light.demo_light
  mode: queued
"""


def _entity(domain: str, key: str) -> dict[str, str]:
    """A card row without the device name in front of every entity."""
    return {
        "entity": f"{domain}.{DEVICE}_{key}",
        "name": key.replace("_", " ").capitalize(),
    }


def dashboard() -> dict[str, Any]:
    """A one-view dashboard with every entity of the creator and the light."""
    return {
        "views": [
            {
                "title": "TikTok LIVE",
                "path": "tiktok-live",
                "cards": [
                    {
                        "type": "entities",
                        "title": "@demo_streamer",
                        "entities": [
                            _entity("binary_sensor", "live"),
                            _entity("sensor", "viewers"),
                            _entity("sensor", "peak_viewers"),
                            _entity("sensor", "stream_title"),
                            _entity("sensor", "stream_started"),
                            _entity("sensor", "top_gifter"),
                            _entity("sensor", "connection"),
                        ],
                    },
                    {
                        "type": "glance",
                        "title": "This stream",
                        "columns": 3,
                        "entities": [
                            _entity("sensor", "likes"),
                            _entity("sensor", "diamonds"),
                            _entity("sensor", "gifts"),
                            _entity("sensor", "new_followers"),
                            _entity("sensor", "shares"),
                            _entity("sensor", "comments"),
                        ],
                    },
                    {
                        "type": "entities",
                        "title": "Goals of this stream",
                        "entities": [
                            _entity("number", "like_goal"),
                            _entity("sensor", "like_goal_progress"),
                            _entity("number", "diamond_goal"),
                            _entity("sensor", "diamond_goal_progress"),
                            _entity("number", "follower_goal"),
                            _entity("sensor", "follower_goal_progress"),
                        ],
                    },
                    {
                        "type": "light",
                        "entity": "light.demo_light",
                        "name": "Toggled by every gift",
                    },
                ],
            }
        ]
    }


# The demo's like goal: its stream sends 650 likes, the goal falls mid-stream.
DEMO_LIKE_GOAL = 500


def _storage(
    key: str, data: dict[str, Any], version: int = 1, minor: int = 1
) -> dict[str, Any]:
    return {"version": version, "minor_version": minor, "key": key, "data": data}


def endpoints(fake_url: str) -> dict[str, str]:
    """Where the demo entry finds the fake TikTok (its web, webcast and sign server).

    The sign server URL is the one endpoint Home Assistant's forms show
    (Reconfigure, the session opt-in, repairs): it is named
    ``demo-sign-server.localhost`` there (RFC 6761: any ``.localhost`` name is
    loopback, and c-ares resolves it so), so it cannot pass for a real one.
    """
    url = urlsplit(fake_url)
    sign_base = fake_url
    if url.hostname in ("127.0.0.1", "localhost") and url.port is not None:
        sign_base = f"{url.scheme}://{SIGN_SERVER_HOST}:{url.port}"
    return {
        "web_url": fake_url,
        "webcast_url": f"{fake_url}/webcast",
        # TikTok's push host for the direct connection (Automatic's first way).
        "push_url": "ws://" + fake_url.split("://", 1)[1],
        "sign_server_url": f"{sign_base}/sign",
    }


def config_entry(fake_url: str, user_id: int) -> dict[str, Any]:
    """The tiktok_live entry, pointed at the fake TikTok."""
    now = datetime.now(UTC).isoformat()
    return {
        "entry_id": ENTRY_ID,
        "version": 1,
        "minor_version": 3,
        "domain": DOMAIN,
        "title": f"@{DEVICE}",
        "data": {"unique_id": DEVICE, "user_id": user_id, **endpoints(fake_url)},
        # Check often, so the looping stream comes back quickly after each end.
        "options": {"offline_check_interval": 30},
        "pref_disable_new_entities": False,
        "pref_disable_polling": False,
        "source": "user",
        "unique_id": str(user_id),
        "disabled_by": None,
        "discovery_keys": {},
        "subentries": [],
        "created_at": now,
        "modified_at": now,
    }


def backup_entry() -> dict[str, Any]:
    """Home Assistant's own Backup entry, as its first start creates it.

    Written with the demo's entry so that Home Assistant does not create it at
    the first start: creating it through a "system" flow leaves a stale
    "New devices discovered" notification behind.
    """
    now = datetime.now(UTC).isoformat()
    return {
        "entry_id": BACKUP_ENTRY_ID,
        "version": 1,
        "minor_version": 1,
        "domain": "backup",
        "title": "Backup",
        "data": {},
        "options": {},
        "pref_disable_new_entities": False,
        "pref_disable_polling": False,
        "source": "system",
        "unique_id": None,
        "disabled_by": None,
        "discovery_keys": {},
        "subentries": [],
        "created_at": now,
        "modified_at": now,
    }


def _write_json(path: Path, content: dict[str, Any]) -> None:
    """Replace a storage file in one step (never half written)."""
    tmp = path.with_name(f"{path.name}.demo-tmp")
    tmp.write_text(json.dumps(content, indent=2))
    tmp.replace(path)


def _refresh_entries(path: Path, fake_url: str) -> list[str]:
    """Point the demo entry at the fake's current address; keep everything else.

    Returns notes for the user (e.g. that they deleted the demo creator).
    """
    stored = json.loads(path.read_text())
    entries: list[dict[str, Any]] = stored["data"]["entries"]
    notes = []
    demo = next((e for e in entries if e.get("entry_id") == ENTRY_ID), None)
    if demo is None:
        notes.append(
            "the demo creator @demo_streamer was deleted in this configuration; "
            "scripts/demo --fresh starts over with it"
        )
    else:
        wanted = endpoints(fake_url)
        if any(demo["data"].get(key) != value for key, value in wanted.items()):
            demo["data"] = {**demo["data"], **wanted}
            demo["modified_at"] = datetime.now(UTC).isoformat()
    if not any(e.get("domain") == "backup" for e in entries):
        entries.append(backup_entry())
    _write_json(path, stored)
    return notes


def write(
    config_dir: Path, *, port: int, fake_url: str, user_id: int, repo: Path
) -> list[str]:
    """Write the demo configuration, or refresh an existing one (keeping its changes).

    Returns notes for the user.
    """
    storage = config_dir / ".storage"
    storage.mkdir(parents=True, exist_ok=True)
    (config_dir / MARKER).write_text(
        "A TikTok LIVE demo configuration (scripts/demo --fresh may delete it).\n"
    )
    (config_dir / "configuration.yaml").write_text(configuration_yaml(port))
    first_time = {
        "automations.yaml": AUTOMATIONS_YAML,
        "scripts.yaml": "",
        "scenes.yaml": "",
    }
    for name, text in first_time.items():
        if not (config_dir / name).exists():
            (config_dir / name).write_text(text)
    custom = config_dir / "custom_components"
    custom.mkdir(exist_ok=True)
    link = custom / DOMAIN
    target = repo / "custom_components" / DOMAIN
    if link.is_symlink() and link.resolve() != target.resolve():
        link.unlink()  # a demo configuration moved to another checkout
    if not link.is_symlink():
        link.symlink_to(target, target_is_directory=True)
    files = {
        "onboarding": _storage(
            "onboarding",
            {"done": ["user", "core_config", "analytics", "integration"]},
            version=4,
        ),
        "core.config_entries": _storage(
            "core.config_entries",
            {"entries": [config_entry(fake_url, user_id), backup_entry()]},
            minor=5,
        ),
        "lovelace": _storage("lovelace", {"config": dashboard()}),
        # A like goal the first demo stream reaches (650 likes a stream).
        f"{DOMAIN}.{ENTRY_ID}": _storage(
            f"{DOMAIN}.{ENTRY_ID}",
            {"goals": {"targets": {"likes": DEMO_LIKE_GOAL}, "reached": []}},
        ),
    }
    notes: list[str] = []
    for key, content in files.items():
        path = storage / key
        if not path.exists():
            _write_json(path, content)
        elif key == "core.config_entries":
            notes += _refresh_entries(path, fake_url)
    return notes


def main() -> None:
    """Command line entry point used by scripts/demo."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--config", type=Path, required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--fake-url", required=True)
    parser.add_argument("--user-id", type=int, required=True)
    args = parser.parse_args()
    notes = write(
        args.config,
        port=args.port,
        fake_url=args.fake_url.rstrip("/"),
        user_id=args.user_id,
        repo=Path(__file__).resolve().parent.parent,
    )
    for note in notes:
        print(f"scripts/demo: note: {note}")


if __name__ == "__main__":
    main()
