"""Load the demo town (青溪镇 Qingxi Town): pages in Chinese and English, generated pictures,
villages, attractions, routes, festivals and one user per role.

Each step in ``home.demo.steps.STEPS`` is idempotent, so the command can run again on a loaded
database; later features add their own step to that list.
"""

import contextlib
import logging
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.module_loading import import_string

from home.demo.steps import STEPS, demo_loaded
from search.signals import deferred_indexing
from town.demo.base import DemoContext, ensure_locales


class Command(BaseCommand):
    help = "Load the demo town (pages, pictures, users). Development only."

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing if the site already has its home page (used by `make run`).",
        )
        parser.add_argument("--quiet", action="store_true", help="Print nothing but errors.")
        parser.add_argument(
            "--force", action="store_true", help="Run even with DEBUG off (never on a real site)."
        )

    def handle(self, *args, if_empty=False, quiet=False, force=False, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "load_demo creates users with a known password: it runs only with DEBUG on "
                "(use --force to override, never in production)."
            )
        if if_empty and demo_loaded():
            if not quiet:
                self.stdout.write("The site already has content: demo not loaded.")
            return

        verbosity = 0 if quiet else options.get("verbosity", 1)
        started = time.monotonic()
        # Search entries are written once per object at the end, not on each of its many saves.
        with quiet_loggers(verbosity < 2), transaction.atomic(), deferred_indexing():
            zh, en = ensure_locales()
            ctx = DemoContext(zh=zh, en=en, verbosity=verbosity, write=self.stdout.write)
            for path in STEPS:
                step = import_string(path)
                ctx.log(f"{path.rsplit('.', 1)[-1]}…")
                step(ctx)

        if quiet:
            return
        self.stdout.write(self.style.SUCCESS(f"Demo town loaded in {time.monotonic() - started:.1f} s."))
        self.stdout.write("Demo log-ins (development only):")
        width = max(len(email) for email, _, _ in ctx.users)
        self.stdout.write(f"  {'e-mail'.ljust(width)}  {'password'.ljust(14)}  role")
        for email, password, role in ctx.users:
            self.stdout.write(f"  {email.ljust(width)}  {password.ljust(14)}  {role}")


@contextlib.contextmanager
def quiet_loggers(enabled, names=("wagtail", "django_tasks")):
    """Hide the per-page INFO lines (page published, task run) that would drown the summary."""
    loggers = [logging.getLogger(name) for name in names] if enabled else []
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.WARNING)
    try:
        yield
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)
