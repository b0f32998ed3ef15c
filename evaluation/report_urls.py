"""Report URLs (names `evaluation:report.*`), included by evaluation/urls.py."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
