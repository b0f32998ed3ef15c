from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path

from . import views

# Django admin logs in through allauth, so its login gets the same rate limits and MFA.
# The stubs declare `login` a method; replacing it on this one instance is what allauth documents.
admin.site.login = secure_admin_login(admin.site.login)  # type: ignore[method-assign]
admin.site.site_header = "Parcours — administration"

# A request Django refuses (a body beyond DATA_UPLOAD_MAX_MEMORY_SIZE…) gets a French page, not a bare one.
handler400 = "programme.views.bad_request"

programme_patterns = (
    [
        path("structures/", views.organisation_list, name="organisation.list"),
        path("structures/nouvelle/", views.organisation_create, name="organisation.create"),
        path("structures/choix/", views.organisation_options, name="organisation.options"),
        path("structures/<int:pk>/", views.organisation_detail, name="organisation.detail"),
        path("structures/<int:pk>/modifier/", views.organisation_edit, name="organisation.edit"),
        path("contacts/", views.person_list, name="person.list"),
        path("contacts/nouveau/", views.person_create, name="person.create"),
        path("contacts/choix/", views.person_options, name="person.options"),
        path("contacts/<int:pk>/", views.person_detail, name="person.detail"),
        path("contacts/<int:pk>/modifier/", views.person_edit, name="person.edit"),
        path("contacts/<int:pk>/anonymiser/", views.person_anonymise, name="person.anonymise"),
        path("contacts/<int:pk>/export/", views.person_export, name="person.export"),
        path("invitations/", views.invitation_list, name="invitation.list"),
        path("preferences/", views.preferences, name="preferences"),
    ],
    "programme",
)

urlpatterns = [
    path("", views.home, name="home"),
    path("health/", views.health, name="health"),
    path("invitation/<str:token>/", views.invitation_accept, name="invitation.accept"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    path("", include(programme_patterns)),
    path("parametres/", include("programme.setup.urls")),
    path("territoires/", include("programme.territories.urls")),
    path("prospects/", include("prospects.urls")),
    path("candidater/", include("prospects.calls.public_urls")),
    path("evenements/", include("prospects.events.public_urls")),
    path("projets/", include("projects.urls")),
    path("evaluation/", include("evaluation.urls")),
    path("portail/", include("evaluation.portal.urls")),
]
