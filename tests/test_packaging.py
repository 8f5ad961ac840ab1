"""What HACS and hassfest check, and translations that match the code both ways."""

from __future__ import annotations

import ast
import json
from pathlib import Path
from typing import Any

from packaging.specifiers import SpecifierSet
from packaging.version import Version
from PIL import Image
import yaml

from custom_components.tiktok_live import binary_sensor, event, sensor
from custom_components.tiktok_live.const import ConnectionState, EventType
from custom_components.tiktok_live.failures import ALL_ISSUES

ROOT = Path(__file__).parent.parent
COMPONENT = ROOT / "custom_components" / "tiktok_live"
HACS_KEYS = {
    "name",
    "content_in_root",
    "zip_release",
    "filename",
    "hide_default_branch",
    "country",
    "homeassistant",
    "hacs",
    "persistent_directory",
    "render_readme",
}
MANIFEST_KEYS = {
    "domain",
    "name",
    "after_dependencies",
    "codeowners",
    "config_flow",
    "dependencies",
    "documentation",
    "import_executor",
    "integration_type",
    "iot_class",
    "issue_tracker",
    "loggers",
    "quality_scale",
    "requirements",
    "single_config_entry",
    "version",
}


def load(path: Path) -> Any:
    return json.loads(path.read_text())


TRANSLATIONS: dict[str, Any] = load(COMPONENT / "translations" / "en.json")


def test_hacs_json() -> None:
    """Only keys HACS accepts; the minimum Home Assistant is the oldest tested one."""
    hacs = load(ROOT / "hacs.json")
    assert set(hacs) <= HACS_KEYS
    assert hacs["name"] == "TikTok LIVE"
    assert hacs["homeassistant"] == "2025.4.0"
    assert "render_readme" not in hacs


def test_manifest() -> None:
    """Every key hassfest and HACS want, nothing else, sorted as hassfest sorts."""
    manifest = load(COMPONENT / "manifest.json")
    assert set(manifest) <= MANIFEST_KEYS
    assert list(manifest)[:2] == ["domain", "name"]
    assert list(manifest)[2:] == sorted(list(manifest)[2:])
    assert manifest["domain"] == COMPONENT.name
    assert manifest["config_flow"] is True
    assert manifest["integration_type"] == "service"
    assert manifest["iot_class"] == "cloud_push"
    assert manifest["documentation"].startswith("https://")
    assert "home-assistant.io" not in manifest["documentation"]
    assert manifest["issue_tracker"].startswith("https://")
    assert manifest["codeowners"]
    assert all(owner.startswith("@") for owner in manifest["codeowners"])
    assert manifest["loggers"] == ["custom_components.tiktok_live"]
    Version(manifest["version"])
    [requirement] = manifest["requirements"]
    assert requirement.startswith("protobuf")
    specifier = SpecifierSet(requirement.removeprefix("protobuf"))
    assert Version("5.29.2") in specifier  # Home Assistant 2025.4.4
    assert Version("7.36.0") in specifier  # Home Assistant 2026.10.4


def test_brand_images() -> None:
    """A 256 x 256 icon (and its @2x) and a logo, as PNG."""
    with Image.open(COMPONENT / "brand" / "icon.png") as icon:
        assert icon.format == "PNG"
        assert icon.size == (256, 256)
    with Image.open(COMPONENT / "brand" / "icon@2x.png") as icon2x:
        assert icon2x.size == (512, 512)
    with Image.open(COMPONENT / "brand" / "logo.png") as logo:
        assert logo.format == "PNG"
        assert logo.size[0] > logo.size[1]


def test_entity_translations_and_icons() -> None:
    """Every entity's name, states and event types are translated, and nothing else is."""
    entities = TRANSLATIONS["entity"]
    icons = load(COMPONENT / "icons.json")["entity"]
    in_code = {
        "binary_sensor": {binary_sensor.LIVE.translation_key},
        "sensor": {d.translation_key for d in sensor.SENSORS},
        "event": {d.translation_key for d in event.EVENTS},
    }
    for platform, keys in in_code.items():
        assert set(entities[platform]) == keys, platform
        assert set(icons[platform]) == keys, platform
    assert set(entities["sensor"]["connection"]["state"]) == {
        s.value for s in ConnectionState
    }
    assert set(icons["sensor"]["connection"]["state"]) == {
        s.value for s in ConnectionState
    }
    for description in event.EVENTS:
        states = entities["event"][description.key]["state_attributes"]["event_type"][
            "state"
        ]
        assert set(states) == set(description.event_types), description.key


def _literals(*names: str) -> set[str]:
    strings: set[str] = set()
    for name in names:
        tree = ast.parse((COMPONENT / name).read_text())
        strings |= {
            node.value
            for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str)
        }
    return strings


def _keywords(name: str, keyword: str) -> set[str]:
    tree = ast.parse((COMPONENT / name).read_text())
    return {
        node.value.value
        for node in ast.walk(tree)
        if isinstance(node, ast.keyword)
        and node.arg == keyword
        and isinstance(node.value, ast.Constant)
        and isinstance(node.value.value, str)
    }


def test_config_flow_translations() -> None:
    """Steps, errors and aborts of the flows exist on both sides."""
    config = TRANSLATIONS["config"]
    # "init" is the options flow's step.
    assert set(config["step"]) == _keywords("config_flow.py", "step_id") - {"init"}
    assert set(TRANSLATIONS["options"]["step"]) == {"init"}
    literals = _literals("config_flow.py", "validation.py")
    for key in config["error"]:
        assert key in literals, key
    for key in config["abort"]:
        assert key in literals or key == "already_configured", key
    errors_in_code = {
        "invalid_creator",
        "user_not_found",
        "rate_limited",
        "invalid_api_key",
        "invalid_session",
        "cannot_connect",
        "unknown",
        "must_trust_sign_server",
    }
    assert errors_in_code <= literals
    assert set(config["error"]) == errors_in_code


def test_issue_and_exception_translations() -> None:
    """Every issue and translated exception has its text, and every text is used."""
    issues = TRANSLATIONS["issues"]
    assert set(issues) == {*ALL_ISSUES, "rate_limited_with_key"}
    for key in ("user_not_found", "premium_required", "session_not_trusted"):
        steps = set(issues[key]["fix_flow"]["step"])
        assert steps <= _keywords("repairs.py", "step_id") | {"init"}, key
    raised = _keywords("coordinator.py", "translation_key") | _keywords(
        "services.py", "translation_key"
    )
    assert set(TRANSLATIONS["exceptions"]) == raised


def test_service_translations_and_selectors() -> None:
    """services.yaml fields, their translations, icons and selector options agree."""
    services = yaml.safe_load((COMPONENT / "services.yaml").read_text())
    translated = TRANSLATIONS["services"]
    assert set(services) == set(translated)
    for service, spec in services.items():
        assert set(spec["fields"]) == set(translated[service]["fields"]), service
    icons = load(COMPONENT / "icons.json")["services"]
    assert set(icons) == set(services)
    type_selector = services["simulate_event"]["fields"]["type"]["selector"]["select"]
    assert set(type_selector["options"]) == set(
        TRANSLATIONS["selector"][type_selector["translation_key"]]["options"]
    )
    assert set(TRANSLATIONS["selector"]["bus_event_types"]["options"]) == {
        t.value for t in EventType
    }


def test_quality_scale_is_complete() -> None:
    """Every Platinum-and-below rule has a state; exemptions say why."""
    rules = yaml.safe_load((COMPONENT / "quality_scale.yaml").read_text())["rules"]
    assert len(rules) >= 52
    for rule, value in rules.items():
        status = value if isinstance(value, str) else value["status"]
        assert status in {"done", "todo", "exempt"}, rule
        if status == "exempt":
            assert value["comment"], rule


def _schema_keys(*names: str) -> set[str]:
    """Field names of every vol.Required/vol.Optional in these modules."""
    from custom_components.tiktok_live import const, validation

    constants = {
        name: value
        for module in (const, validation)
        for name, value in vars(module).items()
        if name.startswith("CONF_") and isinstance(value, str)
    }
    keys: set[str] = set()
    for name in names:
        for node in ast.walk(ast.parse((COMPONENT / name).read_text())):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in ("Required", "Optional")
                and node.args
            ):
                first = node.args[0]
                if isinstance(first, ast.Name):
                    keys.add(constants[first.id])
                elif isinstance(first, ast.Constant):
                    keys.add(first.value)
    return keys


def _translated_fields() -> set[str]:
    fields: set[str] = set()
    steps = [
        *TRANSLATIONS["config"]["step"].values(),
        *TRANSLATIONS["options"]["step"].values(),
    ]
    for issue in TRANSLATIONS["issues"].values():
        steps += list(issue.get("fix_flow", {}).get("step", {}).values())
    for step in steps:
        fields |= set(step.get("data", {}))
        fields |= set(step.get("sections", {}))
        for section in step.get("sections", {}).values():
            fields |= set(section.get("data", {}))
    return fields


def test_form_fields_are_translated_both_ways() -> None:
    """Every form field has a label, and every label belongs to a field."""
    in_code = _schema_keys("config_flow.py", "repairs.py")
    assert in_code == _translated_fields()
