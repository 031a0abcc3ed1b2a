"""The API tokens page: each staff member creates, lists and revokes their own tokens."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from tierdesk.api import selectors, services
from tierdesk.api.forms import ApiTokenCreateForm
from tierdesk.core.permissions import staff_view


@staff_view()
def token_list(request):
    """List the user's tokens; POST creates one and shows the raw token once."""
    raw_token = None
    if request.method == "POST":
        form = ApiTokenCreateForm(request.POST)
        if form.is_valid():
            token, raw_token = services.api_token_create(
                user=request.user, name=form.cleaned_data["name"],
                scope=form.cleaned_data["scope"],
            )
            # Rendered (not redirected) so the raw token is in this response only and
            # never lands in the session or a message store.
            form = ApiTokenCreateForm()
    else:
        form = ApiTokenCreateForm()
    return render(request, "api/token_list.html", {
        "form": form,
        "tokens": selectors.api_token_list(user=request.user),
        "raw_token": raw_token,
    })


@staff_view()
@require_POST
def token_revoke(request, pk: int):
    token = selectors.api_token_for_owner(request.user, pk)
    services.api_token_revoke(token=token, by=request.user)
    messages.success(request, f"Token “{token.name}” revoked; it no longer works.")
    return redirect("api_tokens:token_list")
