from django.urls import path

from . import views

app_name = "prospects"

urlpatterns = [
    path("", views.prospect_list, name="prospect.list"),
    path("tableau/", views.prospect_board, name="prospect.board"),
    path("nouveau/", views.prospect_create, name="prospect.create"),
    path("export.<str:fmt>", views.prospect_export, name="prospect.export"),
    path("panneau/", views.pipeline_panel, name="panel.pipeline"),
    path("<int:pk>/", views.prospect_detail, name="prospect.detail"),
    path("<int:pk>/modifier/", views.prospect_edit, name="prospect.edit"),
    path("<int:pk>/etape/", views.prospect_move, name="prospect.move"),
    path("<int:pk>/echanges/", views.interaction_create, name="interaction.create"),
    path("<int:pk>/entretiens/nouveau/", views.interview_create, name="interview.create"),
    path("entretiens/<int:pk>/", views.interview_detail, name="interview.detail"),
    path("entretiens/<int:pk>/notes/", views.interview_score, name="interview.score"),
    path("entretiens/<int:pk>/conclusion/", views.interview_complete, name="interview.complete"),
    path("entretiens/<int:pk>/annuler/", views.interview_cancel, name="interview.cancel"),
    path("grille/", views.grid_detail, name="grid.detail"),
    path("grille/modifier/", views.grid_edit, name="grid.edit"),
    path("evenements/", views.event_list, name="event.list"),
    path("evenements/nouveau/", views.event_form, name="event.create"),
    path("evenements/<int:pk>/", views.event_detail, name="event.detail"),
    path("evenements/<int:pk>/modifier/", views.event_form, name="event.edit"),
    path("evenements/<int:pk>/prospects/", views.event_prospects, name="event.prospects"),
    path("import/", views.import_upload, name="import.upload"),
    path("import/<str:token>/", views.import_preview, name="import.preview"),
    path("import/<str:token>/confirmer/", views.import_confirm, name="import.confirm"),
    path("import/<str:token>/abandonner/", views.import_cancel, name="import.cancel"),
    path("import/<str:token>/suivi/", views.import_status, name="import.status"),
]
