"""Root URL map: each app mounts its own urls; every view declares who may use it."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from tierdesk.api.api import api
from tierdesk.core import views as core_views

urlpatterns = [
    # First: each API request would otherwise try every page's pattern before its own.
    path("api/", api.urls),
    path("", core_views.home, name="home"),
    path("login/", core_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", core_views.PasswordChangeView.as_view(), name="password_change"),
    path("audit/", core_views.audit_list, name="audit_list"),
    path("admin/", admin.site.urls),
    path("catalog/", include("tierdesk.catalog.urls")),
    path("tiers/", include("tierdesk.plans.urls")),
    path("clients/", include("tierdesk.clients.urls")),
    path("desk/", include("tierdesk.desk.urls")),
    path("calendar/", include("tierdesk.maintenance.feed_urls")),
    path("audits/", include("tierdesk.maintenance.audit_urls")),
    path("maintenance/", include("tierdesk.maintenance.urls")),
    path("billing/", include("tierdesk.billing.urls")),
    path("insights/", include("tierdesk.insights.urls")),
    path("documents/", include("tierdesk.documents.urls")),
    path("portal/", include("tierdesk.portal.urls")),
    path("api-tokens/", include("tierdesk.api.web_urls")),
]
