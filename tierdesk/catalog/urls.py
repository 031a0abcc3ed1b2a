from django.urls import path

from tierdesk.catalog import views

app_name = "catalog"
urlpatterns = [
    path("", views.service_list, name="service_list"),
    path("services/new/", views.service_create, name="service_create"),
    path("services/<int:pk>/", views.service_detail, name="service_detail"),
    path("services/<int:pk>/edit/", views.service_edit, name="service_edit"),
    path("segments/", views.segment_list, name="segment_list"),
    path("segments/new/", views.segment_create, name="segment_create"),
    path("segments/<int:pk>/", views.segment_detail, name="segment_detail"),
    path("segments/<int:pk>/edit/", views.segment_edit, name="segment_edit"),
    path("segments/<int:segment_pk>/requirements/new/", views.requirement_create,
         name="requirement_create"),
    path("segments/<int:segment_pk>/requirements/<int:pk>/edit/", views.requirement_edit,
         name="requirement_edit"),
    path("segments/<int:segment_pk>/requirements/<int:pk>/delete/", views.requirement_delete,
         name="requirement_delete"),
    path("tasks/", views.task_list, name="task_list"),
    path("tasks/new/", views.task_create, name="task_create"),
    path("tasks/<int:pk>/", views.task_detail, name="task_detail"),
    path("tasks/<int:pk>/edit/", views.task_edit, name="task_edit"),
]
