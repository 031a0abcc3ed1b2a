from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "tierdesk.catalog"
    label = "catalog"
    verbose_name = "Catalog"
