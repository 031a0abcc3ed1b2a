"""PDF rendering: HTML in, PDF bytes out, through WeasyPrint. Fonts and styles come from the
template itself; nothing is fetched from the network (URLs resolve only to static files)."""

import logging

from django.contrib.staticfiles import finders
from django.template.loader import render_to_string

logger = logging.getLogger(__name__)


class PdfRenderError(Exception):
    """The document could not be rendered; the message says why. Nothing was stored."""


def _static_only_fetcher(url: str, *args, **kwargs):
    # Never reach out to the network: only /static/ files resolve, anything else fails.
    from weasyprint.urls import default_url_fetcher

    prefix = "static:"
    if url.startswith(prefix):
        path = finders.find(url[len(prefix):])
        if path:
            return default_url_fetcher("file://" + path)
    raise PdfRenderError(f"refusing to fetch {url!r} while rendering a PDF")


def render_pdf(template_name: str, context: dict) -> bytes:
    """Render `template_name` with `context` to PDF bytes, or raise PdfRenderError."""
    try:
        from weasyprint import HTML

        html = render_to_string(template_name, context)
        return HTML(string=html, base_url="static:", url_fetcher=_static_only_fetcher).write_pdf()
    except PdfRenderError:
        raise
    except Exception as exc:  # WeasyPrint raises many types; the caller needs one
        logger.exception("PDF rendering of %s failed", template_name)
        raise PdfRenderError(f"the PDF could not be rendered: {exc}") from exc
