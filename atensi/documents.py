"""Printable documents: a Django template rendered to PDF with WeasyPrint (A4, Indonesian).

Templates extend "documents/base_print.html"; static files (the logo, fonts) are read from
the app's static folders, never from the network.
"""

from __future__ import annotations

from django.contrib.staticfiles import finders
from django.http import HttpResponse
from django.template.loader import render_to_string

PDF_CONTENT_TYPE = "application/pdf"


def _static_fetcher(url: str, *args, **kwargs):
    """Serve `/static/…` from the project's static folders and refuse anything else: a
    document never reaches out to the network."""
    default_url_fetcher = load_weasyprint().default_url_fetcher

    if url.startswith("file://"):
        path = finders.find(url.split("/static/", 1)[-1]) if "/static/" in url else None
        if path:
            return default_url_fetcher("file://" + path)
    raise ValueError(f"documents load only static files, not {url[:80]}")


def load_weasyprint():
    """WeasyPrint, imported on first use. Importing it switches Pillow to accepting truncated
    images for the whole process (weasyprint/images.py); that would let a cut-off photo pass
    the attachment check, so the safe default is put back at once."""
    import weasyprint
    from PIL import ImageFile

    ImageFile.LOAD_TRUNCATED_IMAGES = False
    return weasyprint


def html_document(html: str):
    """WeasyPrint's document for rendered HTML, reading static files only."""
    return load_weasyprint().HTML(
        string=html, base_url="file:///static/", url_fetcher=_static_fetcher
    )


def render_pdf(template: str, context: dict, *, request=None) -> bytes:

    html = render_to_string(template, context, request=request)
    return html_document(html).write_pdf()


def pdf_response(content: bytes, filename: str, *, inline: bool = True) -> HttpResponse:
    disposition = "inline" if inline else "attachment"
    return HttpResponse(
        content,
        content_type=PDF_CONTENT_TYPE,
        headers={"Content-Disposition": f'{disposition}; filename="{filename}"'},
    )
