"""Apply the retention policy: ``manage.py apply_retention`` shows what is due (nothing
changes), ``--apply`` anonymises or removes it. Counts only are printed, never a person."""

from django.core.management.base import BaseCommand
from django.utils import timezone

from atensi import retention
from atensi.audit.models import AuditEvent
from atensi.audit.services import audit_record


class Command(BaseCommand):
    help = "Anonymise or remove what the retention policy says (a dry run unless --apply)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--apply", action="store_true", help="change the data (without it: a dry run)"
        )
        parser.add_argument("--rule", choices=sorted(retention.RULES), help="only this rule")

    def handle(self, *args, apply=False, rule=None, **options):
        now = timezone.now()
        rules = [retention.RULES[rule]] if rule else list(retention.RULES.values())
        mode = "applied" if apply else "dry run"
        for item in rules:
            due = item.due(now)
            if not apply:
                self.stdout.write(f"{item.name}: {len(due)} due — {item.description}")
                continue
            changed = item.apply(due) if due else 0
            summary = f"retention {item.name}: {len(due)} due, {changed} rows changed"
            audit_record(actor=None, action=AuditEvent.Action.UPDATE, object_type="retention",
                         channel="command", summary=summary)  # fmt: skip
            self.stdout.write(f"{item.name}: {len(due)} due, {changed} rows changed")
        self.stdout.write(f"Retention {mode} at {timezone.localtime(now):%Y-%m-%d %H:%M}.")
