from django.urls import path  # noqa: F401

from . import selection_urls

app_name = "projects"

urlpatterns: list = [] + selection_urls.urlpatterns
