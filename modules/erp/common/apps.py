from django.apps import AppConfig


class CommonConfig(AppConfig):
    name = "modules.erp.common"
    label = "erp_common"
    verbose_name = "ERP common (document numbers)"
