from django.apps import AppConfig


class PlatformConfig(AppConfig):
    name = "saas_platform"
    verbose_name = "Platform"
