"""Advice pages: Markdown files with YAML front matter, edited by a force's staff.

Each file in ADVICE_DIR is one page. Its body is a Jinja template first (so numbers and
services come from the force file, as tap-to-call links) and Markdown second. Pages are
rendered once at start-up: they change only when the files or the force file change.
"""
import datetime
import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import markdown
import yaml
from jinja2 import Environment
from markupsafe import Markup

from .config import StartupError

T = TypeVar("T")


class ContentError(StartupError):
    """An advice file is malformed; the message names the file and the key."""


@dataclass(frozen=True)
class AdvicePage:
    slug: str
    title: str
    summary: str
    reviewed: datetime.date
    order: int
    html: Markup
    after: str | None  # a template included after the body, for interactive parts
    digest: str  # hash of the source, part of the content version
    lang: str = "en"  # the language it is written in (English where not yet translated)
    # A translation: when a reviewer last checked it; still waiting for a native speaker.
    translation_reviewed: datetime.date | None = None
    needs_review: bool = False


def split_front_matter(text: str, name: str) -> tuple[dict[str, Any], str]:
    if not text.startswith("---"):
        raise ContentError(f"{name}: must start with front matter between '---' lines")
    try:
        _, head, body = text.split("---", 2)
    except ValueError:
        raise ContentError(f"{name}: front matter has no closing '---'") from None
    try:
        meta = yaml.safe_load(head) or {}
    except yaml.YAMLError:
        raise ContentError(f"{name}: front matter is not valid YAML") from None
    return meta, body


def _meta(meta: dict[str, Any], key: str, kind: type[T], name: str) -> T:
    value = meta.get(key)
    if value is None or value == "":
        raise ContentError(f"{name}: missing key '{key}'")
    if not isinstance(value, kind):
        raise ContentError(f"{name}: key '{key}' has the wrong type")
    return value


def load_language(directory: str | Path, lang: str, jinja_env: Environment,
                  context: dict[str, Any],
                  english: dict[str, AdvicePage] | None) -> dict[str, AdvicePage]:
    """The advice pages in `lang`: `directory/<lang>/*.md` where translated, the English page
    (`english`) where not. (Their links to other pages follow the reader's language: pwa/i18n.py
    rewrites a translated page's own links.)"""
    from .i18n import DEFAULT

    if lang == DEFAULT or english is None:
        return load_pages(directory, jinja_env, context)
    folder = Path(directory) / lang
    translated = load_pages(folder, jinja_env, context, lang=lang) if folder.is_dir() else {}
    for slug in translated:
        if slug not in english:
            raise ContentError(f"{lang}/{slug}.md: there is no English page {slug}.md")
    return {slug: translated.get(slug, page) for slug, page in english.items()}


def load_pages(directory: str | Path, jinja_env: Environment,
               context: dict[str, Any], lang: str = "en") -> dict[str, AdvicePage]:
    """Read every page in `directory`, render it, and return them ordered by `order`."""
    pages = []
    files = sorted(Path(directory).glob("*.md"))
    if not files and lang == "en":
        raise ContentError(f"no advice pages (*.md) in {directory} (set ADVICE_DIR)")
    for path in files:
        text = path.read_text(encoding="utf-8")
        meta, body = split_front_matter(text, path.name)
        try:
            rendered = jinja_env.from_string(body).render(**context)
        except Exception as err:  # a template error in staff-edited text: name the file
            raise ContentError(f"{path.name}: {err}") from None
        html = markdown.markdown(rendered, extensions=["extra", "sane_lists"])
        name = path.name if lang == "en" else f"{lang}/{path.name}"
        reviewed_t = meta.get("translation_reviewed")
        if lang != "en" and not isinstance(reviewed_t, datetime.date):
            raise ContentError(f"{name}: missing key 'translation_reviewed' (a date)")
        pages.append(AdvicePage(
            lang=lang,
            translation_reviewed=reviewed_t if lang != "en" else None,
            needs_review=bool(meta.get("needs_review", False)),
            slug=path.stem,
            title=_meta(meta, "title", str, path.name),
            summary=_meta(meta, "summary", str, path.name),
            reviewed=_meta(meta, "reviewed", datetime.date, path.name),
            order=int(meta.get("order", 100)),
            html=Markup(html),
            after=meta.get("after"),
            digest=hashlib.sha256(text.encode()).hexdigest()[:12],
        ))
    pages.sort(key=lambda p: (p.order, p.slug))
    return {page.slug: page for page in pages}
