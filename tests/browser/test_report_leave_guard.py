"""Leaving the report form with unsaved answers asks first (Back leaves an installed app at
once), but never when the quick exit leaves, nor with the answers saved on the phone."""
import pytest
from playwright.sync_api import expect


def neutral_stub(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/html; charset=utf-8")])
    return [b"<!doctype html><title>Weather</title><h1>Neutral stub</h1>"]


@pytest.fixture
def stub(serve):
    return serve(neutral_stub)


@pytest.fixture
def live_app(make_app, force_file, stub):
    return make_app(FORCE_FILE=str(force_file({"quick_exit": {"url": stub.url + "/"}})))


def start_answering(page, url):
    page.goto(url + "/report/")
    page.get_by_role("radio", name="No").check()  # an answer: a report is in progress
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("radio", name="18 to 24").check()
    expect(page.locator("html")).to_have_attribute("data-report-in-progress", "")


def test_closing_with_unsaved_answers_asks_and_staying_keeps_them(page, live_server):
    start_answering(page, live_server.url)
    page.on("dialog", lambda dialog: dialog.dismiss())  # "stay"
    with page.expect_event("dialog") as asked:
        page.close(run_before_unload=True)
    assert asked.value.type == "beforeunload"
    assert not page.is_closed()
    expect(page.get_by_role("radio", name="18 to 24")).to_be_checked()


def test_the_quick_exit_is_never_stopped_by_the_question(page, live_server, stub):
    start_answering(page, live_server.url)
    asked = []
    page.on("dialog", lambda dialog: (asked.append(dialog.type), dialog.dismiss()))
    page.get_by_role("link", name="Leave this site").click()
    page.wait_for_url(stub.url + "/")
    assert asked == []


def test_saved_progress_is_not_asked_about(page, live_server):
    start_answering(page, live_server.url)
    page.get_by_role("checkbox", name="Save my progress on this phone").check()
    asked = []
    page.on("dialog", lambda dialog: (asked.append(dialog.type), dialog.dismiss()))
    with page.expect_event("close"):
        page.close(run_before_unload=True)
    assert asked == []
