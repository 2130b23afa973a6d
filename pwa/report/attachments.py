"""Screenshots: checked by what they contain, never by their name or declared type.

An attachment arrives sealed. The server opens it in memory, checks the magic bytes
(pwa/report/sealed_files.py), then lets Pillow parse and decode it (with a pixel limit first,
against decompression bombs). The sealed bytes are stored as received by sealed_files.
"""
import io

from .sealed_files import sniff
from .steps import ATTACHMENT_TYPES, MAX_ATTACHMENT_BYTES

# A phone screenshot is 3-4 million pixels and a 12 MP photo fits; a small file that claims
# far more is a decompression bomb and is refused before it is decoded.
MAX_PIXELS = 30_000_000


class AttachmentInvalid(ValueError):
    """Not an image we accept; the message is for the person."""


def check_image(data):
    """Return the image's real MIME type, or raise AttachmentInvalid."""
    # Imported here: only the process that opens reports decodes images (the public side
    # never imports Pillow; tests/test_two_sides.py checks it).
    from PIL import Image, UnidentifiedImageError

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
