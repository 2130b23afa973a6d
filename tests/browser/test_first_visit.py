"""What a frightened person sees (issue 14): nothing visible that was meant to be hidden, one
wording for progress, no "Confirm form resubmission", focus on a sign-in error."""
import re

import pytest
from playwright.sync_api import expect

from officers_support import make_officer
from pwa import site

# Elements with the `hidden` attribute that still take up space on screen.
VISIBLE_HIDDEN = """() => [...document.querySelectorAll('[hidden]')]
  .filter((el) => el.getClientRects().length > 0)
  .map((el) => el.outerHTML.slice(0, 120))"""


def public_pages(app):
    return (["/", "/privacy", "/cookies", "/offline", "/report/", "/report/danger"]
            + [f"/advice/{slug}" for slug in site.advice_pages(app)])


def test_no_hidden_element_is_visible_on_any_page(page, live_server, live_app):
    for path in public_pages(live_app):
        page.goto(live_server.url + path)
        page.wait_for_load_state("load")
        assert page.evaluate(VISIBLE_HIDDEN) == [], path


def test_report_form_hides_back_on_question_1_and_add_at_the_row_limit(page, live_server):
    from pwa.report.steps import MAX_CONTACTS

    page.goto(live_server.url + "/report/")
    expect(page.get_by_role("heading", name="Are you in danger right now?")).to_be_focused()
    expect(page.get_by_text("Question 1 of 8")).to_be_visible()
    # Question 1 has nowhere to go back to: its Back is hidden, and stays so on screen.
    assert page.evaluate(VISIBLE_HIDDEN) == []
    expect(page.get_by_role("button", name="Back")).to_have_count(0)

    page.get_by_role("radio", name="No").check()
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("radio", name="18 to 24").check()
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("What happened, in your own words").fill("threats")
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("checkbox", name="Instagram").check()
    page.get_by_role("button", name="Continue").click()
    add = page.get_by_role("button", name="Add another detail")
    for _ in range(MAX_CONTACTS - 1):
        add.click()
    expect(page.locator("[data-report-step=about-them] select")).to_have_count(MAX_CONTACTS)
    expect(add).to_have_count(0)  # at the limit: hidden, not a dead button
    assert page.evaluate(VISIBLE_HIDDEN) == []


def no_js_page(new_context):
    context = new_context(java_script_enabled=False)
    return context.pages[0] if context.pages else context.new_page()


def test_progress_reads_the_same_without_javascript(new_context, live_server):
    page = no_js_page(new_context)
    page.goto(live_server.url + "/report/danger")
    expect(page.get_by_text("Question 1 of 8")).to_be_visible()
    page.get_by_role("radio", name="No").check()
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_text("Question 2 of 8")).to_be_visible()
    expect(page.get_by_text(re.compile(r"Step \d of"))).to_have_count(0)


def test_no_js_errors_use_post_redirect_get(new_context, live_server):
    """After an error, reload and Back never send the form again, and what was typed and the
    error survive the redirect."""
    page = no_js_page(new_context)
    posts = []
    page.on("request", lambda r: posts.append(r.url) if r.method == "POST" else None)
    page.goto(live_server.url + "/report/danger")
    page.get_by_role("radio", name="No").check()
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("radio", name="18 to 24").check()
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Roughly when it started (optional)").fill("last May")
    page.get_by_role("button", name="Continue").click()  # what happened left empty
    expect(page).to_have_title(re.compile("^Error: "))
    expect(page.get_by_role("link", name="Enter what happened")).to_be_visible()
    expect(page.get_by_label("Roughly when it started (optional)")).to_have_value("last May")
    assert page.url.startswith(live_server.url + "/report/what-happened")  # a GET now
    sent = len(posts)
    page.reload()
    expect(page.get_by_label("Roughly when it started (optional)")).to_have_value("last May")
    page.go_back()  # to the step as first shown: a plain GET, not "Confirm form resubmission"
    expect(page.get_by_text("Question 3 of 8")).to_be_visible()
    page.go_forward()
    expect(page.get_by_label("Roughly when it started (optional)")).to_have_value("last May")
    assert len(posts) == sent  # nothing was sent again

    # "Add another detail" is a post too: it also comes back by a redirect.
    page.goto(live_server.url + "/report/about-them")
    page.get_by_label("Detail", exact=True).fill("@someone")
    page.get_by_role("button", name="Add another detail").click()
    expect(page.locator("select")).to_have_count(2)
    expect(page.get_by_label("Detail", exact=True).first).to_have_value("@someone")
    sent = len(posts)
    page.reload()
    assert len(posts) == sent


@pytest.fixture
def live_app(make_app):
    return make_app()


def test_failed_sign_in_moves_focus_to_the_error_summary(page, live_server, live_app):
    make_officer(live_app, "officer@example.police.uk")
    page.goto(live_server.url + "/officers/sign-in")
    page.get_by_label("Email address").fill("officer@example.police.uk")
    page.get_by_label("Password").fill("not the password at all")
    page.get_by_label(re.compile("code", re.I)).fill("000000")
    page.get_by_role("button", name="Sign in").click()
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("Sign-in failed")
    expect(summary).to_be_focused()


def shifts_on_every_page(context, page, url, paths):
    """Layout shifts per page, as the browser reports them through the DevTools protocol's
    performance timeline (the same entries as a PerformanceObserver for `layout-shift` with
    buffered: true, and read the same way with JavaScript off)."""
    cdp = context.new_cdp_session(page)
    found = []
    cdp.on("PerformanceTimeline.timelineEventAdded", lambda e: found.append(e["event"]))
    cdp.send("PerformanceTimeline.enable", {"eventTypes": ["layout-shift"]})
    moved = {}
    for path in paths:
        found.clear()
        page.goto(url + path)
        page.wait_for_load_state("networkidle")
        shifts = [e["layoutShiftDetails"]["value"] for e in found
                  if not e["layoutShiftDetails"].get("hadRecentInput")]
        if sum(shifts):
            moved[path] = shifts
    cdp.detach()
    return moved


@pytest.mark.parametrize("javascript, scheme", [(True, "light"), (False, "dark")],
                         ids=["js-light", "no-js-dark"])
def test_no_layout_shift_on_any_public_page(new_context, live_server, live_app, scheme,
                                            javascript):
    """First visit (fresh profile: the quick-exit note shows) and second visit (the note
    dismissed, the service worker in place): nothing moves."""
    context = new_context(java_script_enabled=javascript, color_scheme=scheme)
    page = context.pages[0] if context.pages else context.new_page()
    paths = public_pages(live_app)
    assert shifts_on_every_page(context, page, live_server.url, paths) == {}
    if javascript:
        page.goto(live_server.url + "/")
        page.get_by_role("button", name="Got it, hide this message").click()
        page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    assert shifts_on_every_page(context, page, live_server.url, paths) == {}
