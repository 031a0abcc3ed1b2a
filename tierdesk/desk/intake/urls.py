"""E-mail triage pages. Included by tierdesk/desk/urls.py (namespace "desk"):
    path("intake/email/", include("tierdesk.desk.intake.urls")),
"""

from django.urls import path

from tierdesk.desk.intake import views

urlpatterns = [
    path("", views.email_triage, name="email_triage"),
    path("<int:pk>/assign/", views.email_triage_assign_view, name="email_triage_assign"),
    path("<int:pk>/reject/", views.email_triage_reject_view, name="email_triage_reject"),
]
