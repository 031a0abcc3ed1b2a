"""Is a signed agreement PDF what was signed?

A stored file is intact when the SHA-256 of its first `signed_length` bytes is the recorded
signature hash, the whole file hashes to the recorded `file_sha256`, and the hash printed by
the stamp is in the file's text. An uploaded file matches a signature when it is byte for
byte the stored file; a file that contains the signed document but has further bytes
appended is reported as changed after signing — an incremental update can redraw any page,
so the signed prefix alone does not prove what a reader sees.
"""

import hashlib
from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ValidationError

from tierdesk.documents.models import SignedDocument
from tierdesk.documents.stamping import pdf_revision_ends, pdf_text


@dataclass(frozen=True)
class VerifyResult:
    """The outcome of a verification; `document` is the matching signature, if any."""

    valid: bool
    reason: str
    document: SignedDocument | None = None

    @property
    def agreement(self):
        return self.document.agreement if self.document else None

    @property
    def signer_name(self) -> str:
        return self.document.signer_name if self.document else ""

    @property
    def signed_at(self) -> datetime | None:
        return self.document.signed_at if self.document else None


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _hash_printed(data: bytes, sha256: str) -> bool:
    try:
        text = pdf_text(data)
    except Exception:  # a damaged file cannot be read; it then carries no readable stamp
        return False
    return sha256 in "".join(text.split())


def _verify_stored(document: SignedDocument) -> VerifyResult:
    try:
        with document.pdf.open("rb") as handle:
            data = handle.read()
    except (FileNotFoundError, OSError, ValueError):
        return VerifyResult(False, "The stored file is missing.", document)
    length = document.signed_length if document.signed_length is not None else len(data)
    if len(data) < length or _sha(data[:length]) != document.sha256:
        return VerifyResult(False, "The stored file has been altered: the signed part no "
                                   "longer matches the recorded hash.", document)
    if document.file_sha256 and _sha(data) != document.file_sha256:
        return VerifyResult(False, "The stored file has been altered after the signed part "
                                   "(its stamp was changed).", document)
    if not _hash_printed(data, document.sha256):
        return VerifyResult(False, "The recorded hash is not printed on the stored file.",
                            document)
    return VerifyResult(True, "The stored file is intact: it is exactly what was signed.",
                        document)


def _verify_bytes(data: bytes) -> VerifyResult:
    documents = SignedDocument.objects.select_related("agreement__client", "signer")
    whole = _sha(data)
    exact = documents.filter(file_sha256=whole).first() or documents.filter(sha256=whole).first()
    if exact is not None:
        return VerifyResult(True, "This file is exactly the document that was signed.", exact)
    for end in pdf_revision_ends(data):
        inner = documents.filter(sha256=_sha(data[:end])).first()
        if inner is not None:
            return VerifyResult(False, "This file contains the signed document but was changed "
                                       "after signing.", inner)
    return VerifyResult(False, "This file does not match any signed document.")


def signed_document_verify(*, document: SignedDocument | None = None,
                           pdf_bytes: bytes | None = None) -> VerifyResult:
    """Verify the stored file of `document`, or find and check the signature `pdf_bytes`
    matches. Give exactly one of the two."""
    if (document is None) == (pdf_bytes is None):
        raise ValidationError("give either a signed document or a PDF file to verify")
    if document is not None:
        return _verify_stored(document)
    return _verify_bytes(pdf_bytes)
