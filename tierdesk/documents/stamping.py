"""Printing a signed PDF's own hash on it without changing the signed bytes.

The signed PDF B is kept byte for byte; a PDF *incremental update* is appended after it
(pypdf's `PdfWriter(reader, incremental=True)` writes only the objects it changed, after
B's `%%EOF`). The update overlays a line at the foot of every page:

    Signed electronically · SHA-256 of the signed document: <sha> · verify at <url>

so SHA-256(stored[:len(B)]) is the printed hash, and a reader sees it on every page. The
stamp is drawn by WeasyPrint as a one-page overlay (same renderer and fonts as the document)
and merged onto each page.
"""

import html
import io

from pypdf import PdfReader, PdfWriter

from tierdesk.core import pdf


def stamp_line(*, sha256: str, verify_url: str) -> str:
    return (f"Signed electronically · SHA-256 of the signed document: {sha256} · "
            f"verify at {verify_url}")


def _overlay(*, text: str, width_pt: float, height_pt: float) -> bytes:
    markup = (
        "<!doctype html><html><head><meta charset='utf-8'><style>"
        f"@page {{ size: {width_pt}pt {height_pt}pt; margin: 0; }}"
        "body { margin: 0; }"
        ".stamp { position: absolute; left: 18mm; right: 18mm; bottom: 9mm;"
        " font: 7pt 'DejaVu Sans', Helvetica, Arial, sans-serif; color: #1a4d2e;"
        " border-top: 0.6pt solid #1a4d2e; padding-top: 2pt; overflow-wrap: anywhere; }"
        f"</style></head><body><div class='stamp'>{html.escape(text)}</div></body></html>"
    )
    # Rendered directly, not through core.pdf.render_pdf, which takes a template: the
    # stamp is one generated line and fetches nothing.
    from weasyprint import HTML

    try:
        return HTML(string=markup).write_pdf()
    except Exception as exc:  # WeasyPrint raises many types; callers handle one
        raise pdf.PdfRenderError(f"the signature stamp could not be rendered: {exc}") from exc


def pdf_append_hash_stamp(signed_pdf: bytes, *, sha256: str, verify_url: str) -> bytes:
    """Return `signed_pdf` followed by an incremental update stamping `sha256` on each page.

    The result always starts with `signed_pdf` unchanged (checked, because the whole
    verification scheme rests on it).
    """
    text = stamp_line(sha256=sha256, verify_url=verify_url)
    writer = PdfWriter(io.BytesIO(signed_pdf), incremental=True)
    overlays: dict[tuple[float, float], object] = {}
    for page in writer.pages:
        size = (float(page.mediabox.width), float(page.mediabox.height))
        if size not in overlays:
            overlay_pdf = _overlay(text=text, width_pt=size[0], height_pt=size[1])
            overlays[size] = PdfReader(io.BytesIO(overlay_pdf)).pages[0]
        page.merge_page(overlays[size])
    out = io.BytesIO()
    writer.write(out)
    stamped = out.getvalue()
    if not stamped.startswith(signed_pdf):
        raise pdf.PdfRenderError("stamping would have changed the signed bytes")
    return stamped


def pdf_text(data: bytes) -> str:
    """All the text a reader sees in `data` (every page, after any incremental updates)."""
    reader = PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() or "" for page in reader.pages)


def pdf_revision_ends(data: bytes) -> list[int]:
    """Byte offsets just after each `%%EOF` marker (with its end-of-line): the candidate
    lengths of the original document inside a file that has incremental updates."""
    ends = []
    start = 0
    marker = b"%%EOF"
    while (found := data.find(marker, start)) != -1:
        end = found + len(marker)
        # The spec allows an end-of-line after %%EOF; a writer may or may not put one.
        candidates = [end]
        if data[end:end + 2] == b"\r\n":
            candidates.append(end + 2)
        elif data[end:end + 1] in (b"\n", b"\r"):
            candidates.append(end + 1)
        ends.extend(candidates)
        start = end
    return ends
