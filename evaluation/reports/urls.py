"""Dashboard and report URLs (names `evaluation:dashboard*`, `evaluation:report.*`), included by
evaluation/urls.py."""

from django.urls import path

from . import views

urlpatterns: list = [
    path("tableau-de-bord/", views.dashboard, name="dashboard"),
    path("tableau-de-bord/export/<slug:table>.<slug:fmt>", views.dashboard_export, name="dashboard.export"),
    path(
        "conventions/<int:pk>/compte-rendu-financier.<slug:fmt>",
        views.cerfa_export,
        name="funding.cerfa",
    ),
    path("rapports/", views.report_list, name="report.list"),
    path("rapports/nouveau/", views.report_create, name="report.create"),
    path("rapports/<int:pk>/", views.report_detail, name="report.detail"),
    path("rapports/<int:pk>/etat/", views.report_status, name="report.status"),
    path("rapports/<int:pk>/telecharger/", views.report_download, name="report.download"),
    path("rapports/<int:pk>/telecharger.docx", views.report_download_docx, name="report.download_docx"),
    path("rapports/<int:pk>/redaction/", views.report_text, name="report.text"),
    path("rapports/<int:pk>/version-finale/", views.report_finalise, name="report.finalise"),
    path("rapports/<int:pk>/relancer/", views.report_retry, name="report.retry"),
    path("rapports/<int:pk>/partage/", views.report_share, name="report.share"),
]
