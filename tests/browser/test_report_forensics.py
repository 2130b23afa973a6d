"""Nothing typed into the report form is left on the phone, looked for as a forensic tool
would: a persistent Chromium profile, a distinctive marker typed into every free-text field,
the report sent, the browser closed, then every file under the profile read as bytes and
searched for the marker in UTF-8 and UTF-16LE (how Chromium's session-restore files keep form
fields). Each scenario is one browser: the JS form sent online without "Save my progress",
the JS form with it ticked, queued offline and then sent, and the no-JS form."""
from pathlib import Path

from playwright.sync_api import expect

from report_support import png_bytes
from support import find_in_profile, sent_reference

MARK = "QzForensicMark"      # in every free-text answer (and a screenshot's file name)
PHONE = "07700 931 846"      # the phone field only takes digits


def hits(profile: Path, needles=(MARK, PHONE)):
    return find_in_profile(profile, needles)


def fill_every_field(page, contact="email", files=False, save=False):
    """Every step of a report, each free-text field holding MARK; ends on Check your answers
    (the JS form and the no-JS pages have the same labels)."""
    cont = page.get_by_role("button", name="Continue")
    if save:
        page.get_by_role("checkbox", name="Save my progress on this phone").check()
    page.get_by_role("radio", name="No").check()
    cont.click()
    page.get_by_role("radio", name="18 to 24").check()
    cont.click()
    page.get_by_label("What happened, in your own words").fill(f"{MARK} what happened")
    page.get_by_label("Roughly when it started (optional)").fill(f"{MARK} started")
    cont.click()
    page.get_by_role("checkbox", name="Somewhere else").check()
    page.get_by_label("Where else?").fill(f"{MARK} where else")
    cont.click()
    page.get_by_label("Detail", exact=True).fill(f"@{MARK}")
    cont.click()
    page.get_by_role("radio", name="Yes").check()
    page.get_by_label("How much did you pay? (optional)").fill(f"{MARK} amount")
    page.get_by_label("How did you pay? (optional)").fill(f"{MARK} method")
    page.get_by_label("When did you pay? (optional)").fill(f"{MARK} paid on")
    page.get_by_label("Transfer reference (optional)").fill(f"{MARK} reference")
    cont.click()
    page.get_by_label("Describe what you have saved (optional)").fill(f"{MARK} evidence")
    if files:
        page.get_by_label("Attach screenshots (optional)").set_input_files(
            files=[{"name": f"{MARK}.png", "mimeType": "image/png", "buffer": png_bytes()}])
        expect(page.get_by_role("button", name=f"Remove {MARK}.png")).to_be_visible()
    cont.click()
    if contact == "phone":
        page.get_by_role("radio", name="By phone").check()
        page.get_by_label("Phone number").fill(PHONE)
        page.get_by_role("group", name="May we leave a message?").get_by_role("radio", name="Yes").check()
    else:
        page.get_by_role("radio", name="By email").check()
        page.get_by_label("Email address").fill(f"{MARK}@example.org")
    page.get_by_label("Your name").fill(f"{MARK} name")
    page.get_by_label("When is it safe to contact you? (optional)").fill(f"{MARK} safe times")
    page.get_by_role("group", name="May we say we are the police?").get_by_role("radio", name="No").check()
    cont.click()
    expect(page.get_by_role("heading", name="Check your answers before sending your report")).to_be_visible()


def assert_nothing_left(context, profile_dir):
    context.close()
    found = hits(profile_dir)
    assert not found, "typed text left in the profile:\n" + "\n".join(found)


def test_js_form_sent_online_leaves_nothing(new_context, live_server, profile_dir):
    context = new_context()
    page = context.pages[0] if context.pages else context.new_page()
    page.goto(live_server.url + "/report/")
    fill_every_field(page, contact="email")
    page.get_by_role("button", name="Send report").click()
    sent_reference(page)
    assert_nothing_left(context, profile_dir)


def test_js_form_saved_queued_offline_then_sent_leaves_nothing(new_context, live_server,
                                                               profile_dir):
    context = new_context()
    page = context.pages[0] if context.pages else context.new_page()
    page.goto(live_server.url + "/report/")
    fill_every_field(page, contact="phone", files=True, save=True)
    # The draft is on the phone (sealed) while the person checks their answers.
    page.reload()
    expect(page.get_by_role("heading", name="Check your answers before sending your report")).to_be_visible()
    expect(page.get_by_text(f"{MARK} what happened")).to_be_visible()
    context.set_offline(True)
    page.get_by_role("button", name="Send report").click()
    expect(page.get_by_text("Saved on this phone — it will be sent when you are online")).to_be_visible()
    context.set_offline(False)
    sent_reference(page)
    assert_nothing_left(context, profile_dir)


def test_no_js_form_sent_leaves_nothing(new_context, live_server, profile_dir):
    context = new_context(java_script_enabled=False)
    page = context.pages[0] if context.pages else context.new_page()
    page.goto(live_server.url + "/report/danger")
    # An error on the way: the page that answers a POST keeps what was typed.
    page.get_by_role("radio", name="No").check()
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("radio", name="18 to 24").check()
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Roughly when it started (optional)").fill(f"{MARK} started")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("link", name="Enter what happened")).to_be_visible()
    page.goto(live_server.url + "/report/danger")
    fill_every_field(page, contact="phone")
    page.get_by_role("button", name="Send report").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Report sent")
    assert_nothing_left(context, profile_dir)
