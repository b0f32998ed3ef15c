"""Celery tasks for PDF reports."""
