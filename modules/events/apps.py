from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "modules.events"
    label = "events"
    verbose_name = "Domain events (outbox)"
