"""Referral attachments: PDF, JPG or PNG, size-limited, checked by content, not by name.

An image must decode to its last pixel and stay under MAX_PIXELS; no file may also be a web
page (a browser that sniffs it would run its script), and a PDF may not carry JavaScript.
"""

import re

import filetype
from django.conf import settings
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from atensi.errors import ApplicationError

ALLOWED = {"application/pdf", "image/jpeg", "image/png"}
PDF_OBJECT = re.compile(rb"\d+\s+\d+\s+obj\b")
# A phone photo has 12 to 50 million pixels; decoding costs 3 to 4 bytes per pixel.
MAX_PIXELS = 40_000_000
# Browsers decide whether a file is HTML from its first 512 bytes: look at more than that for
# every tag that starts a page, and through the whole file for the tags that run code (short
# tags such as <svg occur by chance in megabytes of compressed picture data).
SNIFF_BYTES = 4096
HTML_START = re.compile(
    rb"<(?:!doctype\s+html|html|head|body|script|iframe|svg|object|embed)[\s/>]",
    re.IGNORECASE,
)
HTML_ANYWHERE = re.compile(rb"<(?:!doctype\s+html|html|body|script|iframe)[\s/>]", re.IGNORECASE)
# PDF names may spell a letter as #xx; stream contents are data, not names.
PDF_STREAM = re.compile(rb"\bstream\r?\n")
PDF_NAME_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
PDF_SCRIPT = re.compile(rb"/(?:JS|JavaScript)(?![A-Za-z0-9])")


def validate_attachment(upload) -> str:
    """Return the detected content type, or raise ApplicationError naming the file and fault."""
    name = upload.name
    if upload.size > settings.ATTACHMENT_MAX_BYTES:
        raise _refuse(
            _("%(name)s is %(size).1f MB; the limit is %(limit).0f MB.")
            % {
                "name": name,
                "size": upload.size / 1024 / 1024,
                "limit": settings.ATTACHMENT_MAX_BYTES / 1024 / 1024,
            }
        )
    upload.seek(0)
    content = upload.read()
    upload.seek(0)
    kind = filetype.guess(content[:8192])
    content_type = kind.mime if kind else ""
    if content_type not in ALLOWED:
        raise _refuse(
            _("%(name)s is not a PDF, JPG or PNG file (its content was checked, not its name).")
            % {"name": name}
        )
    if HTML_START.search(content[:SNIFF_BYTES]) or HTML_ANYWHERE.search(content):
        raise _refuse(
            _("%(name)s also contains web page code (HTML or script) and cannot be attached.")
            % {"name": name}
        )
    if content_type == "application/pdf":
        _check_pdf(name, content)
    else:
        _check_image(name, upload)
    return content_type


def _refuse(message: str) -> ApplicationError:
    return ApplicationError(message, field="attachments")


def _check_pdf(name: str, content: bytes) -> None:
    # A real PDF has numbered objects, a cross-reference pointer and an end marker.
    tail = content[-2048:]
    if not (b"%%EOF" in tail and b"startxref" in tail and PDF_OBJECT.search(content)):
        raise _refuse(_("%(name)s is not a complete PDF file.") % {"name": name})
    names = PDF_NAME_ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), _outside_streams(content))
    if PDF_SCRIPT.search(names):
        raise _refuse(_("%(name)s contains JavaScript and cannot be attached.") % {"name": name})


def _outside_streams(content: bytes) -> bytes:
    """The PDF without its stream data, in one pass (a regex with .*? would be quadratic on
    a file full of unterminated streams); an unterminated stream's rest is kept."""
    parts, position = [], 0
    while (start := PDF_STREAM.search(content, position)) is not None:
        end = content.find(b"endstream", start.end())
        if end < 0:
            break
        parts.append(content[position : start.start()])
        position = end + len(b"endstream")
    parts.append(content[position:])
    return b" ".join(parts)


def _check_image(name: str, upload) -> None:
    """The header must be sound, the picture not too large, and every pixel must decode."""
    too_large = _refuse(
        _("%(name)s is a picture of more than %(limit)d megapixels.")
        % {"name": name, "limit": MAX_PIXELS // 1_000_000}
    )
    damaged = _refuse(_("%(name)s is a damaged image.") % {"name": name})
    try:
        # Pillow refuses more than twice its own limit on opening; ours is lower still.
        with Image.open(upload) as image:
            if image.width * image.height > MAX_PIXELS:
                raise too_large
            image.verify()
        upload.seek(0)
        # verify() leaves the image unusable: decode a fresh one to the last pixel.
        with Image.open(upload) as image:
            image.load()
    except Image.DecompressionBombError as exc:
        raise too_large from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise damaged from exc
    finally:
        upload.seek(0)
