"""Small helpers shared by pages: the data a form is bound with, the create/edit page; for list pages,
filter, paginate, render the page or its HTMX fragment."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol, cast
from urllib.parse import quote_plus

from django import forms
from django.apps import apps
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import IntegrityError, connection, transaction
from django.db.models import UniqueConstraint
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import conditional_escape, format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods
from django_filters import FilterSet

from . import dataversion
from .access import AuthedRequest, View
from .filters import SharedFormFilterSet
from .forms import EdgeChecks, SearchSelect, add_validation_error, use_string_selects
from .identity import row_id
from .selectors import Choices, search_choices
from .services import submission_claim

if TYPE_CHECKING:
    from django.db.models import QuerySet
    from django_stubs_ext import StrOrPromise

    from .batch import ListRows

PAGE_SIZE = 50

#: The pk `reverse_pattern` reverses with, then replaces by `{}`: no page shows a row with this pk.
_PK_MARKER = 987654321


def reverse_pattern(name: str, *before: object) -> str:
    """`reverse(name)` once per page with `{}` where a row's pk goes (`pattern.format(row.pk)`), rather
    than one reverse per row: a list of a hundred rows paid a tenth of its time for its links. `before`:
    the URL's fixed arguments ahead of the pk (`reverse_pattern("projects:comment.list", "action")`)."""
    return reverse(name, args=[*before, _PK_MARKER]).replace(str(_PK_MARKER), "{}")


#: The second marker of `reverse_pair_pattern` (the first is _PK_MARKER).
_SECOND_MARKER = 123456789


def reverse_pair_pattern(name: str) -> str:
    """`reverse_pattern` for a URL of two numbers (a file's pk and its version's): `{pk}` and `{n}` where
    they go (`pattern.format(pk=…, n=…)`)."""
    url = reverse(name, args=[_PK_MARKER, _SECOND_MARKER])
    return url.replace(str(_PK_MARKER), "{pk}").replace(str(_SECOND_MARKER), "{n}")


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
    message: "StrOrPromise | Callable[[T], StrOrPromise]",
    template: str,
    context: dict[str, Any] | None = None,
    refusals_on_form: bool = False,
) -> HttpResponse:
    """The create/edit pages: a valid POST saves through the service, says so and goes to the object;
    otherwise the page (again, with the errors next to the fields). `refusals_on_form`: as in `save_once`."""
    obj = submitted(request, form, save, message=message, refusals_on_form=refusals_on_form)
    if obj is not None:
        return redirect(obj)
    return render(request, template, {"form": form, **(context or {})})


def submitted[T](
    request: HttpRequest,
    form: forms.BaseForm,
    save: Callable[[], T],
    *,
    message: "StrOrPromise | Callable[[T], StrOrPromise]",
    refusals_on_form: bool = False,
    duplicates: dict[str, Any] | None = None,
) -> T | None:
    """A form's POST: when the form is valid, `save` runs once (`save_once`, with its `refusals_on_form` and
    `duplicates`) and, if it saved, `message` (a sentence, or one made from what was saved) is said.
    Returns what was saved — the view then goes where it goes — or None: not a POST, or nothing saved,
    the form then carrying why, to be shown again."""
    if request.method != "POST" or not form.is_valid():
        return None
    saved = save_once(form, save, duplicates=duplicates, refusals_on_form=refusals_on_form)
    if saved is not None:
        messages.success(request, message(saved) if callable(message) else message)
    return saved


def create_edit_views[T](
    page: Callable[[AuthedRequest, T | None], HttpResponse],
    *,
    required: Callable[[View], View],
    get: Callable[[AuthedRequest, int], T],
) -> tuple[View, View]:
    """The create and edit views of a record whose one page function serves both (`page(request, None)`
    creates): behind the role check `required` (404 for the others), GET and POST only; the edit view
    reads its object with `get(request, pk)`, which scopes it through `programme.access`."""

    @required
    @require_http_methods(["GET", "POST"])
    def create(request: AuthedRequest) -> HttpResponse:
        return page(request, None)

    @required
    @require_http_methods(["GET", "POST"])
    def edit(request: AuthedRequest, pk: int) -> HttpResponse:
        return page(request, get(request, pk))

    return create, edit


def guarded(form: forms.BaseForm, save: Callable[[], Any]) -> Callable[[], Any]:
    """`save` for `save_once` or `form_page` when the service may refuse: its `ValidationError` goes on
    the form (nothing saved); a service that returns nothing counts as saved."""

    def run() -> Any:
        try:
            return save() or True
        except ValidationError as error:
            add_validation_error(form, error)
            return None

    return run


def acted[T](
    request: HttpRequest, act: Callable[[], T], *, message: "StrOrPromise | Callable[[T], StrOrPromise]"
) -> T | None:
    """A button's service call (no form to show again): its refusal (`ValidationError`) becomes the
    error message, nothing changed; otherwise `message` (a sentence, or one made from the result) is
    said. Returns the service's result, or None when refused (a service that returns nothing returns
    None either way: the view then does not tell them apart)."""
    try:
        result = act()
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return None
    messages.success(request, message(result) if callable(message) else message)
    return result


def share_toggle(request: HttpRequest, share: Callable[[bool], object], *, shared: str, kept: str) -> None:
    """Share something with the collective, or keep it to the team again, as posted (`shared=1` shares):
    `share(True/False)` is the service; its `ValidationError` becomes the message (nothing changed),
    otherwise the message `shared` or `kept`."""
    sharing = request.POST.get("shared") == "1"
    acted(request, lambda: share(sharing), message=shared if sharing else kept)


#: Said when the same submission arrives twice (a double click, a retried request).
ALREADY_SENT = _(
    "Ce formulaire a déjà été envoyé : il n’est enregistré qu’une fois. Rechargez la page pour "
    "retrouver ce qui a été enregistré."
)
#: Said when a create form arrives without its one-time token (a page kept from before, a script, a
#: hand-made request): refused, so that a second identical request cannot create a second record.
MISSING_TOKEN = _(
    "Ce formulaire a expiré ou est incomplet : rien n’a été enregistré. Vérifiez ce qui est saisi "
    "ci-dessous et envoyez-le de nouveau."
)
#: Said when a record the form would create already exists (another person, or the same form in
#: another tab, saved it a moment before).
ALREADY_EXISTS = _(
    "Cet enregistrement existe déjà : il vient sans doute d’être saisi (ou envoyé deux fois). "
    "Rechargez la page pour le retrouver."
)


#: The core's own unique keys a form can run into, in the words of the form that hits them.
KNOWN_DUPLICATES = {
    "unique_organisation_siren": _("Une structure porte déjà ce SIREN."),
    "unique_organisation_name_town": _(
        "Une structure du même nom existe déjà dans cette commune. Vérifiez qu’il ne s’agit pas de la "
        "même, ou cochez « Enregistrer quand même »."
    ),
    "programme_user_email_key": _("Un compte existe déjà pour cette adresse e-mail."),
}


def save_once[T](
    form: forms.BaseForm,
    save: Callable[[], T],
    *,
    duplicates: dict[str, Any] | None = None,
    refusals_on_form: bool = False,
) -> T | None:
    """Run `save` (the service call of a valid form) in one transaction with the claim of the form's
    one-time submission token; None when nothing was saved, the reason then being on the form.

    - A create form without its token is refused (`MISSING_TOKEN`): without it, nothing would tell a
      second identical request from a new record.
    - The same submission twice (the token already claimed) or a unique constraint hit (the same SIREN,
      the same value for the same period…) is not a 500: the form says so, and nothing is saved. A
      constraint's own `violation_error_message`, or `duplicates[constraint name]`, says which.
    - `save` may put a service's refusal on the form itself (`add_validation_error`), or return None or
      False when it saved nothing (a value to confirm): the transaction, token claim included, is then
      rolled back, so the corrected (or confirmed) form can be sent again. With `refusals_on_form`, a
      `ValidationError` the service raises is put there for it (field errors next to their field).
    """
    token = form.submission_token if isinstance(form, EdgeChecks) else ""
    if isinstance(form, EdgeChecks) and form.is_creation() and not token:
        form.add_error(None, MISSING_TOKEN)
        form.renew_submission_token()  # the form shown again carries one: sending it again works
        return None
    try:
        with transaction.atomic():
            if token:
                submission_claim(token=token)
            result = save()
            if form.errors or result is None or result is False:
                transaction.set_rollback(True)  # nothing saved: the token stays free for the next try
                return None
            return result
    except IntegrityError as error:
        form.add_error(None, duplicate_message(error, duplicates or {}))
        return None
    except ValidationError as error:
        if not refusals_on_form:
            raise
        add_validation_error(form, error)
        return None


def duplicate_message(error: IntegrityError, duplicates: dict[str, Any]) -> Any:
    """The French sentence for a unique constraint an insert ran into: by the constraint's name
    (PostgreSQL names it; SQLite names its columns), else the generic one."""
    text = str(error)
    name = getattr(getattr(error.__cause__, "diag", None), "constraint_name", None) or ""
    if "submissiontoken" in text or name.startswith("programme_submissiontoken"):
        return ALREADY_SENT
    if name == "programme_user_email_key" or text.endswith("programme_user.email"):
        return KNOWN_DUPLICATES["programme_user_email_key"]
    duplicates = {**KNOWN_DUPLICATES, **duplicates}
    for model in apps.get_models():
        table = model._meta.db_table
        for constraint in model._meta.constraints:
            if not isinstance(constraint, UniqueConstraint):
                continue
            columns = ", ".join(
                f"{table}.{getattr(model._meta.get_field(f), 'column', f)}" for f in constraint.fields
            )
            if constraint.name == name or (not name and columns and text.endswith(columns)):
                if constraint.name in duplicates:
                    return duplicates[constraint.name]
                if constraint.violation_error_message != constraint.default_violation_error_message:
                    return constraint.violation_error_message
                return ALREADY_EXISTS
    return ALREADY_EXISTS


def render_filtered_list(
    request: AuthedRequest,
    *,
    filterset: FilterSet,
    template: str,
    partial: str,
    context: dict[str, Any] | None = None,
    page_size: int = PAGE_SIZE,
    rows: Callable[[list[Any]], str] | None = None,
    row_values: tuple[str, ...] = (),
    source: "ListRows | None" = None,
) -> HttpResponse:
    """Render a filtered, paginated list; an HTMX request gets only the table fragment. `rows`: the page's
    table rows written by the view (every value escaped there), given to the template as `rows` — for a
    list whose rows through the template engine cost many times their own SQL; `row_values`: the fields
    it reads, the page's rows then read as values() dicts (no model instance per row; the count still
    counts the filtered queryset alone); `source`: the same rows as statements compiled once per shape
    (`programme.batch.ListRows`, its fields `row_values`), read instead of the filtered queryset."""
    form = filterset.form
    use_string_selects(form)
    invalid = set(form.errors) if form.is_bound else set()  # left out of the query by django-filter
    filtered: Any = filterset.qs if source is None else source  # a queryset, or what ListRows reads alike
    paginator = Paginator(filtered, page_size)
    page = paginator.get_page(request.GET.get("page"))
    active_filters = [
        {
            "name": name,
            "label": filterset.form.fields[name].label,
            "value": _display_value(filterset.form, name),
            "remove_query": _without(request, name),
        }
        for name in filterset.form.fields
        if request.GET.get(name) not in (None, "") and name not in invalid
    ]
    filter_errors = [
        f"{form.fields[name].label}\u202f: {error}" if name in form.fields else str(error)
        for name in sorted(invalid, key=lambda n: list(form.fields).index(n) if n in form.fields else -1)
        for error in form.errors[name]
    ]
    ctx = {
        "filter": filterset,
        "page": page,
        "count": paginator.count,
        "querystring": query_string(request.GET, drop=("page",)),
        "active_filters": active_filters,
        "filter_errors": filter_errors,
        "partial": partial,
        **(context or {}),
    }
    if rows is not None:
        if source is None:
            shown: Any = page.object_list  # a slice of the filtered queryset
            page.object_list = list(shown.values(*row_values) if row_values else shown)
        ctx["rows"] = mark_safe(rows(cast(list[Any], page.object_list)))  # noqa: S308 — `rows` escapes every value
    if request.htmx and not request.htmx.boosted:
        return render(request, partial, ctx)
    version = filterset.menus_version if isinstance(filterset, SharedFormFilterSet) else None
    ctx["filter_fields"] = filter_fields(form, version=version)
    return render(request, template, ctx)


def active_filters_html(active: list[dict[str, Any]], path: str) -> SafeString:
    """A list's active filters, each with its link that removes it, and « Tout effacer » — what
    includes/_active_filters.html wrote, byte for byte, written without the template engine (every list
    page and the dashboard draw it). `active`: dicts of label, value and remove_query."""
    if not active:
        return mark_safe("\n")
    remove = gettext("Retirer le filtre %(label)s")
    items = "".join(
        f"\n  <li><span>{conditional_escape(f['label'])}\u202f: <strong>{conditional_escape(f['value'])}</strong>"
        f'</span>\n    <a href="?{conditional_escape(f["remove_query"])}" '
        f'aria-label="{remove % {"label": conditional_escape(f["label"])}}">×</a></li>\n  '
        for f in active
    )
    return mark_safe(  # noqa: S308 — every value escaped above
        f'\n<ul class="active-filters" aria-label="{conditional_escape(gettext("Filtres actifs"))}">\n  {items}'
        f'\n  <li><a href="{conditional_escape(path)}">{conditional_escape(gettext("Tout effacer"))}</a></li>\n</ul>\n\n'
    )


def filter_fields(form: forms.BaseForm, *, version: int | None = None) -> SafeString:
    """A list's filters, each menu with its label — what list_page.html's loop over the form wrote, byte for
    byte, without a dozen template nodes per field on every request. `version`: the data version the
    menus' objects were read at, for a form whose class is the same on every request (a
    `SharedFormFilterSet`'s): each menu's options are then written once per version and language, the
    request only marking its selection (not inside a transaction that wrote: its data is its own)."""
    if version is not None and not dataversion.pending(connection):
        language = get_language()
        for name, field in form.fields.items():
            if hasattr(field.widget, "options_key"):
                field.widget.options_key = (type(form), name, language, version)
    return mark_safe(  # noqa: S308 — the label and its target escaped here, the field by its widget
        "".join(
            f'<div class="filter"><label for="{conditional_escape(field.id_for_label)}">'
            f"{conditional_escape(field.label)}</label>{field}</div>"
            for field in form
        )
    )


def _without(request: HttpRequest, name: str) -> str:
    return query_string(request.GET, drop=(name, "page"))


def query_string(
    query: QueryDict, *, drop: tuple[str, ...] = (), replace: dict[str, str] | None = None
) -> str:
    """`query` url-encoded without the parameters `drop` and with `replace`'s values instead of its own
    (added last when absent) — what copying the QueryDict, popping, setting and `urlencode()` wrote (each
    key and value UTF-8, quoted as `quote_plus` quotes), written straight from its lists: a list page
    writes a dozen such links."""
    replace = replace or {}
    parts: list[str] = []
    for key, values in query.lists():
        if key in drop:
            continue
        name = quote_plus(key)
        parts.extend(
            f"{name}={quote_plus(str(value))}" for value in ((replace[key],) if key in replace else values)
        )
    parts.extend(
        f"{quote_plus(key)}={quote_plus(str(value))}"
        for key, value in replace.items()
        if key in drop or key not in query
    )
    return "&".join(parts)


def _display_value(form: forms.BaseForm, name: str) -> str:
    field = form.fields[name]
    raw = form.data.get(name)
    if isinstance(field.widget, SearchSelect):  # a menu among thousands: the chosen record, not every option
        chosen = getattr(form, "cleaned_data", {}).get(name)
        return field.widget.label(chosen) if chosen is not None else str(raw)
    choices = getattr(field, "choices", None)
    if choices:
        for value, label in choices:
            if str(value) == str(raw):
                return str(label)
    return str(raw)


# --- The search menus' options (programme.forms.SearchSelect) ---------------------------------------------


@dataclass(frozen=True)
class MenuWords:
    """What a search menu's first option says: before a search, with no match, with N matches, with more."""

    prompt: Any
    none: Any
    found: Any
    more: Any


def menu_options(
    request: AuthedRequest,
    rows: "QuerySet[Any]",
    search: "Callable[[QuerySet[Any], str], QuerySet[Any]]",
    label: Any,
    words: MenuWords,
) -> HttpResponse:
    """The <option>s of a search menu for what was typed (`q`) among `rows` (scoped, ordered): a first, empty
    one saying what was found, then the matches (`selectors.search_choices`); the menu's current choice (its
    field, named by `field`) is kept first when it is not among them, so searching again never loses it."""
    name = request.GET.get("field", "")
    if request.GET.get("as") == "checks":
        return _check_options(request, rows, search, label, words, name)
    found = search_choices(rows, str(request.GET.get("q", "")), search)
    kept_id = row_id(request.GET.get(name, "")) if name and name != "q" else None
    kept = str(kept_id or "")
    objects = list(found.objects)
    if kept_id is not None and kept_id not in {obj.pk for obj in objects}:
        objects = [*rows.filter(pk=kept_id)[:1], *objects]
    prompt = _said(found, words) if found.searched else words.prompt
    options = [_option("", prompt, selected=not kept)]
    options += [_option(obj.pk, label(obj), selected=str(obj.pk) == kept) for obj in objects]
    return HttpResponse("".join(options))


def _check_options(
    request: AuthedRequest,
    rows: "QuerySet[Any]",
    search: "Callable[[QuerySet[Any], str], QuerySet[Any]]",
    label: Any,
    words: MenuWords,
    name: str,
) -> HttpResponse:
    """A `SearchChecks`' matches as boxes to tick, what they are said first; the boxes already chosen
    (sent under the field's name) are left out."""
    chosen = [pk for pk in map(row_id, request.GET.getlist(name)) if pk is not None] if name != "q" else []
    found = search_choices(rows.exclude(pk__in=chosen), str(request.GET.get("q", "")), search)
    if not found.searched:
        return HttpResponse("")
    boxes = format_html_join(
        "",
        '<label><input type="checkbox" name="{}" value="{}"> {}</label>',
        ((name, obj.pk, label(obj)) for obj in found.objects),
    )
    return HttpResponse(format_html('<p class="muted">{}</p>{}', _said(found, words), boxes))


def _said(found: Choices, words: MenuWords) -> Any:
    """What a search menu says of what was found: nothing, N matches, or the first N of more."""
    if not found.objects:
        return words.none
    if found.more:
        return words.more(len(found.objects))
    return words.found(len(found.objects))


def _option(value: Any, text: Any, *, selected: bool) -> str:
    if selected:
        return format_html('<option value="{}" selected>{}</option>', value, text)
    return format_html('<option value="{}">{}</option>', value, text)
