from django.urls import include, path

from tierdesk.desk import views

app_name = "desk"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("new/", views.ticket_create, name="ticket_create"),
    path("dispatch/", views.dispatch, name="dispatch"),
    path("sla-report/", views.sla_report, name="sla_report"),
    path("tickets/<int:pk>/", views.ticket_detail, name="ticket_detail"),
    path("tickets/<int:pk>/reply/", views.ticket_reply, name="ticket_reply"),
    path("tickets/<int:pk>/note/", views.ticket_note, name="ticket_note"),
    path("tickets/<int:pk>/call/", views.ticket_log_call, name="ticket_log_call"),
    path("tickets/<int:pk>/status/", views.ticket_transition, name="ticket_transition"),
    path("tickets/<int:pk>/assign/", views.ticket_assign, name="ticket_assign"),
    path("tickets/<int:pk>/priority/", views.ticket_priority, name="ticket_priority"),
    path("tickets/<int:pk>/onsite/", views.ticket_onsite, name="ticket_onsite"),
    path("intake/", include("tierdesk.desk.intake.urls")),
    path("oncall/", include("tierdesk.desk.oncall_urls")),
    path("outsourcing/", include("tierdesk.desk.outsourcing_urls")),
]
