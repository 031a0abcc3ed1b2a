"""Maintenance staff URLs (app_name "maintenance"): the board, work orders, schedules.
Calendar feeds and audits have their own modules (feed_urls.py, audit_urls.py)."""

from django.urls import path

from tierdesk.maintenance import views

app_name = "maintenance"

urlpatterns = [
    path("", views.board, {"period": "today"}, name="today"),
    path("week/", views.board, {"period": "week"}, name="week"),
    path("work-orders/<int:pk>/", views.workorder_detail, name="workorder_detail"),
    path("work-orders/<int:pk>/items/", views.workorder_item, name="workorder_item"),
    path("work-orders/<int:pk>/evidence/", views.workorder_attach, name="workorder_attach"),
    path("work-orders/<int:pk>/evidence/<int:evidence_pk>/", views.evidence_download,
         name="evidence_download"),
    path("work-orders/<int:pk>/complete/", views.workorder_complete,
         name="workorder_complete"),
    path("work-orders/<int:pk>/assign/", views.workorder_assign, name="workorder_assign"),
    path("work-orders/<int:pk>/status/", views.workorder_transition,
         name="workorder_transition"),
    path("agreements/<int:agreement_pk>/schedules/", views.agreement_schedules,
         name="agreement_schedules"),
    path("agreements/<int:agreement_pk>/generate/", views.agreement_generate,
         name="agreement_generate"),
    path("schedules/<int:pk>/", views.schedule_edit, name="schedule_edit"),
]
