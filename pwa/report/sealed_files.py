"""The attachment folder: every sealed file a report or a no-JS form in progress refers to.

The one module that touches ATTACHMENT_DIR (outside the web root). Files hold sealed
envelopes only, under random names; every name that comes back from the database goes
through `_safe`, so no caller can reach outside the folder.
"""
import os
import secrets
from pathlib import Path

from .steps import MAX_ATTACHMENT_BYTES

# A sealed envelope is base64 (4/3) of the image plus the wrapped key and JSON framing.
MAX_SEALED_BYTES = MAX_ATTACHMENT_BYTES * 4 // 3 + 8192
SUFFIX = ".sealed"

# The images we accept, by their first bytes: (magic, MIME type, file extension).
IMAGE_MAGIC = (
    (b"\xff\xd8\xff", "image/jpeg", "jpg"),
    (b"\x89PNG\r\n\x1a\n", "image/png", "png"),
    (b"GIF87a", "image/gif", "gif"),
    (b"GIF89a", "image/gif", "gif"),
)
EXTENSIONS = {mime: ext for _, mime, ext in IMAGE_MAGIC} | {"image/webp": "webp"}


def sniff(data):
    """The image type from the first bytes, or None."""
    for magic, mime, _ext in IMAGE_MAGIC:
        if data.startswith(magic):
            return mime
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


def directory(app):
    path = Path(app.config["ATTACHMENT_DIR"])
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


def path(app, name):
    """Where the file called `name` lives (checked: a bare name made by `write`)."""
    return directory(app) / _safe(name)


def write(app, sealed_bytes):
    """Write sealed bytes under a new random name; returns the name."""
    name = secrets.token_hex(16) + SUFFIX
    fd = os.open(directory(app) / name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(sealed_bytes)
    return name


def read(app, name):
    return path(app, name).read_bytes()


def replace(app, name, sealed_bytes):
    """Overwrite a file atomically (key rotation): a crash leaves the old or the new bytes."""
    target = path(app, name)
    tmp = target.with_name(target.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(sealed_bytes)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, target)


def remove(app, names):
    folder = directory(app)
    for name in names:
        (folder / _safe(name)).unlink(missing_ok=True)


def remove_unknown(app, known, min_age_seconds):
    """Delete sealed files not named in `known` and older than `min_age_seconds`."""
    import time

    cutoff = time.time() - min_age_seconds
    removed = 0
    for file in directory(app).glob("*" + SUFFIX):
        if file.name not in known and file.stat().st_mtime < cutoff:
            file.unlink(missing_ok=True)
            removed += 1
    return removed


def _safe(name):
    if not name or "/" in name or "\\" in name or name.startswith("."):
        raise ValueError("bad attachment name")
    return name
