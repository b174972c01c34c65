from django.apps import AppConfig


class PurchasingConfig(AppConfig):
    name = "modules.erp.purchasing"
    label = "purchasing"
    verbose_name = "Purchasing"
