"""Events URLs of the team, included by prospects/urls.py under the `prospects` namespace (names `event.*`)."""

from django.urls import path

from . import views

urlpatterns = [
    path("evenements/", views.event_list, name="event.list"),
    path("evenements/nouveau/", views.event_form, name="event.create"),
    path("evenements/panneau/", views.events_panel, name="event.panel"),
    path("evenements/<int:pk>/", views.event_detail, name="event.detail"),
    path("evenements/<int:pk>/modifier/", views.event_form, name="event.edit"),
    path("evenements/<int:pk>/prospects/", views.event_prospects, name="event.prospects"),
    path(
        "evenements/<int:pk>/prospects/participants/",
        views.event_prospects_from_attendees,
        name="event.prospects_from_attendees",
    ),
    path("evenements/<int:pk>/programme/nouvelle/", views.sequence_form, name="event.sequence.create"),
    path("evenements/<int:pk>/programme/<int:sequence_pk>/", views.sequence_form, name="event.sequence.edit"),
    path(
        "evenements/<int:pk>/programme/<int:sequence_pk>/supprimer/",
        views.sequence_delete,
        name="event.sequence.delete",
    ),
    path("evenements/<int:pk>/structures/", views.partner_add, name="event.partner.create"),
    path(
        "evenements/<int:pk>/structures/<int:partner_pk>/retirer/",
        views.partner_delete,
        name="event.partner.delete",
    ),
    path("evenements/<int:pk>/inscriptions/", views.registration_list, name="event.registrations"),
    path("evenements/<int:pk>/inscriptions/inviter/", views.registration_invite, name="event.invite"),
    path("evenements/<int:pk>/inscriptions/ajouter/", views.registration_add, name="event.register"),
    path(
        "evenements/<int:pk>/inscriptions/<int:registration_pk>/statut/",
        views.registration_move,
        name="event.registration.move",
    ),
    path("evenements/<int:pk>/accueil/", views.event_checkin, name="event.checkin"),
    path("evenements/<int:pk>/presences/", views.event_attendance, name="event.attendance"),
    path("evenements/<int:pk>/compte-rendu/", views.event_write_up, name="event.write_up"),
    path(
        "evenements/<int:pk>/compte-rendu/fichier/", views.attachment_upload, name="event.attachment.upload"
    ),
    path("evenements/fichiers/<int:pk>/", views.attachment_download, name="event.attachment.download"),
    path("evenements/<int:pk>/questionnaire/", views.survey_send, name="event.survey.send"),
    path("formations/", views.module_list, name="event.module.list"),
    path("formations/nouveau/", views.module_form, name="event.module.create"),
    path("formations/<int:pk>/", views.module_detail, name="event.module.detail"),
    path("formations/<int:pk>/modifier/", views.module_form, name="event.module.edit"),
    path("territoires/<int:pk>/evenements/", views.territory_events, name="event.territory"),
    path("contacts/<int:pk>/formations/", views.person_trainings, name="event.person_trainings"),
]
