from django.urls import path

from tierdesk.clients import views

app_name = "clients"
urlpatterns = [
    path("", views.client_list, name="client_list"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("new/", views.client_create, name="client_create"),
    path("<int:pk>/", views.client_detail, name="client_detail"),
    path("<int:pk>/edit/", views.client_edit, name="client_edit"),
    path("<int:client_pk>/sites/new/", views.site_create, name="site_create"),
    path("<int:client_pk>/sites/<int:pk>/edit/", views.site_edit, name="site_edit"),
    path("<int:client_pk>/contacts/new/", views.contact_create, name="contact_create"),
    path("<int:client_pk>/contacts/<int:pk>/edit/", views.contact_edit, name="contact_edit"),
    path("<int:client_pk>/contacts/<int:pk>/invite/", views.contact_invite,
         name="contact_invite"),
    path("agreements/", views.agreement_list, name="agreement_list"),
    path("agreements/new/", views.agreement_create, name="agreement_create"),
    path("agreements/<int:pk>/", views.agreement_detail, name="agreement_detail"),
    path("agreements/<int:pk>/edit/", views.agreement_edit, name="agreement_edit"),
    path("agreements/<int:pk>/change-tier/", views.agreement_change_tier,
         name="agreement_change_tier"),
    path("agreements/<int:pk>/<slug:action>/", views.agreement_action, name="agreement_action"),
]
