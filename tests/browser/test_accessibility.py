"""Every public page: zero axe violations for WCAG 2.0/2.1/2.2 A and AA, no sideways
scrolling at 320 px, a working skip link, the quick exit next in the tab order, visible focus.

Pages are collected from the app itself (site pages, every advice page, and every page a
feature registers for offline use), so new pages are covered without editing this file.
"""
import pytest
from playwright.sync_api import expect

from pwa.offline_app.precache_list import page_paths

from a11y import axe_violations, horizontal_overflow


def public_pages(app):
    # The service worker's list of pages is the one list of public pages; plus an error page.
    pages = [p for p in page_paths(app) if not p.endswith(".json") and "/api/" not in p]
    return pages + ["/no-such-page"]


def test_every_public_page_passes_axe_and_reflows_at_320px(new_context, live_server, live_app):
    failures = {}
    for scheme in ("light", "dark"):
        context = new_context(viewport={"width": 320, "height": 568}, color_scheme=scheme,
                              reduced_motion="reduce")
        page = context.pages[0]
        for path in public_pages(live_app):
            page.goto(live_server.url + path)
            problems = axe_violations(page)
            overflow = horizontal_overflow(page)
            if overflow > 0:
                problems.append(f"{overflow}px of sideways scrolling at 320px")
            if problems:
                failures[f"{path} ({scheme})"] = problems
        context.close()
    assert failures == {}


def test_keyboard_skip_link_then_quick_exit_with_visible_focus(page, live_server):
    page.goto(live_server.url + "/advice/what-to-do-now")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    exit_link = page.get_by_role("link", name="Leave this site")
    style = ("el => { const s = getComputedStyle(el); "
             "return [s.outlineStyle, s.boxShadow, s.backgroundColor, s.color].join('|'); }")
    unfocused = exit_link.evaluate(style)
    page.keyboard.press("Tab")
    expect(exit_link).to_be_focused()
    assert exit_link.evaluate(style) != unfocused  # the focus indicator is visible
    # The skip link moves focus to the main content.
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()


@pytest.mark.parametrize("width", [320, 640])
def test_the_quick_exit_is_visible_without_scrolling_and_stays_in_view(new_context,
                                                                       live_server, width):
    context = new_context(viewport={"width": width, "height": 568})
    page = context.pages[0]
    page.goto(live_server.url + "/advice/keeping-evidence")
    exit_link = page.get_by_role("link", name="Leave this site")
    expect(exit_link).to_be_in_viewport()
    box = exit_link.bounding_box()
    assert box["height"] >= 44 and box["width"] >= 44
    page.mouse.wheel(0, 3000)
    page.wait_for_function("() => window.scrollY > 500")
    expect(exit_link).to_be_in_viewport()
