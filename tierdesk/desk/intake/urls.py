"""Intake triage pages. Included by tierdesk/desk/urls.py (namespace "desk"):
    path("intake/email/", include("tierdesk.desk.intake.urls")),
(the prefix predates calls and alerts on the page; the names are what to use:
`desk:intake_triage`, `?source=email|voice|rmm`). The `email_triage*` names are kept for
existing links and reverse to the same views.
"""

from django.urls import path

from tierdesk.desk.intake import views

urlpatterns = [
    path("", views.intake_triage, name="intake_triage"),
    path("badge/", views.intake_triage_badge, name="intake_triage_badge"),
    path("<int:pk>/assign/", views.intake_triage_assign_view, name="intake_triage_assign"),
    path("<int:pk>/reject/", views.intake_triage_reject_view, name="intake_triage_reject"),
    # Old names, same views and addresses.
    path("", views.intake_triage, name="email_triage"),
    path("<int:pk>/assign/", views.intake_triage_assign_view, name="email_triage_assign"),
    path("<int:pk>/reject/", views.intake_triage_reject_view, name="email_triage_reject"),
]
