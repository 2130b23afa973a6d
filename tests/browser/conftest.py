"""Browser test harness: the app on a live local server, driven in Debian's Chromium.

`live_server` starts the app (from `make_app`, so tests can change its configuration) in a
thread on a free port; `browser_context` is a Playwright persistent context in a fresh profile
directory, so the browser is not in incognito mode (service workers, install checks and
storage behave as on a phone). `new_context` opens another one on the same profile, to
"restart the browser".
"""
import os
import shutil
import threading

import pytest
from werkzeug.serving import make_server

from support import CHROMIUM, CHROMIUM_ARGS

class LiveServer:
    """A WSGI app served from a thread on 127.0.0.1 at a free port."""

    def __init__(self, wsgi_app, host="127.0.0.1"):
        self.server = make_server(host, 0, wsgi_app, threaded=True)
        self.url = f"http://{host}:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        self.server.shutdown()
        self.thread.join(5)


@pytest.fixture
def serve():
    """serve(wsgi_app) -> LiveServer; stopped after the test."""
    servers = []

    def start(wsgi_app, host="127.0.0.1"):
        server = LiveServer(wsgi_app, host)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


@pytest.fixture
def live_app(make_app):
    """The app the live server runs; override this fixture to change its configuration."""
    return make_app()


@pytest.fixture
def live_server(serve, live_app):
    live_app.config["LIVE_SERVER"] = True
    return serve(live_app)


@pytest.fixture(scope="session")
def playwright_instance():
    if not shutil.which(CHROMIUM) and not os.path.exists(CHROMIUM):
        pytest.fail(f"Chromium is not installed at {CHROMIUM}: run `apt-get install -y "
                    "chromium` (the test command does this where it can), or set CHROMIUM.")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture
def profile_dir(tmp_path):
    path = tmp_path / "chromium-profile"
    path.mkdir()
    return path


@pytest.fixture
def new_context(playwright_instance, profile_dir):
    """new_context(**options) launches Chromium on the test's profile directory. Closing one
    and opening another is a browser restart with the same stored data. With
    `app_window=URL` it opens URL as an app window (`--app=`), where the display mode is
    `standalone` as in an installed app (CDP's media emulation does not cover display-mode
    in this Chromium)."""
    contexts = []

    def launch(app_window=None, **options):
        options.setdefault("viewport", {"width": 390, "height": 844})
        args = CHROMIUM_ARGS + ([f"--app={app_window}"] if app_window else [])
        context = playwright_instance.chromium.launch_persistent_context(
            str(profile_dir), executable_path=CHROMIUM, headless=True, args=args,
            **options)
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context

    yield launch
    for context in contexts:
        try:
            context.close()
        except Exception:
            pass


@pytest.fixture
def browser_context(new_context):
    return new_context()


@pytest.fixture
def page(browser_context):
    return browser_context.pages[0] if browser_context.pages else browser_context.new_page()
