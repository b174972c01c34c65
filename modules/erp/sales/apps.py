from django.apps import AppConfig


class SalesConfig(AppConfig):
    name = "modules.erp.sales"
    label = "sales"
    verbose_name = "Sales"

    def ready(self):
        from modules.erp.sales import events  # noqa: F401  (registers the deal.won handler)
