from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "modules.erp.catalog"
    label = "catalog"
    verbose_name = "Catalog"

    def ready(self):
        from modules.erp import navigation  # noqa: F401  (registers the menu entries)
        from modules.erp.dataio import imports  # noqa: F401  (registers the product and opening-stock imports)
