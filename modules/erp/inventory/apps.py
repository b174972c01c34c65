from django.apps import AppConfig


class InventoryConfig(AppConfig):
    name = "modules.erp.inventory"
    label = "inventory"
    verbose_name = "Inventory"
