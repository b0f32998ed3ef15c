"""Partner portal URLs contributed by the projects app (namespace `portal`, mounted at /portail/)."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
