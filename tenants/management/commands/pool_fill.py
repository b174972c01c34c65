from django.conf import settings
from django.core.management.base import BaseCommand

from tenants.provisioning import pool_fill, pool_size


class Command(BaseCommand):
    help = "Build ready workspace schemas until the pool holds --size of them (default TENANT_POOL_SIZE)."

    def add_arguments(self, parser):
        parser.add_argument("--size", type=int, default=settings.TENANT_POOL_SIZE)

    def handle(self, *args, size: int, **options):
        built = pool_fill(target=size)
        self.stdout.write(f"pool: built {built}, now {pool_size()} ready")
