"""Every page renders with its content and the force's numbers as tap-to-call links."""
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from markupsafe import escape

from pwa import site
from pwa.content import load_pages

PAGES = ["/", "/cookies", "/privacy", "/offline"]


def advice_slugs(app):
    return list(site.advice_pages(app))


def test_every_advice_page_renders_with_title_summary_and_numbers(app, client):
    slugs = advice_slugs(app)
    assert len(slugs) >= 9
    for slug in slugs:
        page = site.advice_pages(app)[slug]
        response = client.get(f"/advice/{slug}")
        assert response.status_code == 200, slug
        html = response.get_data(as_text=True)
        assert f"<h1>{page.title}</h1>" in html
        assert page.summary.replace("'", "&#39;") in html or page.summary in html
        assert f'datetime="{page.reviewed.isoformat()}"' in html
        # The footer carries the force's numbers on every page, as tap-to-call links.
        assert '<a dir="ltr" class="tel" href="tel:999">999</a>' in html
        assert 'href="tel:101"' in html and 'href="tel:18001101"' in html


def test_required_topics_and_helplines_are_present(client):
    expect = {
        "what-to-do-now": ["pay", "block", "deactivate"],
        "keeping-evidence": ["MTCN", "Western Union", "MoneyGram"],
        "not-your-fault": ["tel:116123", "tel:08001111", "tel:03456000459"],
        "under-18": ["Report Remove", "CEOP", "Take It Down"],
        "getting-images-removed": ["StopNCII", "Take It Down"],
        "already-paid": ["bank", "has been collected", "cancel it", "deactivate"],
        "how-to-report": ["tel:999", "tel:101", "tel:18001101", 'href="/report/"'],
        "staying-safe-on-this-device": ["history", "call history", "Recents", "phone bill"],
        "what-is-sextortion": ["crime", "boys aged 14 to 18", "91%", "aged 16 or 17",
                               "Sources: National Crime Agency",
                               "Internet Watch Foundation, sextortion figures for 2023"],
    }
    for slug, words in expect.items():
        html = client.get(f"/advice/{slug}").get_data(as_text=True)
        for word in words:
            assert word.lower() in html.lower(), f"{slug} should mention {word!r}"


def test_image_removal_advice_says_who_each_tool_is_for_and_what_it_needs(client):
    removed = client.get("/advice/getting-images-removed").get_data(as_text=True)
    assert "If the images were taken when you were 18 or over: StopNCII.org" in removed
    assert "If you are 18 or over" not in removed
    assert "If the images were taken when you were under 18" in removed
    for html in (removed, client.get("/advice/under-18").get_data(as_text=True)):
        assert "You need a Childline account" in html
        assert "If you are 13 or over, you will also be asked to prove your age" in html
        assert "cannot remove images that are only in private chats" in html


_SERVICE_CALL = re.compile(r"""service\(["']([a-z0-9_]+)["']\)""")


def _facts(svc):
    """What a page naming this service must show: how to reach it, who it is for, when."""
    facts = [str(escape(f"{svc.who}. {svc.hours}."))]
    if svc.phone:
        facts.append(f'href="{svc.phone.href}">{escape(svc.phone.label)}</a>')
    if svc.text:
        facts.append(f'href="{svc.text.href}">{escape(svc.text.label)}</a>')
        if svc.text.message:
            facts.append(f"Text <strong>{escape(svc.text.message)}</strong> to")
    if svc.chat_url:
        facts.append(f'href="{svc.chat_url}"')
    if svc.note:
        facts.append(str(escape(svc.note)))
    return facts


def test_every_page_naming_a_service_shows_its_numbers_and_hours(app, client):
    """The numbers, text numbers, chat links and opening hours come from the force file and
    render wherever a page names the service, and every reachable one (call, text or chat)
    is listed beside the phone lines on the pages that carry them."""
    force = site.force(app)
    named = 0
    for slug in advice_slugs(app):
        source = (Path(app.config["ADVICE_DIR"]) / f"{slug}.md").read_text()
        html = client.get(f"/advice/{slug}").get_data(as_text=True)
        for service_id in _SERVICE_CALL.findall(source):
            named += 1
            for fact in _facts(force.service(service_id)):
                assert fact in html, (slug, service_id, fact)
    assert named >= 10
    reachable = [svc for svc in force.services if svc.contactable]
    assert {"samaritans", "childline", "shout", "papyrus", "revenge_porn_helpline"} <= {
        svc.id for svc in reachable}
    for path in ["/", "/offline", "/advice/no-such-page"]:
        html = client.get(path).get_data(as_text=True)
        assert "Text or chat, if you cannot talk out loud" in html, path
        for svc in reachable:
            for fact in _facts(svc):
                assert fact in html, (path, svc.id, fact)
    # The report form names the under-18 services (its notices and the "sent" hand-off).
    report = client.get("/report/").get_data(as_text=True)
    for service_id in ("report_remove", "take_it_down", "childline", "ceop"):
        for fact in _facts(force.service(service_id)):
            assert fact in report, ("/report/", service_id, fact)
    # The exact figures the issue asked for, as a person sees them.
    home = client.get("/").get_data(as_text=True)
    assert "Monday to Friday, 10am to 4pm, except bank holidays" in home
    assert 'Text <strong>SHOUT</strong> to <a dir="ltr" class="tel" href="sms:85258">85258</a>' in home
    assert 'href="tel:08000684141">0800 068 4141</a>' in home
    assert "see papyrus-uk.org" in home and "sms:0778" not in home and "sms:0786" not in home


@pytest.mark.parametrize("path", PAGES)
def test_site_pages_render(client, path):
    response = client.get(path)
    assert response.status_code == 200
    assert "Leave this site" in response.get_data(as_text=True)


def test_home_lists_every_advice_page(app, client):
    html = client.get("/").get_data(as_text=True)
    for slug in advice_slugs(app):
        assert f'href="/advice/{slug}"' in html


def test_unknown_pages_get_a_friendly_404_with_helplines(client):
    response = client.get("/advice/no-such-page")
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert "Page not found" in html and 'href="tel:116123"' in html


def test_api_errors_are_json_with_a_stable_code(client):
    response = client.get("/api/no-such-thing")
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"


def test_server_error_page(app):
    app.testing = False  # show the friendly page instead of raising

    @app.get("/boom")
    def boom():
        raise RuntimeError("boom")

    response = app.test_client().get("/boom")
    assert response.status_code == 500
    html = response.get_data(as_text=True)
    assert "Sorry, there was a technical problem" in html and 'href="tel:999"' in html


def test_reading_advice_sets_no_cookie(client):
    for path in ["/", "/advice/what-to-do-now", "/cookies"]:
        assert "Set-Cookie" not in client.get(path).headers


def test_pages_are_cached_and_the_cache_holds_no_per_request_state(app, client):
    first = client.get("/advice/what-to-do-now").get_data()
    second = app.test_client().get("/advice/what-to-do-now").get_data()
    assert first == second
    assert b"csrf" not in first.lower() and b"nonce" not in first


class _Parser(HTMLParser):
    def __init__(self):
        super().__init__()
        self.inline = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script" and "src" not in attrs:
            self.inline.append("inline <script>")
        if tag == "style":
            self.inline.append("<style>")
        if "style" in attrs:
            self.inline.append(f"style= on <{tag}>")
        self.inline += [f"{name}= on <{tag}>" for name in attrs if name.startswith("on")]


def test_no_inline_scripts_styles_or_handlers(app, client):
    for path in PAGES + [f"/advice/{s}" for s in advice_slugs(app)] + ["/missing"]:
        parser = _Parser()
        parser.feed(client.get(path).get_data(as_text=True))
        assert parser.inline == [], path


def test_content_files_load_on_their_own(app):
    with app.app_context(), app.test_request_context():
        pages = load_pages(app.config["ADVICE_DIR"], app.jinja_env,
                           {"force": site.force(app)})
    assert list(pages)[0] == "what-to-do-now"


def test_parents_carers_and_friends_page_is_listed_and_kept_offline(client):
    from tests.test_offline_app import sw_config

    page = "/advice/for-parents-carers-and-friends"
    home = client.get("/").get_data(as_text=True)
    assert f'href="{page}">For parents, carers and friends</a>' in home
    assert page in [e["url"] for e in sw_config(client.get("/sw.js").get_data(as_text=True))
                    ["precache"]]
    html = client.get(page).get_data(as_text=True)
    for words in ("Don't blame them", "Don't confront or message the blackmailer",
                  "Don't delete anything", "deactivate", "Report Remove", "Take It Down",
                  "CEOP", 'href="/report/"', "tel:999"):
        assert words in html, words
