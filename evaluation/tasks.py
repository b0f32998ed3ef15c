"""Celery tasks of the evaluation app (autodiscovered through this module).

Reports' tasks live in report_tasks.py, indicators' in indicator_tasks.py; both are imported here."""

from .indicator_tasks import *  # noqa: F403
from .report_tasks import *  # noqa: F403
