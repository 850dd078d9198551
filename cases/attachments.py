"""Referral attachments: PDF, JPG or PNG, size-limited, checked by content, not by name."""

import re

import filetype
from django.conf import settings
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from atensi.errors import ApplicationError

ALLOWED = {"application/pdf", "image/jpeg", "image/png"}
PDF_OBJECT = re.compile(rb"\d+\s+\d+\s+obj\b")


def validate_attachment(upload) -> str:
    """Return the detected content type, or raise ApplicationError naming the file and fault."""
    name = upload.name
    if upload.size > settings.ATTACHMENT_MAX_BYTES:
        raise ApplicationError(
            _("%(name)s is %(size).1f MB; the limit is %(limit).0f MB.")
            % {
                "name": name,
                "size": upload.size / 1024 / 1024,
                "limit": settings.ATTACHMENT_MAX_BYTES / 1024 / 1024,
            },
            field="attachments",
        )
    upload.seek(0)
    head = upload.read(8192)
    upload.seek(0)
    kind = filetype.guess(head)
    content_type = kind.mime if kind else ""
    if content_type not in ALLOWED:
        raise ApplicationError(
            _("%(name)s is not a PDF, JPG or PNG file (its content was checked, not its name).")
            % {"name": name},
            field="attachments",
        )
    if content_type == "application/pdf":
        upload.seek(0)
        content = upload.read()
        upload.seek(0)
        # A real PDF has numbered objects, a cross-reference pointer and an end marker.
        tail = content[-2048:]
        if not (b"%%EOF" in tail and b"startxref" in tail and PDF_OBJECT.search(content)):
            raise ApplicationError(
                _("%(name)s is not a complete PDF file.") % {"name": name}, field="attachments"
            )
    else:
        try:
            with Image.open(upload) as image:
                image.verify()
        except (UnidentifiedImageError, OSError, SyntaxError, Image.DecompressionBombError) as exc:
            raise ApplicationError(
                _("%(name)s is a damaged image.") % {"name": name}, field="attachments"
            ) from exc
        finally:
            upload.seek(0)
    return content_type
