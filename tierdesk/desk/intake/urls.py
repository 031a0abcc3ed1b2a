"""Staff pages of the intake channels. Mount with
`path("intake/", include("tierdesk.desk.intake.urls"))` (namespace "intake")."""

from django.urls import path

from tierdesk.desk.intake import views

app_name = "intake"

urlpatterns = [
    path("oncall/", views.oncall, name="oncall"),
    path("oncall/<int:rotation_id>/", views.oncall_rotation, name="oncall_rotation"),
]
