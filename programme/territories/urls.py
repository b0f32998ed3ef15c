from django.urls import path

from . import views

app_name = "territories"

urlpatterns = [
    path("", views.territory_list, name="list"),
    path("nouveau/", views.territory_create, name="create"),
    path("etapes/", views.stage_list, name="stage.list"),
    path("etapes/nouvelle/", views.stage_create, name="stage.create"),
    path("etapes/<int:pk>/", views.stage_edit, name="stage.edit"),
    path("<int:pk>/", views.territory_detail, name="detail"),
    path("<int:pk>/modifier/", views.territory_edit, name="edit"),
    path("<int:pk>/perimetre/", views.territory_areas, name="areas"),
    path("<int:pk>/etape/", views.territory_move, name="move"),
    path("<int:pk>/partenaires/ajouter/", views.partner_add, name="partner.add"),
    path("partenaires/<int:pk>/retirer/", views.partner_remove, name="partner.remove"),
    path("<int:pk>/referents/ajouter/", views.referent_add, name="referent.add"),
    path("<int:pk>/referents/<int:person_pk>/retirer/", views.referent_remove, name="referent.remove"),
    path("<int:pk>/acces/ajouter/", views.grant_add, name="grant.add"),
    path("acces/<int:pk>/retirer/", views.grant_remove, name="grant.remove"),
]
