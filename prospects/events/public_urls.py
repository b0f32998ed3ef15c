"""The pages of events seen without an account (namespace `events`, at /evenements/)."""

from django.urls import path

from . import public

app_name = "events"

urlpatterns = [
    path("questionnaire/<str:token>/", public.survey, name="survey"),
    path("<str:public_key>/", public.public_register, name="register"),
]
