from django.urls import path

from tierdesk.portal import views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("agreements/<int:pk>/", views.agreement_detail, name="agreement_detail"),
    path("agreements/<int:pk>/signed.pdf", views.signed_pdf, name="signed_pdf"),
    path("tickets/", views.ticket_list, name="ticket_list"),
    path("tickets/new/", views.ticket_new, name="ticket_new"),
    path("tickets/<int:pk>/", views.ticket_detail, name="ticket_detail"),
    path("tickets/<int:pk>/reply/", views.ticket_reply, name="ticket_reply"),
]

# Invoices and approvals (portal/views_billing.py)
from tierdesk.portal import views_billing  # noqa: E402

urlpatterns += [
    path("invoices/", views_billing.invoice_list, name="invoice_list"),
    path("invoices/<int:pk>/", views_billing.invoice_detail, name="invoice_detail"),
    path("invoices/<int:pk>/pdf/", views_billing.invoice_pdf, name="invoice_pdf"),
    path("approvals/", views_billing.approval_list, name="approval_list"),
]

# Deciding an approval (portal/views_approvals.py)
from tierdesk.portal import views_approvals  # noqa: E402

urlpatterns += [
    path("approvals/<int:pk>/", views_approvals.approval_detail, name="approval_detail"),
]

# Monthly value reports (portal/views_reports.py)
from tierdesk.portal import views_reports  # noqa: E402

urlpatterns += [
    path("reports/", views_reports.value_report_list, name="value_report_list"),
    path("reports/<int:pk>/", views_reports.value_report_detail, name="value_report_detail"),
    path("reports/<int:pk>/pdf/", views_reports.value_report_pdf_view, name="value_report_pdf"),
]
