"""Partner portal URLs contributed by the evaluation app (namespace `portal`, mounted at /portail/):
"Mon projet", indicator values and the cooperative maturity self-assessment."""

from django.urls import path

from . import portal_views as views

urlpatterns: list = [
    path("", views.home, name="home"),
    path("projets/<int:pk>/", views.project, name="project"),
    path("indicateurs/<int:pk>/", views.indicator_detail, name="indicator"),
    path("mesures/<int:pk>/", views.measurement_detail, name="measurement"),
    path("mesures/<int:pk>/justificatif/", views.measurement_evidence, name="measurement.evidence"),
    path("maturite/<int:pk>/", views.maturity_detail, name="maturity"),
    path("projets/<int:pk>/maturite/ouvrir/", views.maturity_open, name="maturity.open"),
]
