from django.urls import path

from .calls import urls as call_urls
from .events import urls as event_urls
from .sirene import urls as sirene_urls
from .views import grid, imports, interviews, organisation, pipeline, record

app_name = "prospects"

urlpatterns: list = [
    path("", pipeline.prospect_list, name="prospect.list"),
    path("tableau/", pipeline.prospect_board, name="prospect.board"),
    path("nouveau/", record.prospect_create, name="prospect.create"),
    path("choix/", pipeline.prospect_options, name="prospect.options"),
    path("export.<str:fmt>", pipeline.prospect_export, name="prospect.export"),
    path("actions/", pipeline.prospect_bulk, name="prospect.bulk"),
    path("panneau/", pipeline.pipeline_panel, name="panel.pipeline"),
    path("structures/<int:pk>/parcours/", organisation.organisation_path, name="organisation.path"),
    path("<int:pk>/", record.prospect_detail, name="prospect.detail"),
    path("<int:pk>/modifier/", record.prospect_edit, name="prospect.edit"),
    path("<int:pk>/etape/", pipeline.prospect_move, name="prospect.move"),
    path("<int:pk>/echanges/", record.exchange_create, name="exchange.create"),
    path("<int:pk>/entretiens/nouveau/", interviews.interview_create, name="interview.create"),
    path("entretiens/<int:pk>/", interviews.interview_detail, name="interview.detail"),
    path("entretiens/<int:pk>/notes/", interviews.interview_score, name="interview.score"),
    path("entretiens/<int:pk>/conclusion/", interviews.interview_complete, name="interview.complete"),
    path("entretiens/<int:pk>/annuler/", interviews.interview_cancel, name="interview.cancel"),
    path("grille/", grid.grid_detail, name="grid.detail"),
    path("grille/modifier/", grid.grid_edit, name="grid.edit"),
    path("import/", imports.import_upload, name="import.upload"),
    path("import/<str:token>/", imports.import_preview, name="import.preview"),
    path("import/<str:token>/confirmer/", imports.import_confirm, name="import.confirm"),
    path("import/<str:token>/abandonner/", imports.import_cancel, name="import.cancel"),
    path("import/<str:token>/suivi/", imports.import_status, name="import.status"),
]

urlpatterns += event_urls.urlpatterns + call_urls.urlpatterns + sirene_urls.urlpatterns
