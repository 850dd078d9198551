"""``manage.py backup [folder]``: the database and the uploaded files, with checksums."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from atensi import backups


class Command(BaseCommand):
    help = "Back up the database (pg_dump) and the uploaded files into a new folder."

    def add_arguments(self, parser):
        parser.add_argument(
            "folder", nargs="?",
            help="where to write (default: backups/atensi-<date>-<time>)",
        )  # fmt: skip

    def handle(self, *args, folder=None, **options):
        target = Path(folder or f"backups/atensi-{timezone.localtime():%Y%m%d-%H%M%S}")
        try:
            manifest = backups.backup(target)
        except backups.BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"Backup written to {target}: {backups.DUMP}, {backups.MEDIA} "
            f"({manifest['media_files']} files), {backups.MANIFEST}."
        )
