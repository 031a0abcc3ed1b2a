"""Sign-in, password change, the landing page and the audit trail."""

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.decorators import method_decorator

from tierdesk.core import selectors, services
from tierdesk.core.permissions import OWNER, public_view, staff_view


@public_view
def home(request):
    if not request.user.is_authenticated:
        return redirect("login")
    if request.user.is_client_contact:
        return redirect("portal:home")
    return redirect("clients:dashboard")


@method_decorator(public_view, name="dispatch")
class LoginView(auth_views.LoginView):
    template_name = "registration/login.html"
    redirect_authenticated_user = True


class PasswordChangeView(auth_views.PasswordChangeView):
    """Any signed-in user may change their own password; clears a forced change."""

    template_name = "registration/password_change.html"
    success_url = reverse_lazy("home")

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect("login")
        return super().dispatch(request, *args, **kwargs)

    def form_valid(self, form):
        response = super().form_valid(form)
        services.user_password_changed(user=self.request.user)
        messages.success(self.request, "Your password has been changed.")
        return response


PasswordChangeView.dispatch.tierdesk_access = ("authenticated", frozenset())


@staff_view(*OWNER)
def audit_list(request):
    events = selectors.audit_event_list(
        object_type=request.GET.get("type") or None, actor=request.GET.get("actor") or None
    )
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    return render(request, "core/audit_list.html", {"page": page})
