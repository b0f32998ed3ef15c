"""Findings, recommendations, dossiers and kits: team URLs in the `evaluation` namespace, the collective's
in `portal` (added to evaluation/portal/urls.py)."""

from django.urls import path

from . import views

urlpatterns = [
    path("projets/<int:project_pk>/constats/", views.findings, name="judgement.findings"),
    path("questions/<int:question_pk>/constat/", views.finding_edit, name="judgement.finding"),
    path("questions/<int:question_pk>/constat/preuves/", views.evidence_add, name="judgement.evidence.add"),
    path("preuves/<int:pk>/retirer/", views.evidence_remove, name="judgement.evidence.remove"),
    path("constats/<int:pk>/partage/", views.finding_share, name="judgement.finding.share"),
    path("projets/<int:project_pk>/recommandation/", views.recommendation, name="judgement.recommendation"),
    path(
        "projets/<int:project_pk>/dossier/preparer/", views.dossier_prepare, name="judgement.dossier.prepare"
    ),
    path("projets/<int:project_pk>/dossier/comite/", views.decision_panel, name="judgement.decision_panel"),
    path("dossiers/<int:pk>/", views.dossier_detail, name="judgement.dossier"),
    path("dossiers/<int:pk>/pdf/", views.dossier_download, name="judgement.dossier.download"),
    path("dossiers/<int:pk>/partage/", views.dossier_share, name="judgement.dossier.share"),
    path(
        "decisions/<int:decision_pk>/vu-par-le-comite/", views.decision_seen, name="judgement.decision_seen"
    ),
    path("projets/<int:project_pk>/kit/generer/", views.kit_generate, name="judgement.kit.generate"),
    path("kits/<int:pk>/partage/", views.kit_share, name="judgement.kit.share"),
    path("kits/<int:pk>/<str:part>/", views.kit_download, name="judgement.kit.download"),
    path("sites/<int:site_pk>/kit/", views.site_kit, name="judgement.site_kit"),
]

portal_urlpatterns = [
    path("projets/<int:pk>/constats/", views.portal_findings, name="judgement.findings"),
    path("constats/<int:finding_pk>/lecture/", views.portal_reading_add, name="judgement.reading"),
]
