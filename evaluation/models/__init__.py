"""Evaluation models, one module per concern. Import every model here so Django finds it."""

from .reports import Report, ReportKind, ReportStatus

__all__ = ["Report", "ReportKind", "ReportStatus"]
