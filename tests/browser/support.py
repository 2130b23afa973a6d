"""Helpers shared by the browser tests (test modules import from here, never from each
other): where Chromium is, and the device's report form as a person fills it in."""
import json
import os

from playwright.sync_api import expect
from sqlalchemy import select

from pwa import sealing
from pwa.extensions import db
from pwa.models import Report
from report_support import png_bytes

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]

CONTROLLED = "() => navigator.serviceWorker.controller?.state === 'activated'"
QUEUED = "Saved on this phone — it will be sent when you are online"
SENT = "Sent — your reference is"

WHAT = "He said he would post the photos unless I paid 200 pounds"
STARTED = "last Tuesday night"
HANDLE = "@blackmailer_x91"
DESCRIPTION = "Screenshots of the chat and his profile"
TYPED = [WHAT, STARTED, HANDLE, DESCRIPTION, "blackmailer_x91", "shot.png"]


def fill_report(page, files=False, age="18 to 24", paid="No"):
    """Answer every step of /report/ by role and label, ending on Check your answers
    (`age` and `paid` are the labels of those answers)."""
    expect(page.locator("[data-report-ready]")).to_be_attached()  # the script has the form
    cont = page.get_by_role("button", name="Continue")
    page.get_by_role("radio", name="No").check()
    cont.click()
    page.get_by_role("radio", name=age).check()
    cont.click()
    page.get_by_label("What happened, in your own words").fill(WHAT)
    page.get_by_label("Roughly when it started (optional)").fill(STARTED)
    cont.click()
    page.get_by_role("checkbox", name="Instagram").check()
    cont.click()
    page.get_by_label("Type of detail").select_option("username")
    page.get_by_label("Detail", exact=True).fill(HANDLE)
    cont.click()
    page.get_by_role("radio", name=paid).check()
    cont.click()
    page.get_by_label("Describe what you have saved (optional)").fill(DESCRIPTION)
    if files:
        page.get_by_label("Attach screenshots (optional)").set_input_files(
            files=[{"name": "shot.png", "mimeType": "image/png", "buffer": png_bytes()}])
        expect(page.get_by_role("button", name="Remove shot.png")).to_be_visible()
    cont.click()
    page.get_by_role("radio", name="Do not contact me (report anonymously)").check()
    cont.click()
    expect(page.get_by_role("heading", name="Check your answers before sending your report")).to_be_focused()


def fill_briefly(page, in_danger="No", age="18 to 24",
                 contact="Do not contact me (report anonymously)"):
    """Answer /report/ as briefly as the form allows (what happened, one platform, not paid),
    ending on Check your answers, before "Send report"."""
    expect(page.locator("[data-report-ready]")).to_be_attached()  # the script has the form
    cont = page.get_by_role("button", name="Continue")
    page.get_by_role("radio", name=in_danger).check()
    cont.click()
    page.get_by_role("radio", name=age).check()
    cont.click()
    page.get_by_label("What happened, in your own words").fill("He wants money for my photos")
    cont.click()
    page.get_by_role("checkbox", name="Instagram").check()
    cont.click()
    cont.click()  # nothing known about them
    page.get_by_role("radio", name="No").check()
    cont.click()
    cont.click()  # no evidence described
    page.get_by_role("radio", name=contact).check()
    cont.click()


def expected_answers(files=False):
    answers = {"v": 1, "in_danger": "no", "age_band": "18-24", "what_happened": WHAT,
               "started": STARTED, "platforms": ["instagram"],
               "contacts": [{"kind": "username", "value": HANDLE}], "paid": "no",
               "evidence_description": DESCRIPTION, "contact_method": "anonymous"}
    if files:
        answers["attachments"] = [{"name": "shot.png", "type": "image/png",
                                   "size": len(png_bytes())}]
    return answers


def stored(app):
    with app.app_context():
        rows = db.session.execute(select(Report)).scalars().all()
        result = [(r.reference, json.loads(sealing.unseal(r.sealed, sealing.keyring())),
                   len(r.attachments)) for r in rows]
        db.session.remove()
    return result


def sent_reference(page):
    status = page.get_by_text(SENT)
    expect(status).to_be_visible(timeout=45_000)  # retries back off for seconds; slow when busy
    return status.locator("strong").inner_text()


def find_in_profile(profile, needles):
    """Files under a browser profile folder that hold a needle, as a forensic tool would
    look: every file read as bytes, each needle in UTF-8 and UTF-16LE (how Chromium's
    session-restore files keep form fields), with the encoding it was found in."""
    found = []
    for path in sorted(profile.rglob("*")):
        if not path.is_file() or path.is_symlink():
            continue
        try:
            data = path.read_bytes()
        except OSError:  # a socket or lock file
            continue
        for needle in needles:
            for encoding in ("utf-8", "utf-16-le"):
                at = data.find(needle.encode(encoding))
                if at >= 0:  # what follows names the field
                    after = data[at:at + 24 * (2 if encoding == "utf-16-le" else 1)]
                    found.append(f"{path.relative_to(profile)} ({encoding}): "
                                 f"{after.decode(encoding, 'replace')!r}")
    return found
