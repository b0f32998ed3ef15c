"""Small helpers shared by pages: the data a form is bound with, the create/edit page; for list pages,
filter, paginate, render the page or its HTMX fragment."""

from collections.abc import Callable
from typing import Any, Protocol

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django_filters import FilterSet

from .access import AuthedRequest

PAGE_SIZE = 50


def posted(request: HttpRequest) -> QueryDict | None:
    """The submitted data on POST (even empty: the form is bound and shows its errors), else None."""
    return request.POST if request.method == "POST" else None


class HasPage(Protocol):
    def get_absolute_url(self) -> str: ...


def form_page[T: HasPage](
    request: HttpRequest,
    form: forms.BaseForm,
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


def render_filtered_list(
    request: AuthedRequest,
    *,
    filterset: FilterSet,
    template: str,
    partial: str,
    context: dict[str, Any] | None = None,
    page_size: int = PAGE_SIZE,
) -> HttpResponse:
    """Render a filtered, paginated list; an HTMX request gets only the table fragment."""
    paginator = Paginator(filterset.qs, page_size)
    page = paginator.get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    active_filters = [
        {
            "name": name,
            "label": filterset.form.fields[name].label,
            "value": _display_value(filterset.form, name),
            "remove_query": _without(request, name),
        }
        for name in filterset.form.fields
        if request.GET.get(name) not in (None, "")
    ]
    ctx = {
        "filter": filterset,
        "page": page,
        "count": paginator.count,
        "querystring": query.urlencode(),
        "active_filters": active_filters,
        "partial": partial,
        **(context or {}),
    }
    if request.htmx and not request.htmx.boosted:
        return render(request, partial, ctx)
    return render(request, template, ctx)


def _without(request: HttpRequest, name: str) -> str:
    query = request.GET.copy()
    query.pop(name, None)
    query.pop("page", None)
    return query.urlencode()


def _display_value(form: forms.BaseForm, name: str) -> str:
    field = form.fields[name]
    raw = form.data.get(name)
    choices = getattr(field, "choices", None)
    if choices:
        for value, label in choices:
            if str(value) == str(raw):
                return str(label)
    return str(raw)
