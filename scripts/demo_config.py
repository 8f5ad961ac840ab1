"""Write a ready-to-use Home Assistant configuration for the demo.

Onboarding is marked done, a `demo` / `demo` login exists (created by
`hass --script auth` from scripts/demo), and a tiktok_live config entry follows
the simulated creator served by tests/fake_tiktok. The fake's endpoint URLs are
stored in the entry's data, where the user-facing flows never show them.
"""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
import json
from pathlib import Path
from typing import Any

DOMAIN = "tiktok_live"
ENTRY_ID = "01JDEMOTIKTOKLIVE000000000"
DEVICE = "demo_streamer"


def configuration_yaml(port: int) -> str:
    """The demo's configuration.yaml."""
    return f"""\
# Written by scripts/demo: a minimal Home Assistant for the TikTok LIVE demo.
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
automation: !include automations.yaml
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
                        "title": "Last events",
                        "entities": [
                            _entity("event", key)
                            for key in (
                                "gift",
                                "follow",
                                "like",
                                "comment",
                                "share",
                                "subscribe",
                                "stream",
                            )
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


def _storage(
    key: str, data: dict[str, Any], version: int = 1, minor: int = 1
) -> dict[str, Any]:
    return {"version": version, "minor_version": minor, "key": key, "data": data}


def config_entry(fake_url: str, user_id: int) -> dict[str, Any]:
    """The tiktok_live entry, pointed at the fake TikTok."""
    now = datetime.now(UTC).isoformat()
    return {
        "entry_id": ENTRY_ID,
        "version": 1,
        "minor_version": 1,
        "domain": DOMAIN,
        "title": f"@{DEVICE}",
        "data": {
            "unique_id": DEVICE,
            "user_id": user_id,
            "web_url": fake_url,
            "webcast_url": f"{fake_url}/webcast",
            "sign_server_url": f"{fake_url}/sign",
        },
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


def write(
    config_dir: Path, *, port: int, fake_url: str, user_id: int, repo: Path
) -> None:
    """Write (or refresh) the whole demo configuration."""
    storage = config_dir / ".storage"
    storage.mkdir(parents=True, exist_ok=True)
    (config_dir / "configuration.yaml").write_text(configuration_yaml(port))
    (config_dir / "automations.yaml").write_text(AUTOMATIONS_YAML)
    custom = config_dir / "custom_components"
    custom.mkdir(exist_ok=True)
    link = custom / DOMAIN
    if not link.is_symlink():
        link.symlink_to(repo / "custom_components" / DOMAIN, target_is_directory=True)
    files = {
        "onboarding": _storage(
            "onboarding",
            {"done": ["user", "core_config", "analytics", "integration"]},
            version=4,
        ),
        "core.config_entries": _storage(
            "core.config_entries",
            {"entries": [config_entry(fake_url, user_id)]},
            minor=5,
        ),
        "lovelace": _storage("lovelace", {"config": dashboard()}),
    }
    for key, content in files.items():
        (storage / key).write_text(json.dumps(content, indent=2))


def main() -> None:
    """Command line entry point used by scripts/demo."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--config", type=Path, required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--fake-url", required=True)
    parser.add_argument("--user-id", type=int, required=True)
    args = parser.parse_args()
    write(
        args.config,
        port=args.port,
        fake_url=args.fake_url.rstrip("/"),
        user_id=args.user_id,
        repo=Path(__file__).resolve().parent.parent,
    )


if __name__ == "__main__":
    main()
