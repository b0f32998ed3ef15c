"""What the prospect pages share: the create/edit page and the bound-on-POST form data."""

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.db.models import Model
from django.forms import Form
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render


def form_page(
    request: HttpRequest,
    form: Form,
    *,
    save: Callable[[], Model],
    message: Callable[[Model], str],
    template: str,
    context: dict[str, Any] | None = None,
) -> HttpResponse:
    """The create/edit pages: a valid POST saves through the service, says so and goes to the object;
    otherwise the page (again, with the errors next to the fields)."""
    if request.method == "POST" and form.is_valid():
        obj = save()
        messages.success(request, message(obj))
        return redirect(obj)
    return render(request, template, {"form": form, **(context or {})})


def posted(request: HttpRequest) -> QueryDict | None:
    """The submitted data on POST (even empty: the form is bound and shows its errors), else None."""
    return request.POST if request.method == "POST" else None
