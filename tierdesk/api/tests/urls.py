"""The project's URLs plus the API tokens page, until tierdesk/urls.py mounts it."""

from django.urls import include, path

from tierdesk.urls import urlpatterns as project_urlpatterns

urlpatterns = [
    *[p for p in project_urlpatterns if str(p.pattern) != "api-tokens/"],
    path("api-tokens/", include("tierdesk.api.web_urls")),
]
