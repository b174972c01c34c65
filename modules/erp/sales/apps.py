from django.apps import AppConfig


class SalesConfig(AppConfig):
    name = "modules.erp.sales"
    label = "sales"
    verbose_name = "Sales"

