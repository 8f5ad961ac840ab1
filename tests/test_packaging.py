"""What HACS and hassfest check, and translations that match the code both ways.

The translation checks read the integration's sources with ``ast`` (plus the
entity descriptions and service schemas, imported): every key the code uses
must have its text in translations/en.json, and every text there must be used.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass, field
import importlib
import inspect
import json
from pathlib import Path
import re
import string
import textwrap
from typing import Any

from awesomeversion import AwesomeVersion, AwesomeVersionStrategy
import homeassistant
from homeassistant.components.sensor import SensorDeviceClass
from homeassistant.const import Platform
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers.entity import EntityDescription
from packaging.requirements import Requirement
from packaging.version import Version
from PIL import Image
import pytest
import voluptuous as vol
import yaml

from custom_components.tiktok_live import PLATFORMS

ROOT = Path(__file__).parent.parent
COMPONENT = ROOT / "custom_components" / "tiktok_live"
PACKAGE = "custom_components.tiktok_live"

# hacs/integration custom_components/hacs/utils/validate.py, extra=PREVENT_EXTRA.
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
# hassfest script/hassfest/manifest.py: what a custom integration may use here.
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
MANIFEST_REQUIRED = {
    "domain",
    "name",
    "codeowners",
    "documentation",
    "iot_class",
    "issue_tracker",
    "version",
}


def load(path: Path) -> Any:
    return json.loads(path.read_text())


TRANSLATIONS: dict[str, Any] = load(COMPONENT / "translations" / "en.json")
ICONS: dict[str, Any] = load(COMPONENT / "icons.json")
SERVICES_YAML: dict[str, Any] = yaml.safe_load(
    (COMPONENT / "services.yaml").read_text()
)


# --------------------------------------------------------------------- HACS


def test_hacs_json() -> None:
    """Only keys HACS accepts; the minimum Home Assistant is the oldest tested one."""
    hacs = load(ROOT / "hacs.json")
    assert set(hacs) <= HACS_KEYS
    assert hacs["name"] == "TikTok LIVE"
    assert hacs["homeassistant"] == "2025.4.0"
    assert AwesomeVersion(hacs["homeassistant"]).strategy is (
        AwesomeVersionStrategy.CALVER
    )
    # Dropped from the HACS docs: the README is always rendered.
    assert "render_readme" not in hacs
    if hacs.get("zip_release"):
        assert hacs.get("filename")


def test_manifest() -> None:
    """Every key hassfest and HACS want, nothing else, sorted as hassfest sorts."""
    manifest = load(COMPONENT / "manifest.json")
    assert MANIFEST_REQUIRED <= set(manifest) <= MANIFEST_KEYS
    assert list(manifest)[:2] == ["domain", "name"]
    assert list(manifest)[2:] == sorted(list(manifest)[2:])
    assert manifest["domain"] == COMPONENT.name
    assert manifest["name"] == "TikTok LIVE"
    assert manifest["config_flow"] is True
    assert manifest["integration_type"] == "service"
    assert manifest["iot_class"] == "cloud_push"
    assert manifest["documentation"].startswith("https://")
    assert "home-assistant.io" not in manifest["documentation"]
    assert manifest["issue_tracker"].startswith("https://")
    assert isinstance(manifest["codeowners"], list)
    assert manifest["codeowners"]
    assert all(re.fullmatch(r"@[\w.-]+(/[\w.-]+)?", o) for o in manifest["codeowners"])
    assert manifest["loggers"] == [PACKAGE]
    Version(manifest["version"])
    assert AwesomeVersion(manifest["version"]).strategy is not (
        AwesomeVersionStrategy.UNKNOWN
    )


def _pins(path: Path, package: str) -> list[Version]:
    pattern = re.compile(rf"^{package}==(\S+)", re.MULTILINE)
    return [Version(pin) for pin in pattern.findall(path.read_text())]


def test_manifest_requirements_fit_home_assistant() -> None:
    """Each requirement's range admits what the tests pin and every supported HA pins."""
    requirements = {
        Requirement(text).name: Requirement(text).specifier
        for text in load(COMPONENT / "manifest.json")["requirements"]
    }
    assert set(requirements) == {"protobuf", "aiohttp-socks"}
    assert Version("5.29.2") in requirements["protobuf"]  # Home Assistant 2025.4.4
    assert Version("7.36.0") in requirements["protobuf"]  # Home Assistant 2026.10.4
    constraints = Path(homeassistant.__file__).parent / "package_constraints.txt"
    for name, specifier in requirements.items():
        for target in ("oldest", "newest", "demo"):
            for pin in _pins(ROOT / "requirements" / f"{target}.txt", name):
                assert pin in specifier, (target, name, pin)
        # And the Home Assistant these tests run on (its constraints win at install).
        for pin in _pins(constraints, name):
            assert pin in specifier, (name, pin)


# script/hassfest/dependencies.py: components a module may import without
# listing them in dependencies (besides platforms and its own platform files).
HASSFEST_ALLOWED_COMPONENTS = {p.value for p in Platform} | {
    "alert",
    "automation",
    "conversation",
    "default_config",
    "device_automation",
    "frontend",
    "group",
    "homeassistant",
    "input_boolean",
    "input_button",
    "input_datetime",
    "input_number",
    "input_select",
    "input_text",
    "media_source",
    "onboarding",
    "panel_custom",
    "persistent_notification",
    "person",
    "script",
    "shopping_list",
    "sun",
    "system_health",
    "system_log",
    "timer",
    "webhook",
    "websocket_api",
    "zone",
    "mjpeg",
    "stream",
}


def test_component_imports_pass_hassfest() -> None:
    """Every Home Assistant component imported is allowed without a dependency."""
    manifest = load(COMPONENT / "manifest.json")
    allowed = (
        HASSFEST_ALLOWED_COMPONENTS
        | set(manifest.get("dependencies", []))
        | set(manifest.get("after_dependencies", []))
        | {path.stem for path in COMPONENT.glob("*.py")}  # own platform files
    )
    used: dict[str, str] = {}
    for path in COMPONENT.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            else:
                continue
            for name in names:
                if name.startswith("homeassistant.components."):
                    used[name.split(".")[2]] = path.name
    assert {c: f for c, f in used.items() if c not in allowed} == {}


# ------------------------------------------------------------------- brand


@pytest.mark.parametrize(
    ("name", "size"),
    [("icon.png", (256, 256)), ("icon@2x.png", (512, 512))],
)
def test_brand_icons(name: str, size: tuple[int, int]) -> None:
    """Square PNG icons of the exact size, transparent around the rounded tile."""
    with Image.open(COMPONENT / "brand" / name) as image:
        assert image.format == "PNG"
        assert image.size == size
        assert image.mode == "RGBA"
        assert image.getpixel((0, 0))[3] == 0  # transparent corner
        assert image.getbbox() == (0, 0, *size)  # trimmed


@pytest.mark.parametrize(
    ("name", "shortest"),
    [
        ("logo.png", (128, 256)),
        ("logo@2x.png", (256, 512)),
        ("dark_logo.png", (128, 256)),
        ("dark_logo@2x.png", (256, 512)),
    ],
)
def test_brand_logos(name: str, shortest: tuple[int, int]) -> None:
    """Landscape PNG logos sized as the brands repository asks, trimmed."""
    with Image.open(COMPONENT / "brand" / name) as image:
        assert image.format == "PNG"
        assert image.mode == "RGBA"
        width, height = image.size
        assert width > height
        assert shortest[0] <= height <= shortest[1]
        assert image.getbbox() == (0, 0, width, height)


def test_brand_files_are_known() -> None:
    """Only names Home Assistant serves from brand/; dark logos match the light ones."""
    allowed = {
        f"{prefix}{kind}{suffix}.png"
        for prefix in ("", "dark_")
        for kind in ("icon", "logo")
        for suffix in ("", "@2x")
    }
    present = {path.name for path in (COMPONENT / "brand").iterdir()}
    assert "icon.png" in present
    assert present <= allowed
    for name in present:
        if name.startswith("dark_") and (COMPONENT / "brand" / name[5:]).exists():
            with (
                Image.open(COMPONENT / "brand" / name) as dark,
                Image.open(COMPONENT / "brand" / name[5:]) as light,
            ):
                assert dark.size == light.size, name


# --------------------------------------------------------- the AST scanner

MODULES: dict[str, ast.Module] = {
    path.stem: ast.parse(path.read_text(), str(path))
    for path in sorted(COMPONENT.glob("*.py"))
}


def _top_level_strings() -> dict[str, str]:
    """NAME = "value" at the top level of the integration's modules."""
    found: dict[str, str] = {}
    for tree in MODULES.values():
        for node in tree.body:
            if isinstance(node, ast.Assign) and len(node.targets) == 1:
                target, value = node.targets[0], node.value
            elif isinstance(node, ast.AnnAssign) and node.value is not None:
                target, value = node.target, node.value
            else:
                continue
            if (
                isinstance(target, ast.Name)
                and isinstance(value, ast.Constant)
                and isinstance(value.value, str)
            ):
                assert found.setdefault(target.id, value.value) == value.value
    return found


CONSTANTS = _top_level_strings()
DOMAIN = CONSTANTS["DOMAIN"]


def strings(node: ast.AST | None) -> set[str]:
    """The string values an expression can have, as far as it is literal."""
    match node:
        case ast.Constant(value=str() as value):
            return {value}
        case ast.Name(id=name) if name in CONSTANTS:
            return {CONSTANTS[name]}
        case ast.IfExp(body=body, orelse=orelse):
            return strings(body) | strings(orelse)
        case ast.BoolOp(values=values):
            return set().union(*(strings(value) for value in values))
        case ast.List(elts=elements) | ast.Tuple(elts=elements):
            return set().union(*(strings(element) for element in elements))
        case _:
            return set()


def the_string(node: ast.AST | None) -> str:
    [value] = strings(node)
    return value


def dict_keys(node: ast.AST | None) -> set[str]:
    """The literal keys of a dict display (``**spread`` parts are skipped)."""
    if not isinstance(node, ast.Dict):
        return set()
    return set().union(*(strings(key) for key in node.keys if key is not None))


def call_name(node: ast.Call) -> str | None:
    match node.func:
        case ast.Attribute(attr=name) | ast.Name(id=name):
            return name
        case _:
            return None


def calls(tree: ast.AST, *names: str) -> Iterator[ast.Call]:
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and call_name(node) in names:
            yield node


def keyword(call: ast.Call, name: str) -> ast.expr | None:
    return next((kw.value for kw in call.keywords if kw.arg == name), None)


def placeholders(text: Any) -> set[str]:
    """The {placeholders} in a translation text, or in all texts below it."""
    if isinstance(text, dict):
        return set().union(*(placeholders(value) for value in text.values()))
    return set(re.findall(r"\{(\w+)\}", text))


def schema_keys(node: ast.AST) -> set[str]:
    """Field names of every vol.Required / vol.Optional below ``node``."""
    return {the_string(call.args[0]) for call in calls(node, "Required", "Optional")}


Function = ast.FunctionDef | ast.AsyncFunctionDef
# Module-level functions the flows can call (names are unique across these).
FUNCTIONS: dict[str, Function] = {
    node.name: node
    for module in ("api", "config_flow", "repairs", "validation")
    for node in MODULES[module].body
    if isinstance(node, Function)
}


def _returned_strings(function: Function) -> set[str]:
    return set().union(
        *(
            strings(node.value)
            for node in ast.walk(function)
            if isinstance(node, ast.Return)
        )
    )


def form_errors(
    function: Function, *, follow: bool = True, seen: frozenset[str] = frozenset()
) -> set[str]:
    """Error keys a function (and, with ``follow``, what it calls) can put in a form.

    Errors are the values of ``errors = {...}``, ``errors[...] = ...`` and, in
    module-level functions returning ``dict[str, str]``, of the dicts they
    return; a variable set from a call stands for the strings the called
    function returns (``key = _error_key(err)``).
    """
    local: dict[str, ast.expr] = {
        target.id: node.value
        for node in ast.walk(function)
        if isinstance(node, ast.Assign)
        for target in node.targets
        if isinstance(target, ast.Name)
    }

    def resolve(value: ast.expr) -> set[str]:
        found = strings(value)
        if isinstance(value, ast.Name) and value.id in local:
            found |= resolve(local[value.id])
        if isinstance(value, ast.Call) and call_name(value) in FUNCTIONS:
            found |= _returned_strings(FUNCTIONS[str(call_name(value))])
        return found

    returns_errors = FUNCTIONS.get(function.name) is function and (
        "dict[str, str]" in ast.unparse(function.returns or ast.Pass())
    )
    errors: set[str] = set()
    for node in ast.walk(function):
        values: list[ast.expr] = []
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name) and target.id == "errors":
                    if isinstance(node.value, ast.Dict):
                        values += node.value.values
                elif (
                    isinstance(target, ast.Subscript)
                    and isinstance(target.value, ast.Name)
                    and target.value.id == "errors"
                ):
                    values.append(node.value)
        elif isinstance(node, ast.Return) and returns_errors and node.value:
            parts = (
                node.value.elts if isinstance(node.value, ast.Tuple) else [node.value]
            )
            for part in parts:
                if isinstance(part, ast.Dict):
                    values += part.values
        elif follow and isinstance(node, ast.Call):
            name = call_name(node)
            if name in FUNCTIONS and name not in seen and name != function.name:
                errors |= form_errors(FUNCTIONS[name], seen=seen | {function.name})
        for value in values:
            errors |= resolve(value)
    return errors


@dataclass
class Step:
    """One form or menu of a flow, as the code shows it."""

    # The description_placeholders of each place in the code that shows it.
    shown_with: list[set[str]] = field(default_factory=list)
    fields: set[str] = field(default_factory=set)
    menu_options: set[str] | None = None

    @property
    def placeholders(self) -> set[str]:
        """The placeholders every place that shows the step supplies."""
        return _common(self.shown_with)


@dataclass
class Flow:
    """A config, options or repair flow class."""

    kind: str
    node: ast.ClassDef
    bases: list[ast.ClassDef]
    steps: dict[str, Step] = field(default_factory=dict)
    errors: set[str] = field(default_factory=set)
    # Set in the flow's own methods, not by a validator it calls.
    own_errors: set[str] = field(default_factory=set)
    aborts: set[str] = field(default_factory=set)
    # The description_placeholders of every abort (Home Assistant's abort
    # helpers give none).
    abort_placeholders: list[set[str]] = field(default_factory=list)
    # Keys of every dict the flow sets as its context's title_placeholders,
    # and the methods that do.
    title_placeholders: list[set[str]] = field(default_factory=list)
    namers: set[str] = field(default_factory=set)

    @property
    def form_placeholders(self) -> set[str]:
        """The placeholders every form of the flow supplies (its errors show there)."""
        return _common(
            [
                given
                for step in self.steps.values()
                if step.menu_options is None
                for given in step.shown_with
            ]
        )


FLOW_KINDS = {
    "ConfigFlow": "config",
    "OptionsFlow": "options",
    "RepairsFlow": "repairs",
}


def _method(flow: Flow, name: str) -> Function | None:
    for cls in (flow.node, *flow.bases):
        for node in cls.body:
            if isinstance(node, Function) and node.name == name:
                return node
    return None


def _step_placeholders(flow: Flow, value: ast.expr | None) -> set[str]:
    if isinstance(value, ast.Dict):
        return dict_keys(value)
    if isinstance(value, ast.Attribute) and (
        method := _method(flow, value.attr)
    ):  # self._placeholders: a property returning a dict display
        returned = [
            dict_keys(node.value)
            for node in ast.walk(method)
            if isinstance(node, ast.Return)
        ]
        return set.intersection(*returned)
    assert value is None, ast.unparse(value)
    return set()


def _is_title_placeholders(target: ast.expr) -> bool:
    """``self.context["title_placeholders"]``."""
    return (
        isinstance(target, ast.Subscript)
        and isinstance(target.value, ast.Attribute)
        and target.value.attr == "context"
        and strings(target.slice) == {"title_placeholders"}
    )


def _flows() -> dict[str, Flow]:
    classes: dict[str, Flow] = {}
    for module in ("config_flow", "repairs"):
        for node in MODULES[module].body:
            if not isinstance(node, ast.ClassDef):
                continue
            for base in node.bases:
                name = ast.unparse(base)
                if name in FLOW_KINDS:
                    classes[node.name] = Flow(FLOW_KINDS[name], node, [])
                elif name in classes:
                    parent = classes[name]
                    classes[node.name] = Flow(
                        parent.kind, node, [parent.node, *parent.bases]
                    )
    for flow in classes.values():
        methods = [n for n in flow.node.body if isinstance(n, Function)]
        for method in methods:
            flow.errors |= form_errors(method)
            flow.own_errors |= form_errors(method, follow=False)
            for call in calls(method, "async_show_form", "async_show_menu"):
                # A step id can be an "a if x else b": the call shows either.
                step_ids = strings(keyword(call, "step_id"))
                assert step_ids, ast.unparse(call)
                for step_id in step_ids:
                    step = flow.steps.setdefault(step_id, Step())
                    step.shown_with.append(
                        _step_placeholders(
                            flow, keyword(call, "description_placeholders")
                        )
                    )
                    if call_name(call) == "async_show_menu":
                        step.menu_options = strings(keyword(call, "menu_options"))
                        continue
                    step.fields |= schema_keys(method)
                    for helper in calls(method, *FUNCTIONS):
                        step.fields |= schema_keys(FUNCTIONS[str(call_name(helper))])
            # Aborts: explicit reasons, and those of Home Assistant's helpers.
            for call in calls(method, "async_abort"):
                flow.aborts |= strings(keyword(call, "reason"))
                flow.abort_placeholders.append(
                    _step_placeholders(flow, keyword(call, "description_placeholders"))
                )
            for call in calls(method, "_abort_if_unique_id_mismatch"):
                flow.aborts |= strings(keyword(call, "reason")) or {
                    "unique_id_mismatch"
                }
                flow.abort_placeholders.append(set())
            for node in ast.walk(method):
                if isinstance(node, ast.Assign) and any(
                    isinstance(t, ast.Name) and t.id == "reason" for t in node.targets
                ):
                    flow.aborts |= strings(node.value)
                if isinstance(node, ast.Assign) and any(
                    _is_title_placeholders(t) for t in node.targets
                ):
                    flow.title_placeholders.append(dict_keys(node.value))
                    flow.namers.add(method.name)
            if any(calls(method, "_abort_if_unique_id_configured")):
                flow.aborts.add("already_configured")
                flow.abort_placeholders.append(set())
            for call in calls(method, "async_set_unique_id"):
                progress = keyword(call, "raise_on_progress")
                if not (isinstance(progress, ast.Constant) and progress.value is False):
                    flow.aborts.add("already_in_progress")
                    flow.abort_placeholders.append(set())
    return classes


FLOWS = _flows()


def _of_kind(kind: str) -> list[Flow]:
    return [flow for flow in FLOWS.values() if flow.kind == kind and flow.steps]


def _translated_fields(step: dict[str, Any]) -> set[str]:
    fields = set(step.get("data", {})) | set(step.get("sections", {}))
    for section in step.get("sections", {}).values():
        fields |= set(section.get("data", {}))
    return fields


# Which texts of a config or options flow step Home Assistant's frontend
# formats with the step's description_placeholders, on both targets. The
# frontend of 2025.4.4 (home-assistant-frontend 20250411.0) localizes field
# labels (data), section names and descriptions, menu titles and submit
# buttons without them, so a placeholder there shows "Translation error: The
# intl string context variable ... was not provided" (field labels get them
# from frontend PR #25115 on, after 2025.4). Titles of forms, descriptions,
# data_description (also in sections), menu options, errors and aborts are
# formatted. A repair flow formats every text of its fix_flow with the issue's
# translation_placeholders merged with the step's description_placeholders.
FORMATTED_STEP_TEXTS = {"title", "description", "data_description", "menu_options"}


def _step_text_placeholders(
    text: dict[str, Any], *, menu: bool
) -> tuple[set[str], set[str]]:
    """(Placeholders of the formatted texts of a step, of the others)."""
    formatted: set[str] = set()
    verbatim: set[str] = set()
    for key, value in text.items():
        if key == "sections":
            for section in value.values():
                for part, texts in section.items():
                    found = placeholders(texts)
                    if part == "data_description":
                        formatted |= found
                    else:
                        verbatim |= found
        elif key in FORMATTED_STEP_TEXTS and not (menu and key == "title"):
            formatted |= placeholders(value)
        else:
            verbatim |= placeholders(value)
    return formatted, verbatim


def _check_steps(
    steps: dict[str, Step],
    translated: dict[str, Any],
    *,
    issue_placeholders: set[str] | None = None,
) -> None:
    """Forms and menus of the code against their translated texts.

    Every placeholder must be in a text the frontend formats, and supplied at
    every place in the code that shows the step. ``issue_placeholders``: the
    step is a fix flow's, shown with these too, and every text is formatted.
    """
    assert set(translated) == set(steps)
    for step_id, step in steps.items():
        text = translated[step_id]
        if issue_placeholders is None:
            formatted, verbatim = _step_text_placeholders(
                text, menu=step.menu_options is not None
            )
            given = step.placeholders
        else:
            formatted, verbatim = placeholders(text), set()
            given = step.placeholders | issue_placeholders
        assert not verbatim, (
            f"{step_id}: {sorted(verbatim)} in a field label, section or menu "
            "title: Home Assistant 2025.4 shows them unformatted (Translation error)"
        )
        assert formatted <= given, (
            f"{step_id}: {sorted(formatted - given)} not supplied wherever "
            "the step is shown"
        )
        assert _translated_fields(text) == step.fields, step_id
        assert set(text.get("data_description", {})) <= set(text.get("data", {}))
        for section in text.get("sections", {}).values():
            assert set(section.get("data_description", {})) <= set(section["data"])
        if step.menu_options is not None:
            assert set(text["menu_options"]) == step.menu_options, step_id
        else:
            assert "menu_options" not in text, step_id


def _common(given: list[set[str]]) -> set[str]:
    """What every one of these places supplies (nothing if there is none)."""
    return set.intersection(*given) if given else set()


def _check_formatted(texts: dict[str, str], given: set[str], what: str) -> None:
    """Error or abort texts use only placeholders that every place supplies."""
    for key, text in texts.items():
        missing = placeholders(text) - given
        assert not missing, f"{what} {key}: {sorted(missing)} not always supplied"


def _merge_steps(flows: list[Flow]) -> dict[str, Step]:
    merged: dict[str, Step] = {}
    for flow in flows:
        for step_id, step in flow.steps.items():
            assert step_id not in merged, step_id
            merged[step_id] = step
    return merged


# ----------------------------------------------------- translation checks


def test_translation_sections_are_known() -> None:
    """Only the sections this integration fills, each checked below."""
    assert set(TRANSLATIONS) == {
        "config",
        "options",
        "selector",
        "entity",
        "exceptions",
        "issues",
        "services",
    }


# script/hassfest/translations.py (home-assistant/core): hassfest validates a
# custom integration's translations/en.json with these value rules.
HASSFEST_URL = re.compile(
    r"(((ftp|ftps|scp|http|https|mqtt|mqtts|socket|socks5):\/\/|www\.)"
    r"[a-z0-9]+([\-\.]{1}[a-z0-9]+)*\.[a-z]{2,5}(:[0-9]{1,5})?(\/.*)?)",
    re.IGNORECASE,
)


def _texts(value: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[str, str]]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _texts(item, (*path, key))
    else:
        yield ".".join(path), value


def _hassfest_problem(where: str, text: str) -> str | None:
    try:
        cv.string_with_no_html(text)
    except vol.Invalid:
        return "HTML"
    if re.search(r"'{\w+}'", text):
        return "placeholder in single quotes"
    names = [name for _, name, _, _ in string.Formatter().parse(text) if name]
    if any(not name.isidentifier() for name in names):
        return "placeholder is not an identifier"
    # Entity states, attribute names and units take no placeholders; only
    # entity.<platform>.<key>.name may.
    entity_name = where.count(".") == 3 and where.endswith(".name")
    if names and where.startswith("entity.") and not entity_name:
        return "placeholder where none is allowed"
    if text != text.strip():
        return "leading or trailing spaces"
    if HASSFEST_URL.search(text):
        return "URL: hassfest wants it in a description placeholder"
    return None


def test_translation_texts_pass_hassfest() -> None:
    """No HTML, URL, stray space or bad placeholder in any text of en.json."""
    problems = {
        where: problem
        for where, text in _texts(TRANSLATIONS)
        if (problem := _hassfest_problem(where, text))
    }
    assert not problems, "\n".join(f"{where}: {why}" for where, why in problems.items())


def test_config_flow_steps_fields_and_errors() -> None:
    """Every form and menu, field, placeholder and error of the config flow."""
    [config_flow] = _of_kind("config")
    config = TRANSLATIONS["config"]
    _check_steps(config_flow.steps, config["step"])
    assert set(config["error"]) == config_flow.errors
    # An error shows on a form with that form's placeholders.
    _check_formatted(config["error"], config_flow.form_placeholders, "error")


def test_config_flow_aborts() -> None:
    """Every abort reason the config flow can end with has its text, and only those.

    ``already_in_progress`` comes from ``async_set_unique_id`` (raise_on_progress
    defaults to True): a second user or reconfigure flow for the same creator.
    """
    [config_flow] = _of_kind("config")
    assert set(TRANSLATIONS["config"]["abort"]) == config_flow.aborts
    _check_formatted(
        TRANSLATIONS["config"]["abort"],
        _common(config_flow.abort_placeholders),
        "abort",
    )


def _statement_lists(function: Function) -> Iterator[list[ast.stmt]]:
    for node in ast.walk(function):
        for name in ("body", "orelse", "finalbody"):
            body = getattr(node, name, None)
            if isinstance(body, list) and body and isinstance(body[0], ast.stmt):
                yield body


def test_flow_title() -> None:
    """The flow's name where the integrations page lists it (and the reauth card).

    The frontend formats config.flow_title with the flow's title_placeholders
    (2025.4.4 and later; without a flow_title it shows the "name" one). Home
    Assistant gives a reauth flow {"name": entry title}; every way through
    async_step_reauth must name the flow with every placeholder flow_title
    uses before it shows anything, and the step title it names the flow
    after is inserted as it is: it may have no placeholder of its own.
    """
    [config_flow] = _of_kind("config")
    config = TRANSLATIONS["config"]
    if "flow_title" not in config:
        assert not config_flow.title_placeholders
        return
    needed = placeholders(config["flow_title"])
    assert config_flow.title_placeholders, "flow_title, but no title_placeholders"
    for given in config_flow.title_placeholders:
        assert needed <= given, sorted(needed - given)
    reauth = _method(config_flow, "async_step_reauth")
    assert reauth is not None
    for body in _statement_lists(reauth):
        for index, statement in enumerate(body):
            if not isinstance(statement, ast.Return):
                continue
            before = body[index - 1] if index else None
            awaited = (
                before.value.value
                if isinstance(before, ast.Expr) and isinstance(before.value, ast.Await)
                else None
            )
            named_first = (
                isinstance(awaited, ast.Call)
                and call_name(awaited) in config_flow.namers
            )
            assert named_first, (
                f"line {statement.lineno}: a reauth flow without its name"
            )
    named = set().union(
        *(strings(call.args[0]) for call in calls(reauth, *config_flow.namers))
    )
    assert named
    for step_id in named:
        title = config["step"][step_id]["title"]
        assert not placeholders(title), step_id
        assert step_id in config_flow.steps, step_id


def test_options_flow() -> None:
    """The options form: fields and texts, no errors or aborts on either side."""
    [options_flow] = _of_kind("options")
    options = TRANSLATIONS["options"]
    _check_steps(options_flow.steps, options["step"])
    assert set(options.get("error", {})) == options_flow.errors
    assert set(options.get("abort", {})) == options_flow.aborts
    _check_formatted(options.get("error", {}), options_flow.form_placeholders, "error")
    _check_formatted(
        options.get("abort", {}),
        _common(options_flow.abort_placeholders),
        "abort",
    )


@dataclass
class Issue:
    """A repair issue the code can create."""

    placeholders: set[str]
    fixable: bool


def _issues() -> dict[str, Issue]:
    """Every issue created, through ir.async_create_issue or a helper around it.

    An issue created in several places gets the placeholders all of them give.
    """
    sites: dict[str, list[Issue]] = {}
    for tree in MODULES.values():
        for function in (n for n in ast.walk(tree) if isinstance(n, Function)):
            for create in calls(function, "async_create_issue"):
                given = dict_keys(keyword(create, "translation_placeholders"))
                fixable = keyword(create, "is_fixable")
                if keys := strings(keyword(create, "translation_key")):
                    is_fixable = isinstance(fixable, ast.Constant) and fixable.value
                    for key in keys:
                        sites.setdefault(key, []).append(Issue(given, bool(is_fixable)))
                    continue
                # A helper passes its arguments through: look at its callers.
                assert isinstance(fixable, ast.Name), ast.unparse(create)
                defaults = dict(
                    zip(
                        [a.arg for a in function.args.kwonlyargs],
                        function.args.kw_defaults,
                        strict=True,
                    )
                )
                for caller in calls(tree, function.name):
                    keys = strings(keyword(caller, "translation_key")) or strings(
                        caller.args[0]
                    )
                    is_fixable = keyword(caller, fixable.id) or defaults[fixable.id]
                    passed = set().union(
                        *(dict_keys(kw.value) for kw in caller.keywords)
                    )
                    for key in keys:
                        sites.setdefault(key, []).append(
                            Issue(
                                given | passed,
                                isinstance(is_fixable, ast.Constant)
                                and bool(is_fixable.value),
                            )
                        )
    issues: dict[str, Issue] = {}
    for key, created in sites.items():
        assert len({issue.fixable for issue in created}) == 1, key
        issues[key] = Issue(
            set.intersection(*(issue.placeholders for issue in created)),
            created[0].fixable,
        )
    return issues


def _fix_flows() -> dict[str, Flow]:
    """Issue key -> its repair flow, from the ifs of async_create_fix_flow."""
    fix_flows: dict[str, Flow] = {}
    create = FUNCTIONS["async_create_fix_flow"]
    for node in ast.walk(create):
        if isinstance(node, ast.If) and isinstance(node.test, ast.Compare):
            [returned] = [n for n in node.body if isinstance(n, ast.Return)]
            assert isinstance(returned.value, ast.Call)
            flow = FLOWS[str(call_name(returned.value))]
            for key in strings(node.test.comparators[0]):
                fix_flows[key] = flow
    return fix_flows


def test_issue_translations() -> None:
    """Every issue has its title and text (or fix flow), with the placeholders given."""
    issues = _issues()
    translated = TRANSLATIONS["issues"]
    assert set(translated) == set(issues)
    fix_flows = _fix_flows()
    for key, issue in issues.items():
        text = translated[key]
        assert text["title"], key
        if issue.fixable:
            assert key in fix_flows, key
            assert "fix_flow" in text, key
            assert "description" not in text, key
        else:
            assert key not in fix_flows, key
            assert set(text) == {"title", "description"}, key
        issue_texts = {k: v for k, v in text.items() if k != "fix_flow"}
        missing = placeholders(issue_texts) - issue.placeholders
        assert not missing, f"{key}: {sorted(missing)} not given at every creation"


def test_repair_flow_translations() -> None:
    """Each fix flow's forms and menus, fields, placeholders and errors."""
    fix_flows = _fix_flows()
    assert set(fix_flows) == {
        key for key, text in TRANSLATIONS["issues"].items() if "fix_flow" in text
    }
    issues = _issues()
    for key, flow in fix_flows.items():
        text = TRANSLATIONS["issues"][key]["fix_flow"]
        given = issues[key].placeholders
        _check_steps(flow.steps, text["step"], issue_placeholders=given)
        _check_formatted(
            text.get("error", {}), flow.form_placeholders | given, f"{key} error"
        )
        _check_formatted(
            text.get("abort", {}),
            _common(flow.abort_placeholders) | given,
            f"{key} abort",
        )
        errors = set(text.get("error", {}))
        # Every text is used. The other way is exact for the flow's own errors;
        # a validator's keys include some its particular check never produces
        # (a handle lookup is never age restricted), so of those only the two
        # every check can end with are required.
        assert errors <= flow.errors, key
        assert flow.own_errors <= errors, key
        if flow.errors:
            assert {"cannot_connect", "unknown"} <= errors, key
        assert set(text.get("abort", {})) == flow.aborts, key


def test_exception_translations() -> None:
    """Every exception raised with a translation key has its message, and only those."""
    raised: dict[str, set[str]] = {}
    for tree in MODULES.values():
        for call in ast.walk(tree):
            if not isinstance(call, ast.Call):
                continue
            if (domain := keyword(call, "translation_domain")) is None:
                continue
            assert strings(domain) == {DOMAIN}, ast.unparse(call)
            key = the_string(keyword(call, "translation_key"))
            given = dict_keys(keyword(call, "translation_placeholders"))
            assert raised.setdefault(key, given) == given, key
    translated = TRANSLATIONS["exceptions"]
    assert set(translated) == set(raised)
    for key, given in raised.items():
        assert set(translated[key]) == {"message"}, key
        assert placeholders(translated[key]) == given, key


def test_no_placeholders_where_nothing_supplies_them() -> None:
    """Entity, selector and service texts: the code supplies no placeholders.

    Home Assistant formats entity names with the entity's
    translation_placeholders (this integration gives none), selector options
    and service texts with nothing on 2025.4.
    """
    for section in ("entity", "selector", "services"):
        found = {
            where: placeholders(text)
            for where, text in _texts(TRANSLATIONS[section], (section,))
            if placeholders(text)
        }
        assert not found, found


def _is_description(value: object) -> bool:
    # Not isinstance: Home Assistant's frozen-dataclass shim gives each frozen
    # description class a copy of EntityDescription in its bases.
    return any(cls.__name__ == "EntityDescription" for cls in type(value).__mro__)


def _descriptions() -> dict[str, list[EntityDescription]]:
    """Platform -> the entity descriptions its module defines."""
    found: dict[str, list[EntityDescription]] = {}
    for platform in PLATFORMS:
        module = importlib.import_module(f"{PACKAGE}.{platform.value}")
        descriptions: list[EntityDescription] = []
        for value in vars(module).values():
            if _is_description(value):
                descriptions.append(value)
            elif isinstance(value, tuple) and value:
                descriptions += [v for v in value if _is_description(v)]
        assert descriptions, platform
        found[platform.value] = descriptions
    return found


def _attribute_keys(function: Any) -> set[str]:
    """Keys of the dicts an attributes function returns."""
    tree = ast.parse(textwrap.dedent(inspect.getsource(function)))
    return set().union(
        *(
            dict_keys(node.value)
            for node in ast.walk(tree)
            if isinstance(node, ast.Return)
        )
    )


def test_entity_translations_and_icons() -> None:
    """Names, states, attributes and units of every entity, both ways; icons too."""
    entities = TRANSLATIONS["entity"]
    icons = ICONS["entity"]
    descriptions = _descriptions()
    assert set(entities) == set(descriptions)
    assert set(icons) == set(descriptions)
    base = next(n for n in MODULES["entity"].body if isinstance(n, ast.ClassDef))
    assert "_attr_has_entity_name = True" in ast.unparse(base)
    for platform, found in descriptions.items():
        keys = {d.translation_key for d in found}
        assert None not in keys, platform
        assert set(entities[platform]) == keys, platform
        assert set(icons[platform]) == keys, platform
        for description in found:
            key = str(description.translation_key)
            text, icon = entities[platform][key], icons[platform][key]
            assert text["name"], key
            assert not isinstance(description.name, str), key  # the text wins
            states: set[str] = set()
            if platform == "binary_sensor":
                states = {"on", "off"}
            elif getattr(description, "device_class", None) is SensorDeviceClass.ENUM:
                states = set(description.options or [])  # type: ignore[attr-defined]
                assert set(text["state"]) == states, key
            assert set(text.get("state", {})) <= states, key
            assert set(icon.get("state", {})) <= states, key
            assert set(icon) <= {"default", "state", "state_attributes", "range"}
            attributes = set(text.get("state_attributes", {}))
            if platform == "event":
                assert attributes == {"event_type"}, key
                event_types = text["state_attributes"]["event_type"]["state"]
                assert set(event_types) == set(description.event_types), key  # type: ignore[attr-defined]
            elif attributes_fn := getattr(description, "attributes_fn", None):
                assert attributes == _attribute_keys(attributes_fn), key
            else:
                assert not attributes, key
            if "unit_of_measurement" in text:
                # A translated unit only shows without a native unit or class.
                assert description.unit_of_measurement is None, key
                assert getattr(description, "native_unit_of_measurement", None) is None
                assert description.device_class is None, key


def _service_schemas() -> dict[str, Any]:
    """Service name -> the voluptuous schema it is registered with."""
    schemas: dict[str, Any] = {}
    for name, tree in MODULES.items():
        for call in calls(tree, "async_register"):
            assert strings(call.args[0]) == {DOMAIN}
            schema = keyword(call, "schema")
            assert isinstance(schema, ast.Name)
            module = importlib.import_module(f"{PACKAGE}.{name}")
            schemas[the_string(call.args[1])] = getattr(module, schema.id)
    return schemas


def test_service_translations_and_icons() -> None:
    """services.yaml, the registered schemas, their texts and icons agree."""
    schemas = _service_schemas()
    translated = TRANSLATIONS["services"]
    assert (
        set(SERVICES_YAML) == set(schemas) == set(translated) == set(ICONS["services"])
    )
    for service, spec in SERVICES_YAML.items():
        text = translated[service]
        assert text["name"], service
        assert text["description"], service
        fields = set(spec["fields"])
        assert fields == {str(key) for key in schemas[service].schema}, service
        assert set(text["fields"]) == fields, service
        for name, field_text in text["fields"].items():
            assert field_text["name"], (service, name)
            assert field_text["description"], (service, name)
        for name, validator in schemas[service].schema.items():
            options = getattr(validator, "container", None)
            selector = spec["fields"][str(name)]["selector"]
            if options is not None:
                assert set(selector["select"]["options"]) == set(options), name


def _selectors_in_code() -> dict[str, set[str]]:
    """Translated select selectors of the flows: key -> options."""
    found: dict[str, set[str]] = {}
    for name, tree in MODULES.items():
        module = vars(importlib.import_module(f"{PACKAGE}.{name}"))
        for call in calls(tree, "SelectSelectorConfig"):
            if (key := keyword(call, "translation_key")) is None:
                continue
            options_node = keyword(call, "options")
            assert options_node is not None
            # Evaluated in the module: [t.value for t in EventType] and the like.
            options = eval(
                compile(ast.Expression(options_node), name, "eval"), dict(module)
            )
            found[the_string(key)] = {str(o) for o in options}
    return found


def test_selector_translations() -> None:
    """Every select with a translation key, in services.yaml or a flow, both ways."""
    in_code = _selectors_in_code()
    for spec in SERVICES_YAML.values():
        for field_spec in spec["fields"].values():
            select = field_spec["selector"].get("select") or {}
            if key := select.get("translation_key"):
                in_code[key] = set(select["options"])
    translated = TRANSLATIONS["selector"]
    assert set(translated) == set(in_code)
    for key, options in in_code.items():
        assert set(translated[key]["options"]) == options, key


def test_quality_scale_is_complete() -> None:
    """Every Platinum-and-below rule has a state; exemptions say why."""
    rules = yaml.safe_load((COMPONENT / "quality_scale.yaml").read_text())["rules"]
    assert len(rules) >= 52
    for rule, value in rules.items():
        status = value if isinstance(value, str) else value["status"]
        assert status in {"done", "todo", "exempt"}, rule
        if status == "exempt":
            assert value["comment"], rule
