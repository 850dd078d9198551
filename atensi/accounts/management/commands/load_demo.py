from django.core.management.base import BaseCommand, CommandError

from atensi import demos
from atensi.regions.models import Region


class Command(BaseCommand):
    help = (
        "Load the demo organisations, users, clients, referrals, cases, screening, aid, "
        "rehabilitation and BNNK activities (idempotent)."
    )

    def handle(self, *args, **options):
        if not Region.objects.exists():
            raise CommandError("Load the regions first: manage.py load_regions")
        demos.load_all(stdout=self.stdout)
