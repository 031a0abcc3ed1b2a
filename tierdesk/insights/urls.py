"""Staff URLs of insights, mounted at /insights/."""

from django.urls import path

from tierdesk.insights import (
    views_capacity,
    views_guardrails,
    views_pricing,
    views_profit,
    views_reports,
)

app_name = "insights"
urlpatterns = [
    path("value-reports/", views_reports.value_report_month, name="value_report_month"),
    path("value-reports/generate/", views_reports.value_report_generate,
         name="value_report_generate"),
    path("value-reports/clients/<int:client_id>/", views_reports.value_report_client,
         name="value_report_client"),
    path("value-reports/<int:pk>/pdf/", views_reports.value_report_pdf_view,
         name="value_report_pdf"),
    path("value-reports/<int:pk>/send/", views_reports.value_report_send,
         name="value_report_send"),
    path("capacity/", views_capacity.capacity_scenarios, name="capacity"),
    path("capacity/roster/", views_capacity.capacity_roster, name="capacity_roster"),
    path("capacity/runs/<int:pk>/", views_capacity.capacity_run, name="capacity_run"),
    path("capacity/runs/<int:pk>/status/", views_capacity.capacity_run_status,
         name="capacity_run_status"),
    path("profitability/", views_profit.profitability, name="profitability"),
    path("profitability/charts/", views_profit.profitability_charts,
         name="profitability_charts"),
    path("profitability/clients/<int:client_id>/", views_profit.profitability_client,
         name="profitability_client"),
    path("profitability/low/", views_profit.low_profit, name="low_profit"),
    path("costs/", views_profit.cost_model, name="cost_model"),
    path("costs/tools/", views_profit.tool_cost_add, name="tool_cost_add"),
    path("costs/tools/<int:pk>/delete/", views_profit.tool_cost_delete,
         name="tool_cost_delete"),
    path("costs/floors/", views_profit.margin_floors, name="margin_floors"),
    path("guardrails/client/<int:client_id>/", views_guardrails.guardrail_client,
         name="guardrail_client"),
    path("guardrails/dispatch/", views_guardrails.guardrail_dispatch,
         name="guardrail_dispatch"),
    path("guardrails/agreements/<int:agreement_id>/renewal/",
         views_guardrails.guardrail_renewal, name="guardrail_renewal"),
    path("pricing/", views_pricing.price_designer, name="price_designer"),
    path("pricing/save/", views_pricing.price_design_save_view, name="price_design_save"),
]
