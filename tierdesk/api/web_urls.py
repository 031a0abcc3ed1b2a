"""The API tokens page (not part of the REST API itself). Mounted by tierdesk/urls.py as
path("api-tokens/", include("tierdesk.api.web_urls"))."""

from django.urls import path

from tierdesk.api import views

app_name = "api_tokens"
urlpatterns = [
    path("", views.token_list, name="token_list"),
    path("<int:pk>/revoke/", views.token_revoke, name="token_revoke"),
]
