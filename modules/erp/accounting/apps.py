from django.apps import AppConfig


class AccountingConfig(AppConfig):
    name = "modules.erp.accounting"
    label = "accounting"
    verbose_name = "Accounting"

    def ready(self):
        from modules.erp.accounting.services.stock import stock_moves_post_entry
        from modules.erp.inventory.services._posting import on_moves_posted

        on_moves_posted(stock_moves_post_entry)
