from django.apps import AppConfig


class InvoicingConfig(AppConfig):
    name = "modules.erp.invoicing"
    label = "invoicing"
    verbose_name = "Invoicing"
