"""The web app manifest, built from the force file so a force rebrands by configuration."""
from collections.abc import Callable
from typing import Any

from flask_babel import gettext as _

from ..force import Force
from ..i18n import Language, SHIPPED, path_in

# (file in static/icons, sizes, purpose); made by scripts/make_icons.py from one drawing.
ICONS = [
    ("icons/icon-192.png", "192x192", "any"),
    ("icons/icon-512.png", "512x512", "any"),
    ("icons/icon-maskable-192.png", "192x192", "maskable"),
    ("icons/icon-maskable-512.png", "512x512", "maskable"),
]
# The neutral look's icons: the same sizes, a plain drawing (scripts/make_icons.py).
NEUTRAL_ICONS = [(path.replace("icons/", "icons/neutral-"), sizes, purpose)
                 for path, sizes, purpose in ICONS]
# The splash screen shows this behind the icon; the pages' own light background.
BACKGROUND = "#ffffff"
# Both looks are one app: the same id, start_url and scope, so choosing one never installs
# a second copy, and an update of either reaches the same installed app.
APP_ID = "/"
START_URL = "/"


def build(force: Force, asset_url: Callable[[str], str],
          neutral: bool = False, lang: Language = SHIPPED["en"]) -> dict[str, Any]:
    """The manifest as a dict. `asset_url` gives each icon its content-hashed URL, so a
    redrawn icon changes the manifest and with it the service worker's version. `neutral`:
    the variant a person may choose before installing, whose name, icon, colour and
    description say nothing about what the app is for. `lang`: the language of the name,
    description and first page (the neutral one is the same in every language)."""
    if neutral:
        look = force.neutral
        return {
            "id": APP_ID,
            "name": look.name,
            "short_name": look.short_name,
            "lang": "en-GB",
            "dir": "ltr",
            "start_url": START_URL,
            "scope": "/",
            "display": "standalone",
            "theme_color": look.icon_color,
            "background_color": BACKGROUND,
            "icons": [
                {"src": asset_url(path), "sizes": sizes, "type": "image/png",
                 "purpose": purpose}
                for path, sizes, purpose in NEUTRAL_ICONS
            ],
        }
    return {
        "id": APP_ID,
        # The home-screen label is the force's short name: it gives nothing away to someone
        # glancing at the phone.
        "name": _("%(force)s: sextortion help", force=force.short_name),
        "short_name": force.short_name,
        "description": _("Help and advice if someone is threatening to share intimate images "
                         "of you, from %(force)s.", force=force.name),
        "lang": lang.html_lang,
        "dir": lang.dir,
        # The same app in every language (one id); it opens in the language installed from.
        "start_url": path_in(lang.code, START_URL),
        "scope": "/",
        "display": "standalone",
        "theme_color": force.theme_color,
        "background_color": BACKGROUND,
        "icons": [
            {"src": asset_url(path), "sizes": sizes, "type": "image/png", "purpose": purpose}
            for path, sizes, purpose in ICONS
        ],
    }
