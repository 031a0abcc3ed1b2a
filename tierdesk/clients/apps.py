from django.apps import AppConfig


class ClientsConfig(AppConfig):
    name = "tierdesk.clients"
    label = "clients"
    verbose_name = "Clients and agreements"
