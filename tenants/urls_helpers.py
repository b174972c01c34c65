from django.conf import settings

from tenants.models import Tenant


def _origin(host: str) -> str:
    port = f":{settings.PUBLIC_PORT}" if settings.PUBLIC_PORT else ""
    return f"{settings.PUBLIC_SCHEME}://{host}{port}"


def workspace_url(tenant: Tenant, path: str = "/") -> str:
    """Absolute URL on a workspace's host (for emails and cross-host redirects)."""
    return _origin(f"{tenant.schema_name}.{settings.BASE_DOMAIN}") + path


def public_url(path: str = "/") -> str:
    return _origin(settings.BASE_DOMAIN) + path
