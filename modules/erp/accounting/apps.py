from django.apps import AppConfig


class AccountingConfig(AppConfig):
    name = "modules.erp.accounting"
    label = "accounting"
    verbose_name = "Accounting"
