from django.apps import AppConfig


class PartiesConfig(AppConfig):
    name = "modules.parties"
    label = "parties"
    verbose_name = "Parties"
