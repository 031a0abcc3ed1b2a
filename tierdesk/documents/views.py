"""Views of the documents app: the agreement document (HTML and PDF), sending it for
signature, the public signing page, and verification of signed PDFs."""

from django import forms
from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from tierdesk.clients.access import agreement_for_staff
from tierdesk.clients.feasibility import agreement_feasibility_check
from tierdesk.core.pdf import PdfRenderError
from tierdesk.core.permissions import MANAGERS, public_view, staff_view
from tierdesk.documents import services
from tierdesk.documents.access import (
    SigningLinkUnavailable,
    signed_document_for_hash,
    signed_document_for_staff,
    signing_link_for_token,
)
from tierdesk.documents.agreement_document import agreement_document_context, agreement_pdf
from tierdesk.documents.forms import (
    AgreementSendForm,
    AgreementSignForm,
    SignedDocumentVerifyForm,
)
from tierdesk.documents.verification import signed_document_verify


def pdf_response(data: bytes, filename: str, *, inline: bool = False) -> HttpResponse:
    response = HttpResponse(data, content_type="application/pdf")
    disposition = "inline" if inline else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    return response


def agreement_filename(agreement, suffix: str = "") -> str:
    return f"agreement-{agreement.pk}-{agreement.plan_version.plan.slug}{suffix}.pdf"


def _message(request, *, title: str, message: str, status: int):
    return render(request, "documents/message.html", {"title": title, "message": message},
                  status=status)


def _add_errors(form, exc: ValidationError) -> None:
    """Put a service's ValidationError on the form: on the field it names when the form has
    that field, else above the form."""
    errors = getattr(exc, "error_dict", None) or {None: exc.error_list}
    for field, messages in errors.items():
        form.add_error(field if field in form.fields else None, messages)


def signed_pdf_response(document) -> FileResponse:
    return FileResponse(document.pdf.open("rb"), content_type="application/pdf",
                        as_attachment=True,
                        filename=agreement_filename(document.agreement, "-signed"))


@staff_view()
def agreement_document(request, pk: int):
    agreement = agreement_for_staff(request.user, pk)
    context = agreement_document_context(agreement)
    # The document is a bare page (it prints as it will be signed): the toolbar is the only
    # way back to the agreement.
    context["toolbar"] = [
        {"url": reverse("clients:agreement_detail", args=[agreement.pk]),
         "label": f"← Agreement #{agreement.pk}"},
        {"url": reverse("documents:agreement_pdf", args=[agreement.pk]), "label": "Download PDF"},
    ]
    if request.user.role in MANAGERS and agreement.status in ("draft", "sent"):
        context["toolbar"].append({"url": reverse("documents:agreement_send", args=[agreement.pk]),
                                   "label": "Send for signature"})
    if hasattr(agreement, "signed_document"):
        context["toolbar"].append({
            "url": reverse("documents:signed_pdf", args=[agreement.signed_document.pk]),
            "label": "Signed PDF"})
    return render(request, "documents/agreement.html", context)


@staff_view()
def agreement_pdf_view(request, pk: int):
    agreement = agreement_for_staff(request.user, pk)
    try:
        data = agreement_pdf(agreement)
    except PdfRenderError as exc:
        return _message(request, title="The PDF could not be made", message=str(exc), status=503)
    return pdf_response(data, agreement_filename(agreement))


@staff_view(*MANAGERS)
@require_http_methods(["GET", "POST"])
def agreement_send(request, pk: int):
    agreement = agreement_for_staff(request.user, pk)
    warnings = agreement_feasibility_check(agreement) if agreement.status == "draft" else []
    form = AgreementSendForm(request.POST or None, agreement=agreement)
    if not warnings:
        # "I acknowledge the warnings above" with no warnings above only confuses.
        for name in ("acknowledge", "note"):
            form.fields[name].widget = forms.HiddenInput()
    if request.method == "POST" and form.is_valid():
        try:
            link, url = services.agreement_send_for_signature(
                agreement=agreement, contact=form.cleaned_data["contact"], by=request.user,
                acknowledge=form.cleaned_data["acknowledge"], note=form.cleaned_data["note"],
                expires_in_days=form.cleaned_data["expires_in_days"],
            )
        except ValidationError as exc:
            if getattr(exc, "code", None) == "feasibility":
                # Warnings that appeared since the page was shown: show them to acknowledge.
                warnings = agreement_feasibility_check(agreement)
                form.fields["acknowledge"].widget = forms.CheckboxInput(
                    attrs={"class": "form-check-input"})
                form.fields["note"].widget = forms.Textarea(
                    attrs={"rows": 2, "class": "form-control"})
                form.add_error("acknowledge", exc.messages[0])
            else:
                _add_errors(form, exc)
        else:
            return render(request, "documents/agreement_sent.html",
                          {"agreement": agreement, "link": link, "url": url})
    return render(request, "documents/agreement_send.html",
                  {"agreement": agreement, "form": form, "warnings": warnings})


@staff_view()
def signed_pdf(request, pk: int):
    return signed_pdf_response(signed_document_for_staff(request.user, pk))


# The signing page: open to anyone holding a valid token -------------------------------------


def _unavailable(request, exc: SigningLinkUnavailable):
    title = "Link not found" if exc.status == 404 else "This link can no longer be used"
    return _message(request, title=title, message=exc.message, status=exc.status)


@public_view
@require_http_methods(["GET", "POST"])
def sign(request, token: str):
    try:
        link = signing_link_for_token(token)
    except SigningLinkUnavailable as exc:
        return _unavailable(request, exc)
    form = AgreementSignForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            document = services.agreement_signature_capture(
                token=token, typed_name=form.cleaned_data["typed_name"],
                consent=form.cleaned_data["consent"], ip=request.META.get("REMOTE_ADDR"),
                user_agent=request.META.get("HTTP_USER_AGENT", ""),
            )
        except SigningLinkUnavailable as exc:
            return _unavailable(request, exc)
        except PdfRenderError:
            form.add_error(None, "We could not prepare the document for signature just now. "
                                 "Nothing was signed; please try again in a few minutes.")
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            return render(request, "documents/signed.html", {
                "document": document,
                "verify_url": reverse("documents:verify_hash", args=[document.sha256]),
            })
    context = agreement_document_context(link.agreement) | {"link": link, "form": form,
                                                             "token": token}
    status = 400 if form.errors else 200
    return render(request, "documents/sign.html", context, status=status)


@public_view
def sign_pdf(request, token: str):
    try:
        link = signing_link_for_token(token)
    except SigningLinkUnavailable as exc:
        return _unavailable(request, exc)
    try:
        data = agreement_pdf(link.agreement)
    except PdfRenderError as exc:
        return _message(request, title="The PDF could not be made", message=str(exc), status=503)
    return pdf_response(data, agreement_filename(link.agreement))


# Verification -------------------------------------------------------------------------------


@staff_view()
@require_http_methods(["GET", "POST"])
def verify(request):
    form = SignedDocumentVerifyForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data.get("pdf")
        result = signed_document_verify(
            document=form.cleaned_data.get("document"),
            pdf_bytes=upload.read() if upload else None,
        )
    return render(request, "documents/verify.html", {"form": form, "result": result})


@public_view
def verify_hash(request, sha256: str):
    """What anyone holding the printed hash may learn: valid or not, whose, when."""
    document = signed_document_for_hash(sha256)
    result = signed_document_verify(document=document)
    return render(request, "documents/verify_public.html", {
        "valid": result.valid, "client_name": document.agreement.client.name,
        "signed_at": document.signed_at, "sha256": document.sha256,
    })
