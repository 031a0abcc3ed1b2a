"""Reading one e-mail message: headers, sender, threading ids, bodies, attachments.

Pure parsing, no database. Everything here must survive hostile or broken input: the
message is parsed with the `compat32` policy, whose header access never raises (the modern
`policy.default` raises on malformed Message-ID or address headers), and every decode falls
back to UTF-8 with replacement characters. What had to be repaired is listed in
`ParsedMail.notes`, so the stored message says why its text may look odd.
"""

from __future__ import annotations

import codecs
import hashlib
import re
from dataclasses import dataclass, field
from email import policy
from email.header import decode_header
from email.message import Message
from email.parser import BytesHeaderParser, BytesParser
from email.utils import getaddresses
from html.parser import HTMLParser

import nh3

_MSGID = re.compile(r"<([^<>\s]{1,290})>")
_ADDRESS = re.compile(r"^[^@\s<>]+@[^@\s<>]+$")
_REFERENCE = re.compile(r"\[(TD-[A-Z0-9]{4,12})\]", re.IGNORECASE)


# --- headers --------------------------------------------------------------------------


def _decode_bytes(data: bytes, charset: str | None, notes: list[str], where: str) -> str:
    """Bytes to text in `charset`; an unknown or wrong charset decodes as UTF-8 with
    replacement characters and says so in `notes`."""
    name = (charset or "").strip().strip('"').lower() or "utf-8"
    if name in ("unknown-8bit", "x-unknown"):
        name = "utf-8"
    try:
        codecs.lookup(name)
    except LookupError:
        notes.append(f"unknown charset {charset!r} in {where}, decoded as UTF-8 with replacement")
        return data.decode("utf-8", errors="replace")
    try:
        return data.decode(name)
    except (UnicodeDecodeError, ValueError):
        notes.append(f"invalid {name} text in {where}, decoded with replacement")
        return data.decode(name, errors="replace")


def header_text(message: Message, name: str, notes: list[str] | None = None) -> str:
    """The first `name` header as text: RFC 2047 encoded words decoded, raw 8-bit bytes read
    as UTF-8, folding removed. Missing header -> ""."""
    notes = notes if notes is not None else []
    value = message.get(name)
    if value is None:
        return ""
    value = str(value)
    try:
        chunks = decode_header(value)
    except Exception:  # a malformed encoded word: keep the raw text
        notes.append(f"malformed encoded words in {name}")
        chunks = [(value, None)]
    parts = []
    for chunk, charset in chunks:
        if isinstance(chunk, bytes):
            parts.append(_decode_bytes(chunk, charset, notes, f"the {name} header"))
        else:
            # compat32 keeps undecodable 8-bit header bytes as surrogate escapes.
            parts.append(chunk.encode("utf-8", "surrogateescape").decode("utf-8", "replace"))
    return re.sub(r"\s*\r?\n\s*", " ", "".join(parts)).strip()


def message_ids(value: str) -> list[str]:
    """The message ids in a Message-ID / In-Reply-To / References value, each as "<id>"."""
    found = [f"<{m}>" for m in _MSGID.findall(value or "")]
    if not found and value and value.strip() and " " not in value.strip():
        found = [f"<{value.strip().strip('<>')}>"]  # a bare id without brackets
    return found


def address_of(value: str) -> str:
    """The first plausible e-mail address in an address header value, lower-cased, or ""."""
    try:
        pairs = getaddresses([value or ""])
    except Exception:
        pairs = []
    for _name, addr in pairs:
        addr = addr.strip().lower()
        if _ADDRESS.match(addr):
            return addr
    return ""


def ticket_references(subject: str) -> list[str]:
    """Ticket tokens such as "[TD-7KQ3M9]" in a subject, upper-cased, in order."""
    return [ref.upper() for ref in _REFERENCE.findall(subject or "")]


@dataclass(frozen=True)
class Envelope:
    """What can be read from the headers alone, cheaply, before the message is stored."""

    message_id: str
    sender: str
    subject: str

    def dedupe_key(self, raw: bytes) -> str:
        """The Message-ID, or a hash of the message when it has none (or an absurd one)."""
        if self.message_id and len(self.message_id) <= 300:
            return self.message_id
        return "sha256:" + hashlib.sha256(raw).hexdigest()


def read_envelope(raw: bytes) -> Envelope:
    """Message-ID, sender address and subject from the header block only."""
    try:
        headers = BytesHeaderParser(policy=policy.compat32).parsebytes(raw)
    except Exception:  # the parser is lenient; this is a last resort for absurd input
        return Envelope(message_id="", sender="", subject="")
    ids = message_ids(header_text(headers, "Message-ID"))
    return Envelope(
        message_id=ids[0] if ids else "",
        sender=address_of(header_text(headers, "From")),
        subject=header_text(headers, "Subject")[:300],
    )


# --- bodies ---------------------------------------------------------------------------

_BLOCK_TAGS = {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6",
               "blockquote", "pre", "table", "ul", "ol", "hr"}


class _TextExtractor(HTMLParser):
    """HTML to plain text: the text nodes, a line break at each block element; script and
    style content dropped."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "head", "title"):
            self._skip += 1
        elif tag in _BLOCK_TAGS:
            self.out.append("\n")

    def handle_endtag(self, tag):
        if tag in ("script", "style", "head", "title"):
            self._skip = max(0, self._skip - 1)
        elif tag in _BLOCK_TAGS:
            self.out.append("\n")

    def handle_data(self, data):
        if not self._skip:
            self.out.append(data)


def html_to_text(html: str) -> str:
    """A readable plain-text version of an HTML body."""
    extractor = _TextExtractor()
    try:
        extractor.feed(html)
        extractor.close()
    except Exception:  # HTMLParser is lenient, but never let a body break intake
        return re.sub(r"<[^>]*>", " ", html)
    text = "".join(extractor.out).replace("\xa0", " ")
    lines = [re.sub(r"[ \t]+", " ", line).strip() for line in text.splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def sanitise_html(html: str) -> str:
    """HTML safe to show staff: nh3 (ammonia) removes scripts, styles, event-handler
    attributes and javascript: URLs; links get rel="noopener noreferrer"."""
    return nh3.clean(html, link_rel="noopener noreferrer")


# Where quoted reply history starts. Gmail wraps "On <date>, <name> wrote:" over two lines,
# so the "On" marker may end on the next line.
_QUOTE_MARKERS = [
    re.compile(r"^On\b.{0,300}\n?.{0,300}\bwrote:\s*$", re.MULTILINE),
    re.compile(r"^-{2,}\s*Original Message\s*-{2,}\s*$", re.MULTILINE | re.IGNORECASE),
    re.compile(r"^_{20,}\s*\n\s*From:", re.MULTILINE),
    re.compile(r"^From:\s.+\n(Sent|Date):\s", re.MULTILINE),
    re.compile(r"^-{2,}\s*Forwarded message\s*-{2,}", re.MULTILINE | re.IGNORECASE),
]


def strip_quoted(text: str) -> str:
    """The new part of a reply: cut at the first quoted-history marker and drop a trailing
    block of "> " lines. If nothing would remain, the whole text is kept."""
    cut = len(text)
    for marker in _QUOTE_MARKERS:
        match = marker.search(text)
        if match and match.start() < cut:
            cut = match.start()
    lines = text[:cut].rstrip().splitlines()
    while lines and (lines[-1].startswith(">") or not lines[-1].strip()):
        lines.pop()
    result = "\n".join(lines).strip()
    return result or text.strip()


# --- the whole message ----------------------------------------------------------------


@dataclass
class MailAttachment:
    filename: str
    content_type: str
    payload: bytes


@dataclass
class ParsedMail:
    """One message, read. `notes` lists what had to be repaired (defects, charsets)."""

    message_id: str = ""
    sender: str = ""
    return_path: str | None = None  # None: no Return-Path header; "" : Return-Path <>
    subject: str = ""
    thread_ids: list[str] = field(default_factory=list)  # In-Reply-To first, then References
    text: str = ""
    html: str = ""  # sanitised
    attachments: list[MailAttachment] = field(default_factory=list)
    auto_reason: str = ""  # why this is an automatic message (auto-reply, bounce), or ""
    notes: list[str] = field(default_factory=list)


def _auto_reason(message: Message, sender: str, notes: list[str]) -> str:
    """Why this message was sent by a machine and must not be answered (RFC 3834 and the
    de-facto headers of common auto-responders), or ""."""
    auto = header_text(message, "Auto-Submitted", notes).split(";")[0].strip().lower()
    if auto and auto != "no":
        return f"automatic message (Auto-Submitted: {auto})"
    precedence = header_text(message, "Precedence", notes).strip().lower()
    if precedence in ("bulk", "junk", "list"):
        return f"automatic message (Precedence: {precedence})"
    for name in ("X-Autoreply", "X-Autorespond", "X-Autoresponder"):
        if message.get(name) is not None:
            return f"automatic message ({name} header)"
    if message.get_content_type() == "multipart/report":
        report = (message.get_param("report-type") or "unknown")
        report = str(report).lower() if not isinstance(report, tuple) else "unknown"
        if report == "delivery-status":
            return "bounce (delivery status report)"
        return f"automatic report (multipart/report; report-type={report})"
    local = sender.split("@")[0]
    if local in ("mailer-daemon", "postmaster"):
        return f"bounce (sent by {local})"
    return ""


def _leaves(part: Message, root: Message):
    """The leaf parts of a message in order; an attached message/rfc822 is one leaf (its
    own parts are not this message's body)."""
    if part is not root and part.get_content_type() == "message/rfc822":
        yield part
    elif part.is_multipart():
        for sub in part.get_payload():
            if isinstance(sub, Message):
                yield from _leaves(sub, root)
    else:
        yield part


def _filename(part: Message, notes: list[str], index: int, default: str = "") -> str:
    try:
        name = part.get_filename()
    except Exception:
        name = None
    if name:
        try:
            chunks = decode_header(name)
            name = "".join(
                _decode_bytes(c, cs, notes, "an attachment name") if isinstance(c, bytes) else c
                for c, cs in chunks
            )
        except Exception:
            pass
        name = name.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    fallback = default or f"attachment-{index}"
    return (name or fallback).strip()[:200] or fallback


def parse_mail(raw: bytes) -> ParsedMail:
    """Read a raw RFC 5322 message. Never raises: damage is recorded in `notes`."""
    notes: list[str] = []
    try:
        message = BytesParser(policy=policy.compat32).parsebytes(raw)
    except Exception as exc:  # pragma: no cover - the compat32 parser is lenient
        return ParsedMail(notes=[f"unparseable message: {exc}"])

    parsed = ParsedMail(notes=notes)
    ids = message_ids(header_text(message, "Message-ID", notes))
    parsed.message_id = ids[0] if ids else ""
    parsed.sender = address_of(header_text(message, "From", notes))
    if "Return-Path" in message:
        parsed.return_path = address_of(header_text(message, "Return-Path", notes))
    parsed.subject = header_text(message, "Subject", notes)
    thread_ids = message_ids(header_text(message, "In-Reply-To", notes))
    thread_ids += [i for i in message_ids(header_text(message, "References", notes))[::-1]
                   if i not in thread_ids]
    parsed.thread_ids = thread_ids[:50]
    parsed.auto_reason = _auto_reason(message, parsed.sender, notes)

    plain: list[str] = []
    html: list[str] = []
    for index, part in enumerate(_leaves(message, message), start=1):
        ctype = part.get_content_type()
        if ctype == "message/rfc822":  # a forwarded message: kept whole, as a file
            try:
                payload = part.get_payload(0).as_bytes()
            except Exception:
                payload = str(part.get_payload()).encode("utf-8", "replace")
            parsed.attachments.append(MailAttachment(
                filename=_filename(part, notes, index, default="forwarded-message.eml"),
                content_type=ctype, payload=payload,
            ))
            continue
        if ctype.startswith("multipart/"):
            # A multipart whose boundary never appears: its body is all there is; read it
            # as text rather than file it away as an attachment.
            ctype = "text/plain"
        disposition = str(part.get("Content-Disposition") or "").split(";")[0].strip().lower()
        try:
            payload = part.get_payload(decode=True) or b""
        except Exception:
            notes.append(f"part {index} ({ctype}) could not be decoded")
            payload = b""
        has_name = bool(part.get_param("name")
                        or part.get_param("filename", header="Content-Disposition"))
        is_body = ctype in ("text/plain", "text/html") and not (
            disposition == "attachment" or (has_name and disposition != "inline")
        )
        if is_body:
            text = _decode_bytes(payload, part.get_content_charset(), notes, f"part {index}")
            (plain if ctype == "text/plain" else html).append(text)
        else:
            parsed.attachments.append(MailAttachment(
                filename=_filename(part, notes, index), content_type=ctype[:120],
                payload=payload,
            ))
    for defect in message.defects:
        notes.append(f"MIME defect: {type(defect).__name__}")

    parsed.html = sanitise_html("\n".join(html)) if html else ""
    parsed.text = "\n\n".join(p.strip() for p in plain if p.strip())
    if not parsed.text and html:  # HTML only (or an empty text part beside it)
        parsed.text = html_to_text(parsed.html)
    return parsed
