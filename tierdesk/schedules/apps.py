from django.apps import AppConfig


class SchedulesConfig(AppConfig):
    name = "tierdesk.schedules"
    label = "schedules"
    verbose_name = "Periodic schedules"
