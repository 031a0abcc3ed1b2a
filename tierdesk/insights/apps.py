from django.apps import AppConfig


class InsightsConfig(AppConfig):
    name = "tierdesk.insights"
    label = "insights"
    verbose_name = "Insights"
