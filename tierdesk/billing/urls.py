"""Billing URLs (app_name "billing"). A plain list: invoice routes are appended below."""

from django.urls import path

from tierdesk.billing import views_sessions

app_name = "billing"

urlpatterns = [
    path("tickets/<int:ticket_pk>/sessions/", views_sessions.ticket_sessions,
         name="ticket_sessions"),
    path("tickets/<int:ticket_pk>/sessions/preview/", views_sessions.session_preview,
         name="session_preview"),
    path("tickets/<int:ticket_pk>/sessions/start/", views_sessions.session_start,
         name="session_start"),
    path("tickets/<int:ticket_pk>/sessions/log/", views_sessions.session_log,
         name="session_log"),
    path("work-orders/<int:work_order_pk>/sessions/", views_sessions.workorder_sessions,
         name="workorder_sessions"),
    path("work-orders/<int:work_order_pk>/sessions/preview/",
         views_sessions.workorder_session_preview, name="workorder_session_preview"),
    path("work-orders/<int:work_order_pk>/sessions/start/",
         views_sessions.workorder_session_start, name="workorder_session_start"),
    path("work-orders/<int:work_order_pk>/sessions/log/", views_sessions.workorder_session_log,
         name="workorder_session_log"),
    path("sessions/<int:pk>/stop/", views_sessions.session_stop, name="session_stop"),
    path("sessions/<int:pk>/timer-start/", views_sessions.session_timer_start,
         name="session_timer_start"),
    path("sessions/<int:pk>/edit/", views_sessions.session_edit, name="session_edit"),
    path("sessions/<int:pk>/delete/", views_sessions.session_delete, name="session_delete"),
    path("tickets/<int:ticket_pk>/approvals/", views_sessions.approval_create,
         name="approval_create"),
    path("approve/<str:token>/", views_sessions.approval_link, name="approval_link"),
]

# Billable items (billing/views_items.py)
from tierdesk.billing import views_items  # noqa: E402

urlpatterns += [
    path("clients/<int:client_pk>/items/", views_items.item_list, name="item_list"),
    path("clients/<int:client_pk>/items/new/", views_items.item_create, name="item_create"),
    path("clients/<int:client_pk>/items/<int:pk>/", views_items.item_edit, name="item_edit"),
]

# Invoices and invoice runs (views_invoices.py).
from tierdesk.billing import views_invoices  # noqa: E402

urlpatterns += [
    path("invoices/", views_invoices.invoice_list, name="invoice_list"),
    path("invoices/<int:pk>/", views_invoices.invoice_detail, name="invoice_detail"),
    path("invoices/<int:pk>/transition/", views_invoices.invoice_transition_view,
         name="invoice_transition"),
    path("invoices/runs/", views_invoices.invoice_run, name="invoice_run"),
    path("invoices/runs/<int:pk>/", views_invoices.invoice_run_detail,
         name="invoice_run_detail"),
    path("agreements/<int:agreement_pk>/invoice-preview/", views_invoices.invoice_preview_view,
         name="invoice_preview"),
]
