"""Page weight: each advice page and /report/ with the CSS and JavaScript it loads, as sent
(brotli, as the app compresses them), against the 30 KB budget for HTML+CSS+JS.
Figures, not pass/fail. Run: .venv/bin/python bench/page_weight.py
"""
import re
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pwa import create_app, sealing  # noqa: E402
from pwa.config import TestingConfig  # noqa: E402

BUDGET = 30 * 1024


def main():
    tmp = Path(tempfile.mkdtemp())
    config = TestingConfig()
    config.SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp / 'bench.sqlite'}"
    config.REPORT_KEY_FILE = str(tmp / "key.pem")
    config.ATTACHMENT_DIR = str(tmp / "attachments")
    sealing.write_private_key(config.REPORT_KEY_FILE)
    app = create_app(config)
    client = app.test_client()
    headers = {"Accept-Encoding": "br"}

    def sent_size(path):
        return len(client.get(path, headers=headers).get_data())

    paths = [f"/advice/{slug}" for slug in app.extensions["advice"]] + ["/report/"]
    print(f"{'page':45} {'html':>6} {'css+js':>7} {'total':>7}  (bytes as sent, brotli)")
    for path in paths:
        html = client.get(path).get_data(as_text=True)
        assets = re.findall(r'(?:src|href)="(/static/[^"]+\.(?:js|css)\?v=\w+)"', html)
        page, extra = sent_size(path), sum(sent_size(a) for a in assets)
        flag = "" if page + extra <= BUDGET else "  over budget"
        print(f"{path:45} {page:6} {extra:7} {page + extra:7}{flag}")


if __name__ == "__main__":
    main()
