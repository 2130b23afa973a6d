"""The force file drives every page; a bad one stops start-up with a message naming the key."""
import datetime

import pytest

from pwa import create_app, site
from pwa.force import ForceConfigError, load


def test_shipped_default_is_the_fictional_force_with_national_numbers():
    from pwa.config import ROOT

    force = load(ROOT / "content" / "force.yaml")
    assert force.name == "Example Constabulary"
    assert force.numbers["emergency"].dial == "999"
    assert force.numbers["non_emergency"].dial == "101"
    assert force.numbers["textphone"].label == "18001 101"
    assert force.service("samaritans").phone.label == "116 123"
    assert force.service("childline").phone.label == "0800 1111"
    assert force.service("revenge_porn_helpline").phone.label == "0345 6000 459"
    assert "except bank holidays" in force.service("revenge_porn_helpline").hours
    # Text-only help for someone who cannot speak aloud.
    shout = force.service("shout")
    assert (shout.text.dial, shout.text.message, shout.hours) == (
        "85258", "SHOUT", "Free, 24 hours a day, every day")
    papyrus = force.service("papyrus")
    assert papyrus.phone.dial == "08000684141" and "under 35" in papyrus.who
    # No text number until one is confirmed from the charity's own material.
    assert papyrus.text is None and "papyrus-uk.org" in papyrus.note
    assert force.service("childline").chat_url.startswith("https://www.childline.org.uk/")
    # Every service records when its details were last checked.
    assert all(isinstance(s.checked, datetime.date) for s in force.services)


def test_a_changed_force_file_changes_every_page(make_app, force_file):
    from pwa.config import ROOT
    import yaml

    services = yaml.safe_load((ROOT / "content" / "force.yaml").read_text())["support_services"]
    services[0] = {
        "id": "samaritans", "name": "Northshire Listening Line",
        "phone": {"label": "0800 000 0000", "dial": "08000000000"},
        "who": "Anyone", "hours": "Always", "url": "https://listening.example/",
        "checked": datetime.date(2026, 1, 5),
    }
    path = force_file({
        "force": {"name": "Northshire Police Service", "short_name": "Northshire Police"},
        "numbers": {"non_emergency": {"label": "0300 123 4567", "dial": "03001234567"}},
        "quick_exit": {"url": "https://neutral.example/"},
        "support_services": services,
    })
    app = make_app(FORCE_FILE=str(path))
    client = app.test_client()
    for slug in list(site.advice_pages(app)) + [""]:
        url = f"/advice/{slug}" if slug else "/"
        html = client.get(url).get_data(as_text=True)
        assert "Northshire Police" in html, url
        assert 'href="tel:03001234567"' in html, url
        assert 'href="https://neutral.example/"' in html, url
        assert "Example Constabulary" not in html and "Example Police" not in html, url
    helplines = client.get("/advice/not-your-fault").get_data(as_text=True)
    assert "Northshire Listening Line" in helplines and 'href="tel:08000000000"' in helplines


@pytest.mark.parametrize("changes, message", [
    ({"force": {"name": None}}, "missing key 'force.name'"),
    ({"numbers": {"emergency": {"label": "999", "dial": "nine"}}}, "'numbers.emergency.dial'"),
    ({"quick_exit": {"url": "bbc.co.uk"}}, "'quick_exit.url' must be a full web address"),
    ({"quick_exit": {"escape_key": "sometimes"}}, "'quick_exit.escape_key' must be true or false"),
    ({"force": {"theme_color": "blue"}}, "'force.theme_color'"),
    ({"support_services": [{"id": "x", "name": "X", "who": "a", "hours": "b"}]},
     "missing key 'support_services[0].url'"),
    ({"support_services": [{"id": "x", "name": "X", "who": "a", "hours": "b",
                            "url": "https://x.example/"}]},
     "missing key 'support_services[0].checked'"),
    ({"support_services": [{"id": "x", "name": "X", "who": "a", "hours": "b",
                            "url": "https://x.example/", "checked": "last week"}]},
     "'support_services[0].checked' must be a date"),
    ({"support_services": [{"id": "x", "name": "X", "who": "a", "hours": "b",
                            "url": "https://x.example/", "checked": datetime.date(2999, 1, 1)}]},
     "'support_services[0].checked' is in the future"),
    ({"support_services": [{"id": "x", "name": "X", "who": "a", "hours": "b",
                            "url": "https://x.example/", "checked": datetime.date(2026, 1, 1),
                            "text": {"label": "85258", "dial": "text us"}}]},
     "'support_services[0].text.dial'"),
])
def test_a_bad_force_file_names_the_key(force_file, changes, message):
    with pytest.raises(ForceConfigError, match=message.replace("[", r"\[").replace("]", r"\]")):
        load(force_file(changes))


def test_a_bad_force_file_stops_start_up_with_a_clear_error(make_config, tmp_path):
    broken = tmp_path / "broken.yaml"
    broken.write_text("force: [unclosed\n")
    with pytest.raises(ForceConfigError, match="not valid YAML at line"):
        create_app(make_config(FORCE_FILE=str(broken)))
    with pytest.raises(ForceConfigError, match="force file not found"):
        create_app(make_config(FORCE_FILE=str(tmp_path / "missing.yaml")))


def test_the_cli_reports_a_bad_force_file_without_a_traceback(force_file, tmp_path):
    import subprocess
    import sys

    from pwa.config import ROOT

    path = force_file({"numbers": {"textphone": None}})
    result = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "pwa", "check"],
        cwd=ROOT, capture_output=True, text=True, timeout=60,
        env={"PATH": "/usr/bin:/bin", "FORCE_FILE": str(path), "APP_CONFIG": "testing",
             "REPORT_KEY_FILE": str(tmp_path / "k.pem")},
    )
    assert result.returncode != 0
    assert "missing key 'numbers.textphone'" in result.stderr
    assert "Traceback" not in result.stderr
