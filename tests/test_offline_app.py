"""The manifest, /sw.js and the precache list the service worker is built from."""
import json
import re
import warnings

import pytest
from PIL import Image

from pwa import assets, site
from pwa.config import ROOT
from pwa.offline_app import precache_list, worker
from pwa.page_cache import PUBLIC


def icon_script():
    """scripts/make_icons.py as a module (it is a script, not part of the package)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("make_icons", ROOT / "scripts" / "make_icons.py")
    make_icons = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(make_icons)
    return make_icons


def sw_config(body):
    """The CONFIG the server put into the served worker."""
    line = next(l for l in body.splitlines() if l.startswith("const CONFIG = "))
    return json.loads(line[len("const CONFIG = "):].rstrip(";"))


def test_manifest_reflects_the_force_file(make_app, force_file):
    path = force_file({"force": {"name": "Testshire Police", "short_name": "Testshire",
                                 "theme_color": "#123456"}})
    client = make_app(FORCE_FILE=str(path)).test_client()
    response = client.get("/manifest.webmanifest")
    assert response.status_code == 200
    assert response.mimetype == "application/manifest+json"
    assert response.headers["Cache-Control"] == PUBLIC  # the same for everyone (issue 15)
    manifest = response.get_json(force=True)
    assert manifest["short_name"] == "Testshire"
    assert "Testshire" in manifest["name"] and "Testshire Police" in manifest["description"]
    assert manifest["theme_color"] == "#123456"
    assert (manifest["id"], manifest["start_url"], manifest["scope"]) == ("/", "/", "/")
    assert manifest["display"] == "standalone"
    assert re.match(r"^#[0-9a-f]{6}$", manifest["background_color"])
    icons = {(i["sizes"], i["purpose"]): i["src"] for i in manifest["icons"]}
    assert set(icons) == {("192x192", "any"), ("512x512", "any"),
                          ("192x192", "maskable"), ("512x512", "maskable")}
    for (sizes, _), src in icons.items():
        assert "?v=" in src
        icon = client.get(src)
        assert icon.status_code == 200 and icon.mimetype == "image/png"
        width = int(sizes.split("x")[0])
        with Image.open(ROOT / "static" / src.split("?")[0].removeprefix("/static/")) as image:
            assert image.size == (width, width)


def test_the_committed_icons_are_in_the_force_colour(app):
    """scripts/make_icons.py draws them from the force file: rerun it after a rebrand."""
    colour = site.force(app).theme_color
    rgb = tuple(int(colour[i:i + 2], 16) for i in (1, 3, 5))
    for name in ("icon-maskable-512.png", "apple-touch-icon.png"):
        with Image.open(ROOT / "static" / "icons" / name) as image:
            assert image.convert("RGB").getpixel((2, 2)) == rgb, name


def test_base_page_links_the_manifest_icons_and_ios_tags(client):
    html = client.get("/").get_data(as_text=True)
    assert '<link rel="manifest" href="/manifest.webmanifest" ' \
        'data-neutral-href="/manifest-neutral.webmanifest">' in html
    assert re.search(r'<link rel="apple-touch-icon" href="/static/icons/apple-touch-icon.png\?v=\w+" '
                     r'data-neutral-href="/static/icons/neutral-apple-touch-icon.png\?v=', html)
    assert '<meta name="apple-mobile-web-app-capable" content="yes">' in html
    assert re.search(r'<script type="module" src="/static/js/sw-register.js\?v=\w+">', html)
    assert "data-update-notice" in html and "data-install" in html


def test_the_neutral_manifest_is_the_same_app_with_a_plain_name_and_icon(make_app, force_file):
    app = make_app(FORCE_FILE=str(force_file({"neutral_look": {
        "name": "Shopping list", "short_name": "List", "icon_color": "#445566",
        "plain_first_screen": True}})))
    client = app.test_client()
    own = client.get("/manifest.webmanifest").get_json()
    response = client.get("/manifest-neutral.webmanifest")
    assert response.mimetype == "application/manifest+json"
    assert response.headers["Cache-Control"] == PUBLIC  # the same for everyone (issue 15)
    neutral = response.get_json()
    # One app: the same id, start_url, scope and display.
    for key in ("id", "start_url", "scope", "display"):
        assert neutral[key] == own[key], key
    assert (neutral["name"], neutral["short_name"], neutral["theme_color"]) == (
        "Shopping list", "List", "#445566")
    text = json.dumps(neutral).lower()
    for giveaway in ("police", "sextortion", "constabulary", "help"):
        assert giveaway not in text, giveaway
    assert [i["sizes"] for i in neutral["icons"]] == [i["sizes"] for i in own["icons"]]
    for icon in neutral["icons"]:
        assert "/static/icons/neutral-" in icon["src"]
        assert client.get(icon["src"]).status_code == 200
    # Kept offline with the rest.
    urls = [e["url"] for e in sw_config(client.get("/sw.js").get_data(as_text=True))["precache"]]
    assert "/manifest-neutral.webmanifest" in urls and "/notes" in urls
    # The plain first screen is kept offline only where the force turns it on.
    default = make_app().test_client().get("/sw.js").get_data(as_text=True)
    assert "/notes" not in [e["url"] for e in sw_config(default)["precache"]]


def test_the_neutral_look_defaults_and_a_bad_colour_names_the_key(force_file):
    from pwa.force import ForceConfigError, load

    look = load(force_file({"neutral_look": None})).neutral
    assert (look.name, look.short_name, look.plain_first_screen) == ("Notes", "Notes", False)
    with pytest.raises(ForceConfigError, match="'neutral_look.icon_color'"):
        load(force_file({"neutral_look": {"icon_color": "grey"}}))
    with pytest.raises(ForceConfigError, match="'neutral_look.plain_first_screen'"):
        load(force_file({"neutral_look": {"plain_first_screen": "yes please"}}))


def test_the_plain_first_screen_gives_nothing_away(client):
    html = client.get("/notes").get_data(as_text=True)
    assert "<title>Notes</title>" in html and 'href="/manifest-neutral.webmanifest"' in html
    for giveaway in ("Police", "police", "sextortion", "Constabulary", "Leave this site", "999"):
        assert giveaway not in html, giveaway
    assert '<a href="/">Open</a>' in html
    # Off by default: the pages do not ask for it.
    assert "data-plain-first-screen" not in client.get("/").get_data(as_text=True)


def test_the_icon_script_draws_the_plain_icons_in_the_neutral_colour(force_file, tmp_path):
    make_icons = icon_script()
    path = force_file({"neutral_look": {"icon_color": "#336699"}})
    make_icons.main(["--force-file", str(path), "--out", str(tmp_path / "icons")])
    for name, (size, _, _) in make_icons.NEUTRAL_ICONS.items():
        with warnings.catch_warnings():  # Pillow's note on palette transparency, harmless
            warnings.simplefilter("ignore", UserWarning)
            image = Image.open(tmp_path / "icons" / name).convert("RGBA")
        assert image.size == (size, size), name
        edge = image.getpixel((size // 2, 1))
        assert max(abs(a - b) for a, b in zip(edge[:3], (0x33, 0x66, 0x99))) <= 2, name
    # The committed plain icons match the shipped force file's colour.
    committed = Image.open(ROOT / "static" / "icons" / "neutral-icon-maskable-192.png").convert("RGB")
    assert max(abs(a - b) for a, b in zip(committed.getpixel((96, 1)), (0x5f, 0x6b, 0x7a))) <= 2


def test_sw_is_served_from_the_root_as_javascript_and_revalidated(client):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response.mimetype == "text/javascript"
    assert response.headers["Cache-Control"] == "no-cache"
    assert "Service-Worker-Allowed" not in response.headers  # root scope needs none
    again = client.get("/sw.js", headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304


def test_precache_lists_every_page_and_static_file_versioned(app, client):
    config = sw_config(client.get("/sw.js").get_data(as_text=True))
    urls = {e["url"]: e["revision"] for e in config["precache"]}
    pages = ["/", "/offline", "/cookies", "/privacy"]
    pages += [f"/advice/{slug}" for slug in site.advice_pages(app)]
    for page in pages + ["/manifest.webmanifest"]:
        assert re.match(r"^[0-9a-f]{12}$", urls[page]), page
    statics = [u for u in urls if u.startswith("/static/")]
    names = {u.split("?")[0].removeprefix("/static/") for u in statics}
    assert names == set(assets.static_files(app).hashes)
    for url in statics:
        name, version = re.match(r"^/static/(.+)\?v=(\w+)$", url).groups()
        assert version == assets.static_files(app).hashes[name] and urls[url] is None
    assert {"icons/icon-192.png", "icons/icon-512.png", "css/app.css",
            "js/sw-register.js"} <= names
    # Nothing under /api/ or /officers/ is kept, except what a feature registers: the
    # report form's public key (the contract: sealing must work offline).
    registered = precache_list.registered_pages(app)
    assert not [u for u in urls if u.startswith(("/api/", "/officers/")) and u not in registered]
    assert re.match(r"^[0-9a-f]{12}$", config["version"])


def test_registered_pages_and_worker_scripts_are_included(make_app):
    app = make_app()
    precache_list.register_page(app, "/privacy?registered")  # any page that renders without a session
    precache_list.register_worker_script(app, "js/sw-register.js")
    body = app.test_client().get("/sw.js").get_data(as_text=True)
    config = sw_config(body)
    assert "/privacy?registered" in [e["url"] for e in config["precache"]]
    with app.test_request_context():
        url = assets.static_files(app).url("js/sw-register.js")
    assert config["scripts"][-1] == url  # after the report feature's outbox-core.js
    source = (ROOT / "service_worker" / "sw.js").read_text()
    assert "importScripts(...CONFIG.scripts)" in source


def test_a_page_with_a_per_visitor_token_cannot_be_precached(make_app):
    app = make_app()

    @app.get("/secret-form")
    def secret_form():
        return "token", 200, {"Cache-Control": "no-store"}

    precache_list.register_page(app, "/secret-form")
    with pytest.raises(precache_list.PrecacheError, match="no-store"):
        app.test_client().get("/sw.js")


def test_any_content_change_changes_the_worker(make_app, tmp_path):
    import shutil

    advice = tmp_path / "advice"
    shutil.copytree(ROOT / "content" / "advice", advice)
    first = make_app(ADVICE_DIR=str(advice)).test_client().get("/sw.js").get_data(as_text=True)
    page = advice / "already-paid.md"
    page.write_text(page.read_text().replace("bank", "bank straight away", 1))
    second = make_app(ADVICE_DIR=str(advice)).test_client().get("/sw.js").get_data(as_text=True)
    before, after = sw_config(first), sw_config(second)
    assert before["version"] != after["version"]
    changed = {e["url"] for e in after["precache"]} - {e["url"] for e in before["precache"]}
    revisions = dict((e["url"], e["revision"]) for e in before["precache"])
    differ = [e["url"] for e in after["precache"] if revisions.get(e["url"]) != e["revision"]]
    assert not changed and "/advice/already-paid" in differ


def test_worker_source_has_one_config_line():
    body, version = worker.render(worker.SOURCE.read_text(), [{"url": "/", "revision": "x"}], [])
    assert sw_config(body) == {"version": version, "precache": [{"url": "/", "revision": "x"}],
                               "scripts": [], "languages": ["en"]}
    with pytest.raises(RuntimeError):
        worker.render("no config here", [], [])


def test_every_process_serves_the_same_worker(make_app):
    """Gunicorn workers each build the list: they must agree, or browsers would see a new
    version at every update check."""
    first = make_app().test_client().get("/sw.js")
    second = make_app().test_client().get("/sw.js")
    assert first.get_data() == second.get_data()


def test_compressed_worker_is_still_revalidated(client):
    response = client.get("/sw.js", headers={"Accept-Encoding": "br"})
    assert response.headers.get("Content-Encoding") == "br"
    again = client.get("/sw.js", headers={"Accept-Encoding": "br",
                                          "If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304


def test_the_icon_script_redraws_every_icon_in_a_new_force_colour(force_file, tmp_path):
    make_icons = icon_script()
    path = force_file({"force": {"theme_color": "#7a1f5c"}})
    make_icons.main(["--force-file", str(path), "--out", str(tmp_path / "icons")])
    for name, (size, _, _) in make_icons.ICONS.items():
        image = Image.open(tmp_path / "icons" / name)
        assert image.size == (size, size), name
        corner = image.convert("RGBA").getpixel((size // 2, 1))
        # The top edge is the brand colour (within the palette's rounding).
        assert max(abs(a - b) for a, b in zip(corner[:3], (0x7a, 0x1f, 0x5c))) <= 2, name
        assert (tmp_path / "icons" / name).stat().st_size <= max(4096, size * size // 4)


def test_a_new_advice_page_is_kept_offline_without_touching_the_worker(make_app, tmp_path):
    import shutil

    advice = tmp_path / "advice"
    shutil.copytree(ROOT / "content" / "advice", advice)
    (advice / "talking-to-someone.md").write_text(
        "---\ntitle: Talking to someone\nsummary: Who can help.\nreviewed: 2026-11-24\n---\n"
        "Call {{ number(\"non_emergency\") }}.\n")
    body = make_app(ADVICE_DIR=str(advice)).test_client().get("/sw.js").get_data(as_text=True)
    assert "/advice/talking-to-someone" in [e["url"] for e in sw_config(body)["precache"]]
