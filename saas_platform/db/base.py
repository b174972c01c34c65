"""django-tenants' PostgreSQL wrapper, minus redundant ``SET search_path`` round trips.

Stock django-tenants forgets the connection's search_path on every ``set_tenant``,
so a persistent connection pays one ``SET`` per request even when the schema is the
one it already has. Here the path is kept when it is unchanged; rollback, savepoint
rollback and close still forget it (django-tenants handles those), because
PostgreSQL discards a ``SET`` made inside an aborted transaction. A renamed schema
has a new name, so it can never match a path set under the old one.
"""

from django_tenants.postgresql_backend.base import DatabaseWrapper as TenantDatabaseWrapper


class DatabaseWrapper(TenantDatabaseWrapper):
    def set_tenant(self, tenant, include_public=True):
        previous = self.search_path_set_schemas
        super().set_tenant(tenant, include_public)
        if previous is not None and previous == self._get_cursor_search_paths():
            self.search_path_set_schemas = previous
