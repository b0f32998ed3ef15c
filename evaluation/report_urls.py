"""Report URLs (names `evaluation:report.*`), included by evaluation/urls.py."""

from django.urls import path

from . import report_views

urlpatterns: list = [
    path("rapports/", report_views.report_list, name="report.list"),
    path("rapports/nouveau/", report_views.report_create, name="report.create"),
    path("rapports/<int:pk>/", report_views.report_detail, name="report.detail"),
    path("rapports/<int:pk>/etat/", report_views.report_status, name="report.status"),
    path("rapports/<int:pk>/telecharger/", report_views.report_download, name="report.download"),
    path("rapports/<int:pk>/relancer/", report_views.report_retry, name="report.retry"),
    path("rapports/<int:pk>/partage/", report_views.report_share, name="report.share"),
]
