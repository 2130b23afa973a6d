"""The force file: one YAML file a police force edits to deploy the app.

Loaded and checked once at start-up. A mistake stops the app with a message naming the key,
because a wrong phone number on a page for people in crisis is worse than no page.
"""
import datetime
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from .config import StartupError


class ForceConfigError(StartupError):
    """The force file is missing, unreadable or has a bad value; the message names the key."""


@dataclass(frozen=True)
class Number:
    label: str  # as shown: "18001 101"
    dial: str  # as dialled: "18001101"

    @property
    def href(self) -> str:
        return f"tel:{self.dial}"


@dataclass(frozen=True)
class TextNumber:
    """A number to text, for someone who cannot speak aloud (a shared home, a watched room)."""
    label: str  # as shown: "85258"
    dial: str
    message: str | None = None  # the word to send, if the service asks for one: "SHOUT"

    @property
    def href(self) -> str:
        return f"sms:{self.dial}"


@dataclass(frozen=True)
class Service:
    id: str
    name: str
    who: str
    hours: str
    url: str
    # When someone last checked these details against the service's own published material.
    checked: datetime.date
    phone: Number | None = None
    text: TextNumber | None = None
    chat_url: str | None = None  # one-to-one online chat, for those who cannot talk aloud
    note: str | None = None  # one more plain sentence, e.g. where to find a text number

    @property
    def contactable(self) -> bool:
        """Reached directly (a call, a text or a chat), so listed beside the phone lines."""
        return bool(self.phone or self.text or self.chat_url)


@dataclass(frozen=True)
class NeutralLook:
    """The look a person may choose before installing: a plain name and icon, and page titles
    that say nothing, for a phone someone else may pick up."""
    name: str = "Notes"
    short_name: str = "Notes"
    icon_color: str = "#5f6b7a"
    # Open the installed app (in this look) on a plain page with a discreet way in.
    plain_first_screen: bool = False


@dataclass(frozen=True)
class Force:
    name: str
    short_name: str
    online_report_url: str
    theme_color: str
    numbers: dict[str, Number]
    exit_url: str
    exit_escape_key: bool
    services: tuple[Service, ...]
    phase: str | None = None
    feedback_url: str | None = None
    neutral: NeutralLook = NeutralLook()
    # Language codes offered (English first); the default is every language the app ships.
    languages: tuple[str, ...] = ("en",)
    source: str = field(default="", compare=False)

    def service(self, service_id: str) -> Service:
        for service in self.services:
            if service.id == service_id:
                return service
        raise KeyError(service_id)


_DIAL = re.compile(r"^\+?[0-9]{3,15}$")
_COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")


def _get(data: object, path: str, kind: type = str, required: bool = True) -> Any:
    node = data
    for part in path.split("."):
        if not isinstance(node, dict) or part not in node or node[part] in (None, ""):
            if required:
                raise ForceConfigError(f"missing key '{path}'")
            return None
        node = node[part]
    if kind is str and isinstance(node, (int, float)) and not isinstance(node, bool):
        node = str(node)
    if not isinstance(node, kind):
        want = {str: "text", bool: "true or false", dict: "a section", list: "a list"}[kind]
        raise ForceConfigError(f"key '{path}' must be {want}")
    return node


def _url(data: object, path: str, required: bool = True) -> Any:
    value = _get(data, path, required=required)
    if value is not None and (urlsplit(value).scheme not in ("https", "http")
                              or not urlsplit(value).netloc):
        raise ForceConfigError(f"key '{path}' must be a full web address starting https://")
    return value


def _number(data: object, path: str) -> Number:
    section = _get(data, path, dict)
    label = _get(section, "label")
    dial = _get(section, "dial").replace(" ", "")
    if not _DIAL.match(dial):
        raise ForceConfigError(f"key '{path}.dial' must be digits only, like 999 or 08001111")
    return Number(label=label, dial=dial)


def _text(data: dict, path: str) -> "TextNumber":
    section = _get(data, path, dict)
    number = _number(data, path)
    return TextNumber(label=number.label, dial=number.dial,
                      message=_get(section, "message", required=False))


def _date(data: object, key: str) -> datetime.date:
    """A YAML date (unquoted 2026-11-25), not later than today."""
    value = data.get(key) if isinstance(data, dict) else None
    if value in (None, ""):
        raise ForceConfigError(f"missing key '{key}'")
    if isinstance(value, datetime.datetime) or not isinstance(value, datetime.date):
        raise ForceConfigError(f"key '{key}' must be a date like 2026-11-25, without quotes")
    if value > datetime.date.today():
        raise ForceConfigError(f"key '{key}' is in the future ({value.isoformat()})")
    return value


def parse(data: object, source: str = "") -> Force:
    """Check a parsed force file and return a Force, or raise ForceConfigError."""
    if not isinstance(data, dict):
        raise ForceConfigError("the file must be a set of sections (force:, numbers:, ...)")
    color = _get(data, "force.theme_color")
    if not _COLOR.match(color):
        raise ForceConfigError("key 'force.theme_color' must be a colour like \"#1d3b6e\"")
    numbers = {key: _number(data, f"numbers.{key}")
               for key in ("emergency", "non_emergency", "textphone")}
    services = []
    seen = set()
    for i, raw in enumerate(_get(data, "support_services", list)):
        where = f"support_services[{i}]"
        if not isinstance(raw, dict):
            raise ForceConfigError(f"key '{where}' must be a section")
        sid = _get(raw, "id", required=False)
        if not sid:
            raise ForceConfigError(f"missing key '{where}.id'")
        if sid in seen:
            raise ForceConfigError(f"key '{where}.id': '{sid}' is listed twice")
        seen.add(sid)
        try:
            services.append(Service(
                id=sid, name=_get(raw, "name"), who=_get(raw, "who"), hours=_get(raw, "hours"),
                url=_url(raw, "url"),
                checked=_date(raw, "checked"),
                phone=_number(raw, "phone") if "phone" in raw else None,
                text=_text(raw, "text") if "text" in raw else None,
                chat_url=_url(raw, "chat_url", required=False),
                note=_get(raw, "note", required=False),
            ))
        except ForceConfigError as err:
            raise ForceConfigError(str(err).replace("key '", f"key '{where}.", 1)) from None
    escape = _get(data, "quick_exit.escape_key", bool, required=False)
    return Force(
        neutral=_neutral(data),
        languages=_languages(data),
        name=_get(data, "force.name"),
        short_name=_get(data, "force.short_name"),
        online_report_url=_url(data, "force.online_report_url"),
        theme_color=color,
        numbers=numbers,
        exit_url=_url(data, "quick_exit.url"),
        exit_escape_key=True if escape is None else escape,
        services=tuple(services),
        phase=_get(data, "phase_banner.phase", required=False),
        feedback_url=_url(data, "phase_banner.feedback_url", required=False),
        source=source,
    )


def _languages(data: dict) -> tuple[str, ...]:
    """The optional `languages` list: codes the app ships (pwa/i18n.py); English always."""
    from .i18n import DEFAULT, SHIPPED

    codes = _get(data, "languages", list, required=False)
    if codes is None:
        return tuple(SHIPPED)
    for code in codes:
        if code not in SHIPPED:
            raise ForceConfigError(f"key 'languages': {code!r} is not a language the app ships "
                                   f"({', '.join(SHIPPED)})")
    return (DEFAULT,) + tuple(dict.fromkeys(c for c in codes if c != DEFAULT))


def _neutral(data: dict) -> "NeutralLook":
    """The optional `neutral_look` section; each key falls back to the plain default."""
    if _get(data, "neutral_look", dict, required=False) is None:
        return NeutralLook()
    default = NeutralLook()
    color = _get(data, "neutral_look.icon_color", required=False) or default.icon_color
    if not _COLOR.match(color):
        raise ForceConfigError("key 'neutral_look.icon_color' must be a colour like \"#5f6b7a\"")
    plain = _get(data, "neutral_look.plain_first_screen", bool, required=False)
    return NeutralLook(
        name=_get(data, "neutral_look.name", required=False) or default.name,
        short_name=_get(data, "neutral_look.short_name", required=False) or default.short_name,
        icon_color=color,
        plain_first_screen=bool(plain),
    )


def load(path: str | Path) -> Force:
    """Read and check the force file at `path`."""
    try:
        with open(path, encoding="utf-8") as handle:
            data = yaml.safe_load(handle)
    except FileNotFoundError:
        raise ForceConfigError(f"force file not found: {path} (set FORCE_FILE)") from None
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark else ""
        raise ForceConfigError(f"force file {path} is not valid YAML{where}") from None
    try:
        return parse(data, source=str(path))
    except ForceConfigError as err:
        raise ForceConfigError(f"force file {path}: {err}") from None
