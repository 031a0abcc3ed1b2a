"""A contact reads an estimate and, when allowed to sign, approves or declines it once."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render

from tierdesk.billing.access import approval_for_contact
from tierdesk.billing.approvals import approval_decide
from tierdesk.billing.forms import ApprovalDecisionForm
from tierdesk.billing.models import ApprovalState
from tierdesk.core.permissions import contact_view


@contact_view
def approval_detail(request, pk: int):
    approval = approval_for_contact(request.user, pk)
    contact = request.user.contact
    can_decide = contact.can_sign and approval.state == ApprovalState.PENDING
    form = ApprovalDecisionForm(request.POST or None)
    if request.method == "POST" and can_decide and form.is_valid():
        try:
            approval_decide(request=approval, approve=form.cleaned_data["decision"] == "approve",
                            contact=contact, note=form.cleaned_data["note"])
            messages.success(request, "Your decision is recorded.")
            return redirect("portal:approval_detail", pk=approval.pk)
        except ValidationError as exc:
            form.add_error(None, exc.messages)
    return render(request, "portal/approval_detail.html",
                  {"approval": approval, "form": form, "can_decide": can_decide})
