"""What the prospect pages share: the create/edit page."""

from collections.abc import Callable
from typing import Any, Protocol

from django.contrib import messages
from django.forms import BaseForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render


class HasPage(Protocol):
    def get_absolute_url(self) -> str: ...


def form_page[T: HasPage](
    request: HttpRequest,
    form: BaseForm,
    *,
    save: Callable[[], T],
    message: Callable[[T], str],
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
