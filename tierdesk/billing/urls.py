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
    path("sessions/<int:pk>/stop/", views_sessions.session_stop, name="session_stop"),
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
