"""Thread URLs, included by projects/urls.py under the `projects` namespace (names `comment.*`)."""

from django.urls import path

from . import views

urlpatterns = [
    path("discussion/<slug:key>/<int:object_id>/", views.comment_list, name="comment.list"),
    path("discussion/<slug:key>/<int:object_id>/ecrire/", views.comment_post, name="comment.post"),
]
