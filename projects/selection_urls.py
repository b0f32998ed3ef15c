"""Selection committee URLs (the flow that turns a retained candidate into a project).

Included by projects/urls.py: the selection view owns the flow, so it lives in the higher app and calls
the prospects service (decision) then the projects service (project creation)."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
