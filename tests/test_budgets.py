"""Page-weight budgets for a first visit to every advice page (deterministic byte counts).

30 KB compressed for HTML, CSS and JavaScript together; 14 KB for the HTML and CSS needed for
the first render (what fits in the first round trip); no render-blocking script.
"""
import pytest

from bench.weight import measure
from pwa import site

TOTAL_BUDGET = 30 * 1024
FIRST_RENDER_BUDGET = 14 * 1024


def pages(app):
    return ["/"] + [f"/advice/{slug}" for slug in site.advice_pages(app)]


@pytest.mark.parametrize("encoding", ["gzip", "br"])
def test_every_advice_page_fits_the_budgets(app, client, encoding):
    for path in pages(app):
        weight = measure(client, path, encoding)
        assert weight.total() <= TOTAL_BUDGET, (path, weight.compressed)
        assert weight.total(("html", "css")) <= FIRST_RENDER_BUDGET, (path, weight.compressed)
        assert weight.blocking_scripts == [], path


def test_the_measure_follows_stylesheets_and_script_imports(app, client):
    weight = measure(client, "/advice/what-to-do-now")
    assert "css" in weight.kinds.values()
    # Compression really happens: the sent bytes are well under the raw bytes.
    assert weight.total() < weight.total(compressed=False) * 0.6


def test_static_images_are_no_heavier_than_they_need(app):
    from pathlib import Path

    from PIL import Image

    for path in Path(app.static_folder).rglob("*"):
        if path.suffix.lower() in (".png", ".jpg", ".jpeg", ".webp"):
            with Image.open(path) as image:
                width, height = image.size
            assert max(width, height) <= 512, path
            # A flat icon needs well under half a byte per pixel once compressed.
            assert path.stat().st_size <= max(4096, width * height // 4), path
