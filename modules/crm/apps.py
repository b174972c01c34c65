from django.apps import AppConfig


class CrmConfig(AppConfig):
    name = "modules.crm"
    label = "crm"
    verbose_name = "CRM"

    def ready(self):
        from modules.crm import navigation  # noqa: F401  (registers the menu entries)
