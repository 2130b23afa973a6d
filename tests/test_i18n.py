"""Languages (issue 16): a URL prefix per language, the first visit following the browser's
languages, the switcher, lang/dir, per-language caching and precache, the force's choice."""
import re

import pytest

from pwa import i18n, site
from pwa.force import ForceConfigError
from pwa.offline_app import precache_list

HTTPS = "https://localhost"
CODES = list(i18n.SHIPPED)


def get(client, path, **headers):
    return client.get(path, base_url=HTTPS, headers=headers)


def html_tag(body):
    return re.search(r"<html[^>]*>", body).group(0)


@pytest.mark.parametrize("code", CODES)
def test_every_public_page_is_served_in_each_language_with_lang_and_dir(app, client, code):
    lang = i18n.SHIPPED[code]
    paths = precache_list.page_paths(app) + ["/report/danger"]
    for path in paths:
        if path.startswith(i18n.UNPREFIXED) or path.endswith(".json"):
            continue
        response = get(client, i18n.path_in(code, path))
        assert response.status_code == 200, path
        tag = html_tag(response.get_data(as_text=True))
        assert f'lang="{lang.html_lang}"' in tag and f'dir="{lang.dir}"' in tag, path


def test_right_to_left_languages_say_so():
    assert [c for c, lang in i18n.SHIPPED.items() if lang.dir == "rtl"] == ["ur", "ar"]


def test_first_visit_to_home_follows_accept_language_and_is_not_cached(client):
    response = get(client, "/", **{"Accept-Language": "pl-PL,pl;q=0.9,en;q=0.5"})
    assert response.status_code == 302 and response.location == "/pl/"
    assert "no-store" in response.headers["Cache-Control"]
    assert "Accept-Language" in response.headers["Vary"]
    # English, or a language we do not ship: the English home page, which says it varies.
    for header in ("en-GB,en;q=0.9", "fr-FR", ""):
        response = get(client, "/", **{"Accept-Language": header})
        assert response.status_code == 200, header
        assert "Accept-Language" in response.headers["Vary"]


def test_choosing_english_from_our_own_page_is_not_redirected(client):
    response = get(client, "/", **{"Accept-Language": "cy", "Referer": HTTPS + "/cy/"})
    assert response.status_code == 200
    assert 'lang="en-GB"' in html_tag(response.get_data(as_text=True))
    # Another site's link is a first visit.
    response = get(client, "/", **{"Accept-Language": "cy",
                                   "Referer": "https://elsewhere.example/"})
    assert response.status_code == 302 and response.location == "/cy/"


def test_switcher_lists_each_language_in_its_own_name_to_the_same_page(client):
    body = get(client, "/cy/advice/keeping-evidence").get_data(as_text=True)
    nav = body[body.index('<nav class="languages"'):]
    nav = nav[:nav.index("</nav>")]
    links = re.findall(r'<a href="([^"]+)" hreflang="([^"]+)" lang="[^"]+" dir="[^"]+"'
                       r'( aria-current="true")?>([^<]+)</a>', nav)
    assert [(href, name) for href, _, _, name in links] == [
        ("/advice/keeping-evidence", "English"), ("/cy/advice/keeping-evidence", "Cymraeg"),
        ("/pl/advice/keeping-evidence", "Polski"), ("/ur/advice/keeping-evidence", "اردو"),
        ("/ar/advice/keeping-evidence", "العربية")]
    assert [current for _, _, current, _ in links].count(' aria-current="true"') == 1
    assert links[1][2]  # Cymraeg is the current one


def test_links_on_a_page_stay_in_its_language(client):
    body = get(client, "/ur/").get_data(as_text=True)
    own = re.findall(r'href="(/[^"]*)"(?! hreflang)', body)
    assert own, "the home page links to the app's own pages"
    for href in own:
        assert href.startswith(("/ur/", "/static/", "/manifest-neutral")), href
    assert 'href="/ur/manifest.webmanifest"' in body


def test_each_language_is_its_own_cache_entry(client):
    # The page cache is on in tests: the second language must not get the first's page.
    for code in CODES:
        body = get(client, i18n.path_in(code, "/privacy")).get_data(as_text=True)
        assert f'lang="{i18n.SHIPPED[code].html_lang}"' in html_tag(body)


def test_officers_area_stays_english_and_unprefixed(client):
    assert get(client, "/cy/officers/sign-in").status_code == 404
    assert get(client, "/cy/api/report-key").status_code == 404
    response = get(client, "/officers/sign-in")
    assert response.status_code == 200
    assert 'lang="en' in response.get_data(as_text=True)[:400]


def test_manifest_per_language_is_one_app(client):
    english = get(client, "/manifest.webmanifest").get_json()
    urdu = get(client, "/ur/manifest.webmanifest").get_json()
    assert english["id"] == urdu["id"] == "/" and english["scope"] == urdu["scope"] == "/"
    assert (urdu["lang"], urdu["dir"], urdu["start_url"]) == ("ur", "rtl", "/ur/")
    assert (english["lang"], english["start_url"]) == ("en-GB", "/")


def test_force_file_chooses_the_languages(make_app, force_file):
    app = make_app(FORCE_FILE=str(force_file({"languages": ["cy"]})))
    client = app.test_client()
    assert get(client, "/cy/").status_code == 200
    assert get(client, "/pl/").status_code == 404
    body = get(client, "/").get_data(as_text=True)
    assert 'hreflang="pl"' not in body and 'hreflang="cy"' in body
    # Only offered languages are precached.
    with app.app_context():
        langs = {entry["lang"] for entry in precache_list.build(app)}
    assert langs == {None, "en", "cy"}


def test_default_is_every_shipped_language(force_file):
    from pwa.force import load

    assert load(force_file({"languages": None})).languages == tuple(CODES)
    with pytest.raises(ForceConfigError, match="'fr' is not a language the app ships"):
        load(force_file({"languages": ["fr"]}))


def test_precache_has_each_page_in_each_language(app):
    with app.app_context():
        entries = precache_list.build(app)
    urls = {entry["url"]: entry["lang"] for entry in entries}
    assert urls["/cy/advice/what-to-do-now"] == "cy" and urls["/advice/what-to-do-now"] == "en"
    assert urls["/ar/report/"] == "ar" and urls["/ar/manifest.webmanifest"] == "ar"
    assert urls["/api/report-key"] is None and "/cy/api/report-key" not in urls


def test_a_stale_compiled_catalogue_stops_start_up(tmp_path):
    folder = tmp_path / "translations" / "cy" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    (folder / "messages.po").write_text("")
    with pytest.raises(i18n.StartupError, match="missing or older"):
        i18n.check_compiled(tmp_path / "translations")


def test_advice_pages_fall_back_to_english_with_a_notice(app, client):
    with app.test_request_context():
        pages = site.advice_pages(app, "pl")
    untranslated = [slug for slug, page in pages.items() if page.lang == "en"]
    assert untranslated, "some advice is not translated into Polish"
    body = get(client, f"/pl/advice/{untranslated[0]}").get_data(as_text=True)
    assert "data-in-english" in body and '<main id="main" tabindex="-1" lang="en-GB"' in body
    assert "data-in-english" not in get(client, "/pl/").get_data(as_text=True)


# --- the catalogues ---------------------------------------------------------------------

def _visible_text(html):
    """A page's text as a reader sees it (no tags, no scripts, whitespace collapsed)."""
    body = html[html.index("<body"):]
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", body, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body)).replace("&#39;", "'")


def _english_phrases(code):
    """Each English message (its text, placeholders cut out) whose translation differs."""
    from babel.messages.pofile import read_po

    with open(i18n.TRANSLATIONS / code / "LC_MESSAGES" / "messages.po", "rb") as handle:
        catalogue = read_po(handle)
    phrases = set()
    for message in catalogue:
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for msgid in ids:
            if not msgid or msgid in strings:
                continue
            text = re.sub(r"<[^>]+>|%\(\w+\)[sd]", "|", msgid)
            # (A part the translation keeps on purpose, such as a browser's menu name, is
            # not a leftover.)
            phrases.update(p.strip() for p in text.split("|") if len(p.strip().split()) >= 3
                           and not any(p.strip() in string for string in strings))
    return phrases


@pytest.mark.parametrize("code", ["cy"])
def test_complete_languages_leave_no_english_on_any_page(app, client, code):
    phrases = _english_phrases(code)
    assert len(phrases) > 150
    with app.test_request_context():
        assert {page.lang for page in site.advice_pages(app, code).values()} == {code}
    paths = precache_list.page_paths(app) + [f"/report/{s}" for s in (
        "danger", "age", "what-happened", "platforms", "about-them", "payment", "evidence",
        "contact")] + ["/no-such-page"]
    for path in paths:
        if path.startswith(i18n.UNPREFIXED) or path.endswith(".json"):
            continue
        text = _visible_text(get(client, i18n.path_in(code, path)).get_data(as_text=True))
        left = sorted(p for p in phrases if p in text)
        assert not left, (path, left)


def test_every_catalogue_keeps_the_placeholders_and_markup(app):
    from babel.messages.pofile import read_po

    for code in CODES[1:]:
        with open(i18n.TRANSLATIONS / code / "LC_MESSAGES" / "messages.po", "rb") as handle:
            catalogue = read_po(handle)
        for message in catalogue:
            ids = message.id if isinstance(message.id, tuple) else (message.id,)
            strings = message.string if isinstance(message.string, tuple) else (message.string,)
            for string in strings:
                if not string:
                    continue
                for pattern in (r"%\(\w+\)[sd]", r"<[a-z]+\b[^>]*>"):
                    assert sorted(set(re.findall(pattern, ids[-1]))) == sorted(
                        set(re.findall(pattern, string))), (code, ids[0], string)


def test_welsh_catalogue_is_complete():
    from babel.messages.pofile import read_po

    with open(i18n.TRANSLATIONS / "cy" / "LC_MESSAGES" / "messages.po", "rb") as handle:
        catalogue = read_po(handle)
    untranslated = [m.id for m in catalogue if m.id and not all(
        m.string if isinstance(m.string, tuple) else (m.string,))]
    assert untranslated == []


CORE_ADVICE = ("what-to-do-now", "not-your-fault", "how-to-report")
REPORT_STEPS = ("danger", "age", "what-happened", "platforms", "about-them", "payment",
                "evidence", "contact")


@pytest.mark.parametrize("code", ["pl", "ur", "ar"])
def test_partial_languages_translate_the_core_pages(app, client, code):
    phrases = _english_phrases(code)
    with app.test_request_context():
        pages = site.advice_pages(app, code)
    assert all(pages[slug].lang == code for slug in CORE_ADVICE)
    paths = ["/", "/offline", "/report/"] + [f"/advice/{slug}" for slug in CORE_ADVICE] + [
        f"/report/{step}" for step in REPORT_STEPS]
    for path in paths:
        body = get(client, i18n.path_in(code, path)).get_data(as_text=True)
        assert "data-in-english" not in body, path
        # Links to advice not yet translated are marked as English; leave them out.
        body = re.sub(r'<(li|a)\b[^>]*lang="en-GB".*?</\1>', " ", body, flags=re.S)
        left = sorted(p for p in phrases if p in _visible_text(body))
        assert not left, (path, left)


def test_precache_renders_each_language_even_inside_another_request(app):
    # The worker's list is built during a request for /sw.js (English); each page it renders
    # must still be in its own language.
    with app.test_request_context("/sw.js"):
        from flask_babel import gettext

        assert gettext("Continue") == "Continue"
        client = app.test_client()
        welsh = client.get("/cy/report/rules.json", base_url=HTTPS).get_json()
        assert welsh["steps"][0]["title"] == "Ydych chi mewn perygl ar hyn o bryd?"
        assert gettext("Continue") == "Continue"
