"""Answers in progress stay in memory only, unless the person ticks "Save my progress on this
phone"; then they come back after a reload, and go when the box is unticked."""
from playwright.sync_api import expect

# Polls the drafts store in the page until it holds `step` (or, for null, nothing).
DRAFT_BECOMES = """async (step) => {
  for (let i = 0; i < 200; i++) {
    const kept = await sxOutbox.drafts.load();
    if (step ? kept && kept.step === step : !kept) return true;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return false;
}"""
DRAFTS = """async () => {
  const kept = await sxOutbox.drafts.load();
  return kept ? JSON.stringify(kept) : '';
}"""


def answer_first_steps(page, what):
    page.get_by_role("radio", name="No").check()
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("radio", name="16 or 17").check()
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("What happened, in your own words").fill(what)


def test_progress_is_kept_on_the_phone_only_when_asked(page, live_server):
    page.goto(live_server.url + "/report/")
    box = page.get_by_role("checkbox", name="Save my progress on this phone")
    expect(box).not_to_be_checked()
    answer_first_steps(page, "not kept anywhere")
    # Under 18: the services are shown alongside.
    expect(page.get_by_role("heading", name="If you are under 18, you can also get help from")).to_be_visible()
    assert page.evaluate(DRAFTS) == ""
    page.reload()
    expect(page.get_by_role("heading", name="Are you in danger right now?")).to_be_focused()
    expect(page.get_by_role("radio", name="No")).not_to_be_checked()

    answer_first_steps(page, "kept because I asked")
    page.get_by_role("checkbox", name="Save my progress on this phone").check()
    assert page.evaluate(DRAFT_BECOMES, "what-happened")
    page.get_by_role("button", name="Continue").click()
    page.reload()
    expect(page.get_by_role("heading", name="Where did they contact you?")).to_be_visible()
    expect(page.get_by_role("checkbox", name="Save my progress on this phone")).to_be_checked()
    page.get_by_role("button", name="Back").click()
    expect(page.get_by_label("What happened, in your own words")).to_have_value("kept because I asked")

    page.get_by_role("checkbox", name="Save my progress on this phone").uncheck()
    assert page.evaluate(DRAFT_BECOMES, None)
    # Going back never adds history entries: the browser's Back leaves the form.
    assert page.evaluate("history.length") <= 2
