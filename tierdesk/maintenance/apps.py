from django.apps import AppConfig


class MaintenanceConfig(AppConfig):
    name = "tierdesk.maintenance"
    label = "maintenance"
    verbose_name = "Maintenance"
