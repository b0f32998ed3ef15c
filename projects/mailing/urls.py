"""E-mail URLs, included by projects/urls.py under the `projects` namespace (names `mailing.*`)."""

from django.urls import path

from . import views

urlpatterns = [
    path("e-mails/", views.sent_list, name="mailing.sent"),
    path("e-mails/<int:pk>/", views.sent_detail, name="mailing.sent.detail"),
    path("e-mails/<int:pk>/renvoyer/", views.sent_retry, name="mailing.sent.retry"),
    path("e-mails/modeles/", views.template_list, name="mailing.templates"),
    path("e-mails/modeles/nouveau/", views.template_create, name="mailing.template.create"),
    path("e-mails/modeles/<int:pk>/", views.template_detail, name="mailing.template.detail"),
    path("e-mails/modeles/<int:pk>/modifier/", views.template_edit, name="mailing.template.edit"),
    path("e-mails/modeles/<int:pk>/archiver/", views.template_archive, name="mailing.template.archive"),
    path(
        "e-mails/modeles/<int:pk>/piece-jointe/",
        views.template_attachment,
        name="mailing.template.attachment",
    ),
    path("e-mails/prospects/", views.bulk_send, name="mailing.bulk"),
    path("e-mails/prospects/lien/", views.bulk_link, name="mailing.bulk.link"),
    path("e-mails/collectifs/", views.bulk_send_projects, name="mailing.bulk.projects"),
    path("e-mails/collectifs/lien/", views.bulk_link_projects, name="mailing.bulk.projects.link"),
    path("e-mails/prospects/<int:pk>/ecrire/", views.compose_prospect, name="mailing.compose.prospect"),
    path("e-mails/contacts/<int:pk>/ecrire/", views.compose_person, name="mailing.compose.person"),
    path("<int:pk>/e-mail/", views.compose_project, name="mailing.compose.project"),
]
