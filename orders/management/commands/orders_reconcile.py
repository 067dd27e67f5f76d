"""Daily reconciliation (``orders.payments.reconciliation``): run it from cron each morning after
the providers publish the previous day's bills (say 10:00); running a day again replaces its
result."""

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from orders.payments import reconciliation
from orders.payments.base import get_provider
from orders.payments.exceptions import UnknownProvider


class Command(BaseCommand):
    help = "Match the providers' statements of a day (default: yesterday) to our payments and refunds."

    def add_arguments(self, parser):
        parser.add_argument("--date", help="the day to reconcile, YYYY-MM-DD (default: yesterday)")
        parser.add_argument(
            "--provider",
            action="append",
            help="only this provider (wechatpay, alipay, stripe); may be given more than once",
        )

    def handle(self, *args, **options):
        try:
            day = date.fromisoformat(options["date"]) if options["date"] else None
        except ValueError:
            raise CommandError(f"--date: not a day in YYYY-MM-DD: {options['date']!r}") from None
        names = options["provider"] or None
        for name in names or []:
            try:
                provider = get_provider(name)
            except UnknownProvider:
                raise CommandError(f"--provider: no provider called {name!r}") from None
            if not provider.reconciles():
                raise CommandError(f"--provider: {name} has no statement to reconcile (keys not set?)")
        days = reconciliation.reconcile(day, names)
        if not days:
            self.stdout.write("No provider with a statement is configured: nothing to reconcile.")
        for row in days:
            line = (
                f"{row.provider} {row.day}: {row.get_status_display()}, "
                f"{row.discrepancies.count()} discrepancy(ies), statement {row.statement_net_fen} fen, "
                f"ours {row.ours_net_fen} fen"
            )
            if row.error:
                line += f" ({row.error})"
            self.stdout.write(line)
