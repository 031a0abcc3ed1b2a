from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "tierdesk.documents"
    label = "documents"
    verbose_name = "Documents and signatures"
