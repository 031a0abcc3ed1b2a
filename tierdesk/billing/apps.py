from django.apps import AppConfig


class BillingConfig(AppConfig):
    name = "tierdesk.billing"
    label = "billing"
    verbose_name = "Billing"
