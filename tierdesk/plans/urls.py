"""Tier pages, mounted at /tiers/."""

from django.urls import path

from tierdesk.plans import views

app_name = "plans"
urlpatterns = [
    path("", views.plan_list, name="plan_list"),
    path("new/", views.plan_create, name="plan_create"),
    path("compare/", views.version_compare, name="version_compare"),
    path("comparison/", views.comparison, name="comparison"),
    path("comparison.pdf", views.comparison_pdf, name="comparison_pdf"),
    path("<int:pk>/", views.plan_detail, name="plan_detail"),
    path("<int:pk>/design/", views.plan_edit, name="plan_edit"),
    path("<int:pk>/rename/", views.plan_rename, name="plan_rename"),
    path("<int:pk>/active/", views.plan_set_active, name="plan_set_active"),
]
