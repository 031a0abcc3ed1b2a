"""Network audits and their reports, mounted at /audits/ (tierdesk/urls.py)."""

from django.urls import path

from tierdesk.maintenance import views_audits

app_name = "audits"
urlpatterns = [
    path("", views_audits.audit_list, name="audit_list"),
    path("<int:pk>/report.pdf", views_audits.audit_report_pdf, name="report_pdf"),
    path("portal/", views_audits.portal_audit_list, name="portal_list"),
    path("portal/<int:pk>/report.pdf", views_audits.portal_audit_report_pdf,
         name="portal_report_pdf"),
]
