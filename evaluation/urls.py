from django.urls import path  # noqa: F401

from . import report_urls

app_name = "evaluation"

urlpatterns: list = [] + report_urls.urlpatterns
