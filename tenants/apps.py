from django.apps import AppConfig


class TenantsConfig(AppConfig):
    name = "tenants"
    verbose_name = "Workspaces"

    def ready(self):
        # django-tenants listens to post_delete of every model, which makes each .delete() in the project load
        # its rows first (no fast delete). It only acts on tenants: listen to those alone.
        from django.db.models.signals import post_delete
        from django_tenants.signals import tenant_delete_callback

        from tenants.models import Tenant

        post_delete.disconnect(tenant_delete_callback)
        post_delete.connect(tenant_delete_callback, sender=Tenant)
