"""Outsourcing pages. Included by tierdesk/desk/urls.py (namespace "desk"):
    path("outsourcing/", include("tierdesk.desk.outsourcing_urls")),
giving desk:outsourcing, desk:outsourcing_partner, desk:ticket_partner and
desk:ticket_partner_step."""

from django.urls import path

from tierdesk.desk import outsourcing_views

urlpatterns = [
    path("", outsourcing_views.outsourcing_page, name="outsourcing"),
    path("partners/<int:pk>/", outsourcing_views.outsourcing_partner,
         name="outsourcing_partner"),
    path("tickets/<int:pk>/", outsourcing_views.ticket_partner_panel, name="ticket_partner"),
    path("tickets/<int:pk>/step/", outsourcing_views.ticket_partner_step,
         name="ticket_partner_step"),
]
