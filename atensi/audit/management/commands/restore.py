"""``manage.py restore <folder> --yes``: put a backup back (see atensi.backups)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from atensi import backups


class Command(BaseCommand):
    help = (
        "Restore a backup made by `manage.py backup`: replaces the database's tables and puts "
        "the uploaded files back. --into NAME restores into another database instead."
    )

    def add_arguments(self, parser):
        parser.add_argument("folder")
        parser.add_argument(
            "--into", help="restore the database into this database (created if missing)"
        )
        parser.add_argument("--media-root", help="put the files here instead of MEDIA_ROOT")
        parser.add_argument(
            "--yes", action="store_true", help="confirm replacing the configured database"
        )

    def handle(self, *args, folder, into=None, media_root=None, yes=False, **options):
        if not into and not yes:
            raise CommandError(
                "This replaces every table of the configured database: add --yes to confirm, "
                "or --into NAME to restore into another database."
            )
        try:
            manifest = backups.restore(
                Path(folder), into=into, media_root=Path(media_root) if media_root else None
            )
        except backups.BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"Restored the backup of {manifest['created_at']} "
            f"({manifest['media_files']} files) into {into or 'the configured database'}."
        )
