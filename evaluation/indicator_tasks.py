"""Celery tasks for indicators and measurements."""
