from django.urls import path

from tierdesk.documents import views

app_name = "documents"
urlpatterns = [
    path("agreements/<int:pk>/", views.agreement_document, name="agreement_document"),
    path("agreements/<int:pk>/pdf/", views.agreement_pdf_view, name="agreement_pdf"),
    path("agreements/<int:pk>/send/", views.agreement_send, name="agreement_send"),
    path("signed/<int:pk>/pdf/", views.signed_pdf, name="signed_pdf"),
    path("sign/<str:token>/", views.sign, name="sign"),
    path("sign/<str:token>/pdf/", views.sign_pdf, name="sign_pdf"),
    path("verify/", views.verify, name="verify"),
    path("verify/<str:sha256>/", views.verify_hash, name="verify_hash"),
]

# Invoices (documents/views_invoices.py)
from tierdesk.documents import views_invoices  # noqa: E402

urlpatterns += [
    path("invoices/<int:pk>/", views_invoices.invoice_document, name="invoice_document"),
    path("invoices/<int:pk>/pdf/", views_invoices.invoice_pdf, name="invoice_pdf"),
    path("invoices/<int:pk>/issue/", views_invoices.invoice_issue, name="invoice_issue"),
    path("invoices/export.csv", views_invoices.invoice_export_csv, name="invoice_export_csv"),
    path("invoices/export.iif", views_invoices.invoice_export_iif, name="invoice_export_iif"),
]
