from django.urls import path

from . import views

app_name = "setup"

urlpatterns = [
    path("", views.index, name="index"),
    path("<slug:kind>/", views.setting_list, name="list"),
    path("<slug:kind>/nouveau/", views.setting_create, name="create"),
    path("<slug:kind>/<int:pk>/", views.setting_edit, name="edit"),
    path("<slug:kind>/<int:pk>/archiver/", views.setting_archive, name="archive"),
    path("<slug:kind>/<int:pk>/supprimer/", views.setting_delete, name="delete"),
]
