from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "modules.erp.catalog"
    label = "catalog"
    verbose_name = "Catalog"
