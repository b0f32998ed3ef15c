"""The inbox URLs, included by projects/urls.py under the `projects` namespace (names `inbox*`)."""

from django.urls import path

from . import views

urlpatterns = [
    path("a-traiter/", views.inbox, name="inbox"),
    path("a-traiter/nombre/", views.inbox_count, name="inbox.count"),
    path("a-traiter/assigner/", views.inbox_assign, name="inbox.assign"),
    path(
        "a-traiter/<slug:source_key>/<int:item_pk>/reassigner/", views.inbox_reassign, name="inbox.reassign"
    ),
    path("a-traiter/vu/", views.inbox_seen, name="inbox.seen"),
]
