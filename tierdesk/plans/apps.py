from django.apps import AppConfig


class PlansConfig(AppConfig):
    name = "tierdesk.plans"
    label = "plans"
    verbose_name = "Tiers"
