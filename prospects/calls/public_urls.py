"""The public URLs of the calls for applications (no login), included by programme/urls.py at
/candidater/ under the `apply` namespace."""

from django.urls import path

from .views import public

app_name = "apply"

urlpatterns = [
    path("<str:slug>/", public.call_page, name="call"),
    path("<str:slug>/reprendre/<str:token>/", public.application_resume, name="resume"),
    path("<str:slug>/repertoire/", public.register_lookup, name="register"),
]
