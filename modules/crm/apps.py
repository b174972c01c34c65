from django.apps import AppConfig


class CrmConfig(AppConfig):
    name = "modules.crm"
    label = "crm"
    verbose_name = "CRM"
