from django.urls import path

from tierdesk.portal import views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("agreements/<int:pk>/", views.agreement_detail, name="agreement_detail"),
    path("agreements/<int:pk>/signed.pdf", views.signed_pdf, name="signed_pdf"),
]
