import time

from django.core.management.base import BaseCommand

from atensi.summaries import facts


class Command(BaseCommand):
    help = (
        "Count again the months of the summary tables that changed since they were counted "
        "(--all: every month of every kind)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--all", action="store_true", help="count every month again")

    def handle(self, *args, **options):
        started = time.monotonic()
        counted = facts.rebuild() if options["all"] else facts.refresh()
        for kind, months in sorted(counted.items()):
            what = "every month" if options["all"] else f"{months} month(s)"
            self.stdout.write(f"{kind}: {what} counted again")
        self.stdout.write(f"Done in {time.monotonic() - started:.1f} s.")
