#!/usr/bin/env python3
"""Draw the app's icons from one drawing, in the force's brand colour, and the neutral look's.

    .venv/bin/python scripts/make_icons.py [--force-file content/force.yaml]

The drawing (a white shield holding a heart, no text) is described below in a unit square and
drawn with Pillow at each size, so a force rebrands by setting `force.theme_color` in its force
file and running this again. The PNGs go to static/icons/ and are committed: they are static
files, versioned by content hash like the rest. Nothing here runs when the app serves.

The neutral look (`neutral_look` in the force file) gets its own set, `neutral-*.png`: a plain
drawing (a page with a few lines, like any notes app) in `neutral_look.icon_color`.
"""
import argparse
import os
from pathlib import Path

from PIL import Image, ImageDraw

from pwa import force as force_file

ROOT = Path(__file__).resolve().parent.parent

OUT = ROOT / "static" / "icons"
SUPERSAMPLE = 4  # draw large and shrink: smooth edges without an SVG renderer

# name: (size in px, shape of the background, how much of the square the drawing fills)
# "any" icons are a rounded square; maskable ones fill the square and keep the drawing in
# the central safe zone (a circle of 40% radius), since the launcher cuts its own shape.
ICONS = {
    "icon-192.png": (192, "rounded", 1.0),
    "icon-512.png": (512, "rounded", 1.0),
    "icon-maskable-192.png": (192, "full", 0.78),
    "icon-maskable-512.png": (512, "full", 0.78),
    "apple-touch-icon.png": (180, "full", 0.9),  # iOS rounds the corners itself
    "favicon-32.png": (32, "rounded", 1.1),
}


# The neutral look's icons: the same sizes and shapes, named neutral-<name>.
NEUTRAL_ICONS = {f"neutral-{name}": spec for name, spec in ICONS.items()}


def _bezier(p0, p1, p2, steps=24):
    """Points along a quadratic Bézier curve."""
    return [
        ((1 - t) ** 2 * p0[0] + 2 * (1 - t) * t * p1[0] + t ** 2 * p2[0],
         (1 - t) ** 2 * p0[1] + 2 * (1 - t) * t * p1[1] + t ** 2 * p2[1])
        for t in (i / steps for i in range(steps + 1))
    ]


def shield():
    """The shield outline in the unit square."""
    left = [(0.24, 0.2), (0.5, 0.14), (0.76, 0.2)]  # a shallow peak along the top
    right = [(0.76, 0.2), (0.76, 0.5)] + _bezier((0.76, 0.5), (0.74, 0.74), (0.5, 0.87))[1:]
    mirror = [(1 - x, y) for x, y in reversed(right[:-1])]
    return left + right[1:] + mirror


def heart(cx=0.5, cy=0.5, size=0.26):
    """A heart as two circles and a triangle below them: (circle boxes, triangle)."""
    r = size * 0.27
    top = cy - size * 0.14  # the circles' centres
    xs = (cx - size / 2 + r, cx + size / 2 - r)
    boxes = [(x - r, top - r, x + r, top + r) for x in xs]
    triangle = [(cx - size / 2 + 0.004, top + r * 0.25), (cx + size / 2 - 0.004, top + r * 0.25),
                (cx, cy + size * 0.5)]
    return boxes, triangle


def _canvas(size, background, colour):
    big = size * SUPERSAMPLE
    image = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    if background == "rounded":
        draw.rounded_rectangle((0, 0, big - 1, big - 1), radius=big * 0.2, fill=colour)
    else:
        draw.rectangle((0, 0, big, big), fill=colour)
    return image, draw, big


def draw_plain_icon(size, background, scale, colour):
    """The neutral look's icon: a white page with four lines of "text", nothing else."""
    image, draw, big = _canvas(size, background, colour)

    def px(x, y):
        return ((0.5 + (x - 0.5) * scale) * big, (0.5 + (y - 0.5) * scale) * big)

    (a, b), (c, d) = px(0.27, 0.2), px(0.73, 0.8)
    draw.rounded_rectangle((a, b, c, d), radius=big * 0.03 * scale, fill="white")
    for i, right in enumerate((0.64, 0.64, 0.64, 0.5)):
        y = 0.33 + i * 0.11
        (a, b), (c, d) = px(0.36, y), px(right, y + 0.035)
        draw.rectangle((a, b, c, d), fill=colour)
    return image.resize((size, size), Image.LANCZOS)


def draw_icon(size, background, scale, colour):
    image, draw, big = _canvas(size, background, colour)

    def px(point):  # unit square -> pixels, scaled about the centre
        return ((0.5 + (point[0] - 0.5) * scale) * big, (0.5 + (point[1] - 0.5) * scale) * big)

    draw.polygon([px(p) for p in shield()], fill="white")
    boxes, triangle = heart()
    for x0, y0, x1, y1 in boxes:
        (a, b), (c, d) = px((x0, y0)), px((x1, y1))
        draw.ellipse((a, b, c, d), fill=colour)
    draw.polygon([px(p) for p in triangle], fill=colour)
    return image.resize((size, size), Image.LANCZOS)


def save_small(image, path):
    """A palette PNG: two colours and their anti-aliasing fit easily in 64 entries."""
    if image.getextrema()[3][0] == 255:  # fully opaque
        small = image.convert("RGB").quantize(64, method=Image.Quantize.MEDIANCUT)
    else:
        small = image.quantize(64, method=Image.Quantize.FASTOCTREE)
    small.save(path, optimize=True)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--force-file", default=os.environ.get(
        "FORCE_FILE", str(ROOT / "content" / "force.yaml")))
    parser.add_argument("--out", default=str(OUT))
    args = parser.parse_args(argv)
    force = force_file.load(args.force_file)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    for icons, draw, colour in ((ICONS, draw_icon, force.theme_color),
                                (NEUTRAL_ICONS, draw_plain_icon, force.neutral.icon_color)):
        for name, (size, background, scale) in icons.items():
            save_small(draw(size, background, scale, colour), out / name)
            print(f"{out / name} ({(out / name).stat().st_size} bytes)")


if __name__ == "__main__":
    main()
