"""Screenshots: checked by what they contain, never by their name or declared type.

An attachment arrives sealed. The server opens it in memory, checks the magic bytes, then
lets Pillow parse and decode it (with a pixel limit first, against decompression bombs), and
stores the sealed bytes exactly as received under a random name in ATTACHMENT_DIR.
"""
import io
import os
import secrets
from pathlib import Path

from PIL import Image, UnidentifiedImageError

from .steps import ATTACHMENT_TYPES, MAX_ATTACHMENT_BYTES

# A phone screenshot is 3-4 million pixels and a 12 MP photo fits; a small file that claims
# far more is a decompression bomb and is refused before it is decoded.
MAX_PIXELS = 30_000_000
# A sealed envelope is base64 (4/3) of the image plus the wrapped key and JSON framing.
MAX_SEALED_BYTES = MAX_ATTACHMENT_BYTES * 4 // 3 + 8192

_MAGIC = (
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
)


class AttachmentInvalid(ValueError):
    """Not an image we accept; the message is for the person."""


def sniff(data):
    """The image type from the first bytes, or None."""
    for magic, mime in _MAGIC:
        if data.startswith(magic):
            return mime
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


def check_image(data):
    """Return the image's real MIME type, or raise AttachmentInvalid."""
    if len(data) > MAX_ATTACHMENT_BYTES:
        raise AttachmentInvalid("Each screenshot must be 10 MB or smaller")
    mime = sniff(data)
    if mime is None:
        raise AttachmentInvalid("The file must be a JPEG, PNG, WebP or GIF image")
    pil_format = ATTACHMENT_TYPES[mime]
    try:
        with Image.open(io.BytesIO(data), formats=[pil_format]) as img:
            width, height = img.size
            if width * height > MAX_PIXELS:
                raise AttachmentInvalid("The image is too large to open")
            img.verify()  # structure and checksums, without decoding the pixels
        with Image.open(io.BytesIO(data), formats=[pil_format]) as img:
            img.load()  # decode it: a truncated or corrupt image fails here
    except AttachmentInvalid:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError,
            Image.DecompressionBombError):
        raise AttachmentInvalid("The file must be a JPEG, PNG, WebP or GIF image") from None
    return mime


def directory(app):
    path = Path(app.config["ATTACHMENT_DIR"])
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


def write_sealed(app, sealed_bytes):
    """Write sealed bytes under a new random name; returns the name."""
    folder = directory(app)
    name = secrets.token_hex(16) + ".sealed"
    fd = os.open(folder / name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(sealed_bytes)
    return name


def read_sealed(app, name):
    return (directory(app) / _safe(name)).read_bytes()


def remove(app, names):
    folder = directory(app)
    for name in names:
        try:
            (folder / _safe(name)).unlink()
        except FileNotFoundError:
            pass


def _safe(name):
    if "/" in name or "\\" in name or name.startswith("."):
        raise ValueError("bad attachment name")
    return name
