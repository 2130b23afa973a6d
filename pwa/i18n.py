"""Languages: which the app ships, the URL prefix that picks one, and Flask-Babel.

Every public page has one URL per language: English at `/…`, the others under their code
(`/cy/…`, `/pl/…`, `/ur/…`, `/ar/…`). A small WSGI middleware moves the prefix from the path
into SCRIPT_NAME, so the views and `url_for` work unchanged and every link and redirect a view
makes stays in the reader's language, and each page stays one cacheable URL. The officers'
area, the API and the static files have no language prefix (the officers' area is English).

Catalogues are gettext files in `translations/<code>/LC_MESSAGES/messages.po`, extracted with
pybabel (`babel.cfg`) and compiled to `.mo` by `scripts/setup` (README, "Languages").
"""
import re
from urllib.parse import urlsplit
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable

from flask import Flask, current_app, has_request_context, redirect, request
from flask_babel import Babel, get_locale, refresh
from werkzeug.wrappers import Response

from .config import ROOT, StartupError

TRANSLATIONS = ROOT / "translations"


@dataclass(frozen=True)
class Language:
    code: str  # the URL prefix and the gettext locale
    name: str  # in the language itself, as the switcher shows it
    html_lang: str  # the <html lang> value
    dir: str  # "ltr" or "rtl"
    # Every page translated; otherwise the core pages are, and the rest show in English with
    # a one-line notice in this language.
    complete: bool
    english_name: str = ""  # for the officers' pages (which are in English)


DEFAULT = "en"
SHIPPED: dict[str, Language] = {lang.code: lang for lang in (
    Language("en", "English", "en-GB", "ltr", True, "English"),
    Language("cy", "Cymraeg", "cy", "ltr", True, "Welsh"),
    Language("pl", "Polski", "pl", "ltr", False, "Polish"),
    Language("ur", "اردو", "ur", "rtl", False, "Urdu"),
    Language("ar", "العربية", "ar", "rtl", False, "Arabic"),
)}
# Paths never under a language prefix: the officers' area (English), the API, the files.
UNPREFIXED = ("/officers", "/api", "/static", "/sw.js", "/manifest-neutral.webmanifest",
              "/healthz", "/readyz")
ENVIRON_KEY = "sx.lang"


class LanguagePrefix:
    """WSGI middleware: `/cy/advice/x` becomes SCRIPT_NAME `…/cy`, PATH_INFO `/advice/x`."""

    def __init__(self, wsgi_app: Callable[..., Any], codes: Iterable[str]) -> None:
        self.wsgi_app = wsgi_app
        self.pattern = re.compile(
            r"^/(%s)(/.*)?$" % "|".join(re.escape(c) for c in codes if c != DEFAULT))

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        match = self.pattern.match(environ.get("PATH_INFO", ""))
        if match and not (match.group(2) or "").startswith(UNPREFIXED):
            code, rest = match.group(1), match.group(2) or "/"
            environ[ENVIRON_KEY] = code
            environ["SCRIPT_NAME"] = environ.get("SCRIPT_NAME", "") + "/" + code
            environ["PATH_INFO"] = rest
        return self.wsgi_app(environ, start_response)


def offered(app: Flask | None = None) -> list[Language]:
    """The languages this force offers (the force file's `languages`, English first)."""
    from .site import force

    return [SHIPPED[code] for code in force(app).languages]


def current() -> Language:
    """The reader's language: the URL's prefix (English without one or outside a request)."""
    if not has_request_context():
        return SHIPPED[DEFAULT]
    return SHIPPED[request.environ.get(ENVIRON_KEY, DEFAULT)]


def language_label(code: str) -> str:
    """A report's language for the officers' pages: "Welsh (Cymraeg)"."""
    lang = SHIPPED.get(code)
    if lang is None:
        return code
    return lang.name if lang.code == DEFAULT else f"{lang.english_name} ({lang.name})"


def path_in(code: str, path: str) -> str:
    """`path` (an English, unprefixed path like `/advice/x`) in language `code`."""
    return path if code == DEFAULT else f"/{code}{path}"


def lpath(path: str) -> str:
    """An app path in the reader's language, for links written in templates and content."""
    return path_in(current().code, path)


# A link or form target to one of our own pages: `href="/…"`/`action="/…"`, not to the
# unprefixed paths, not already in a language, and not a switcher link (`… hreflang=`).
_LINK = re.compile(r'\b(href|action)="(/(?!(?:%s|%s)\b)[^"]*)"(?! hreflang=)' % (
    "|".join(p.strip("/") for p in UNPREFIXED), "|".join(SHIPPED)))


def localise_links(html: str, code: str) -> str:
    """Point a page's own links (href="/…") at the same pages in language `code`. Templates
    and advice pages write plain English paths; this keeps the reader in their language."""
    if code == DEFAULT:
        return html
    return _LINK.sub(lambda m: f'{m.group(1)}="{path_in(code, m.group(2))}"', html)


# What a language that is not complete translates: these pages (by endpoint, or a blueprint
# with ".*") and the advice pages that have a file in content/advice/<code>/.
CORE_PAGES = ("pages.home", "pages.offline", "pages.notes", "report.*")


def in_english() -> bool:
    """This page is shown in English to a reader of another language (not yet translated)."""
    lang = current()
    if lang.code == DEFAULT:
        return False
    endpoint = request.endpoint or ""
    if endpoint == "advice.page":
        from .site import advice_pages

        page = advice_pages().get((request.view_args or {}).get("slug", ""))
        return page is not None and page.lang != lang.code
    if lang.complete:
        return False
    return not any(endpoint == core or (core.endswith(".*") and
                                        endpoint.startswith(core[:-1]))
                   for core in CORE_PAGES)


def _select_locale() -> str:
    # English is British English (dates like 24 November 2026); there is no catalogue for
    # it: the messages are written in it.
    code = current().code
    if code == DEFAULT and has_request_context() and request.path.startswith("/api/"):
        # The API has no language prefix: the outbox sends the report's language as
        # Accept-Language, so a refusal the person sees is in it.
        code = request.accept_languages.best_match(
            [lang.code for lang in offered()], default=DEFAULT) or DEFAULT
    return "en_GB" if code == DEFAULT else code


def first_visit_redirect() -> Response | None:
    """The first visit to `/` follows the browser's languages. A visit from one of our own
    pages (the switcher's "English", a link) is not redirected: that choice stands."""
    if request.path != "/" or request.script_root or request.method != "GET":
        return None
    if request.referrer and urlsplit(request.referrer).netloc == request.host:
        return None
    codes = [lang.code for lang in offered()]
    best = request.accept_languages.best_match(codes, default=DEFAULT)
    if best == DEFAULT:
        return None
    response = redirect(path_in(best, "/"))
    # Per visitor: no shared cache may keep this for everyone.
    response.headers["Cache-Control"] = "no-store"
    response.headers["Vary"] = "Accept-Language, Referer"
    return response


def check_compiled(folder: Path = TRANSLATIONS) -> None:
    """Every catalogue compiled and current: otherwise the app would quietly show English."""
    for po in sorted(folder.glob("*/LC_MESSAGES/messages.po")):
        mo = po.with_suffix(".mo")
        if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
            raise StartupError(f"{mo.relative_to(folder.parent)} is missing or older than its "
                               ".po: run scripts/setup (or `pybabel compile -d translations`)")


def init_app(app: Flask) -> None:
    check_compiled()
    Babel(app, locale_selector=_select_locale,
          default_translation_directories=str(TRANSLATIONS))
    app.wsgi_app = LanguagePrefix(  # type: ignore[method-assign]
        app.wsgi_app, [lang.code for lang in offered(app)])
    # Flask-Babel caches the locale on `g`, which a request made inside another (the worker's
    # precache list renders every page through the test client) shares with it: forget it
    # at both ends of each request, so every page is in its own URL's language.
    app.before_request(refresh)
    app.teardown_request(lambda exc: refresh())
    app.before_request(first_visit_redirect)
    app.jinja_env.globals["report_language"] = language_label

    @app.after_request
    def links_in_language(response: Response) -> Response:
        code = request.environ.get(ENVIRON_KEY)
        if code and response.mimetype == "text/html" and not response.direct_passthrough:
            response.set_data(localise_links(response.get_data(as_text=True), code))
        return response

    @app.after_request
    def vary_home(response: Response) -> Response:
        # `/` answers differently by the browser's languages: say so to caches.
        if request.path == "/" and not request.script_root:
            response.vary.add("Accept-Language")
            response.vary.add("Referer")
        return response

    @app.context_processor
    def languages() -> dict[str, Any]:
        from .site import advice_pages

        # (Empty while the advice pages themselves are being rendered at start-up.)
        pages = advice_pages() if "advice" in current_app.extensions else {}
        return {"lang": current(), "languages": offered(), "lpath": lpath, "path_in": path_in,
                "advice_pages": pages, "in_english": in_english}


def locale_code() -> str:
    return str(get_locale() or DEFAULT)
