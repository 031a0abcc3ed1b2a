"""The on-call roster pages. Included by tierdesk/desk/urls.py (namespace "desk"):
    path("oncall/", include("tierdesk.desk.oncall_urls")),
giving desk:oncall and desk:oncall_rotation."""

from django.urls import path

from tierdesk.desk import oncall_views

urlpatterns = [
    path("", oncall_views.oncall, name="oncall"),
    path("<int:rotation_id>/", oncall_views.oncall_rotation, name="oncall_rotation"),
]
