import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from atensi.regions.loader import DATA_DIR, RegionDataError, read_all, upsert_regions
from atensi.regions.models import Region


class Command(BaseCommand):
    help = (
        "Load the Kemendagri area codes (idn-area-data, Kepmendagri 300.2.2-2138/2025) into "
        "the regions table. Safe to re-run: inserts new codes, updates changed ones, deletes none."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--data-dir",
            type=Path,
            default=DATA_DIR,
            help="Folder with provinces/regencies/districts/villages .csv.gz or .csv files.",
        )

    def handle(self, *args, data_dir: Path, **options):
        started = time.monotonic()
        try:
            rows = read_all(data_dir)
        except (RegionDataError, FileNotFoundError) as exc:
            raise CommandError(str(exc)) from exc
        results = upsert_regions(rows)
        elapsed = time.monotonic() - started

        for result in results:
            line = (
                f"{Region.Level(result.level).label:<14} {result.rows:>7} rows: "
                f"{result.inserted} inserted, {result.updated} updated, "
                f"{result.unchanged} unchanged"
            )
            if result.stale:
                line += f", {result.stale} in the database but not in the data set (kept)"
            self.stdout.write(line)
        total = sum(result.rows for result in results)
        self.stdout.write(self.style.SUCCESS(f"{total} regions loaded in {elapsed:.1f} s"))
