from django.core.management.base import BaseCommand, CommandError

from atensi import demo
from atensi.accounts.models import User
from atensi.regions.models import Region


class Command(BaseCommand):
    help = "Load the demo organisations, users, clients, referrals and cases (idempotent)."

    def handle(self, *args, **options):
        if not Region.objects.filter(code=demo.OKI).exists():
            raise CommandError("Load the regions first: manage.py load_regions")
        if not demo.load(stdout=self.stdout):
            self.stdout.write("Demo data already present; nothing changed.")
        from atensi import demo_screening

        users = {u.username: u for u in User.objects.filter(username__startswith="demo-")}
        if not demo_screening.load(users=users, stdout=self.stdout):
            self.stdout.write("Demo screening already present; nothing changed.")
        from aid import demo as aid_demo

        if not aid_demo.load(users=users, stdout=self.stdout):
            self.stdout.write("Demo aid already present; nothing changed.")
        from rehab import demo as rehab_demo

        if not rehab_demo.load(users=users, stdout=self.stdout):
            self.stdout.write("Demo rehabilitation already present; nothing changed.")
        from prevention import demo as prevention_demo

        if not prevention_demo.load(users=users, stdout=self.stdout):
            self.stdout.write("Demo BNNK activities already present; nothing changed.")
