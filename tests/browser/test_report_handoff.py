"""The device's "sent" step hands off: under 18 → Report Remove and Take It Down; paid →
what to ask the bank. (The no-JS "sent" page: tests/test_report_nojs.py.)"""
from playwright.sync_api import expect

from support import fill_report


def fill(page, age, paid):
    fill_report(page, age=age, paid=paid)
    page.get_by_role("button", name="Send report").click()
    expect(page.get_by_text("Sent — your reference is")).to_be_visible(timeout=30_000)


def test_sent_step_offers_image_removal_to_under_18s_and_the_bank_to_those_who_paid(
        page, live_server):
    page.goto(live_server.url + "/report/")
    fill(page, "16 or 17", "Yes")
    removal = page.get_by_role("region", name="Getting nude images of you taken down")
    expect(removal).to_be_visible()
    expect(removal.get_by_role("heading", name="Report Remove (Childline and the Internet "
                                               "Watch Foundation)")).to_be_visible()
    expect(removal.get_by_role("heading", name="Take It Down (NCMEC)")).to_be_visible()
    bank = page.get_by_role("region", name="Ask your bank about the money")
    expect(bank).to_be_visible()
    expect(bank.get_by_text("Ask whether the money has been collected yet.")).to_be_visible()

    # A new report by an adult who did not pay: neither.
    page.get_by_role("button", name="Start a new report").click()
    fill(page, "25 or over", "No")
    expect(page.get_by_text("Sent — your reference is").first).to_be_visible()
    expect(page.get_by_role("region", name="Getting nude images of you taken down")).to_be_hidden()
    expect(page.get_by_role("region", name="Ask your bank about the money")).to_be_hidden()
