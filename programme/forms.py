import re
import uuid
from collections.abc import Hashable
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from allauth.account.forms import LoginForm as AllauthLoginForm
from django import forms
from django.conf import settings
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.forms.renderers import BaseRenderer
from django.forms.widgets import ChoiceWidget
from django.urls import reverse
from django.utils.datastructures import MultiValueDict
from django.utils.html import conditional_escape, format_html
from django.utils.http import urlencode
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _
from django_filters.widgets import BaseCSVWidget

from .formatting import fr_number, organisation_label, person_label
from .identity import digits_only, normalise_name, normalise_town, row_id
from .models import Cohort, CommentNotifications, Invitation, Organisation, Person, Role, Territory, Theme

if TYPE_CHECKING:
    from collections.abc import Callable

    from django_stubs_ext import StrOrPromise

#: What the settings pages archive instead of deleting: not offered for new choices once archived.
ARCHIVABLE = (Cohort, Territory, Theme)

# --- What every form of Parcours checks at the edge ------------------------------------------------------
#
# Every form of the apps derives from `Form` or `ModelForm` below (tests/test_bad_input.py walks them all):
# - dates outside 1900–2100 are refused on every date and date-time field, declared or generated (a
#   milestone on 9999-12-31 would break every date computation later: timelines, reminders, figures);
# - bidi control characters (right-to-left overrides and isolates) are stripped from everything typed but
#   passwords, so a name or a title reads the same everywhere it is shown;
# - a create form carries a one-time submission token, claimed by `programme.pages.save_once` in the same
#   transaction as the service: a double click, or the same POST twice at once, creates one record;
# - a text typed in a text area (notes, summaries, answers…) holds at most TEXT_MAX characters: the database
#   column has no limit, and a form posted with megabytes of text would be stored and shown on every page
#   that lists it.

DATE_RANGE = (1900, 2100)
#: The longest text a text area takes (about twenty printed pages), when its field sets no limit of its own.
TEXT_MAX = 50_000
#: Unicode's Bidi_Control characters: the Arabic letter mark, LRM/RLM, the embeddings and overrides
#: (U+202A–U+202E) and the isolates (U+2066–U+2069).
BIDI_CONTROLS = dict.fromkeys(
    map(ord, "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
)
SUBMISSION_TOKEN = "submission_token"


def validate_date_range(value: date | datetime) -> None:
    low, high = DATE_RANGE
    if not low <= value.year <= high:
        raise ValidationError(
            _("Indiquez une date comprise entre %(low)s et %(high)s."),
            code="date_range",
            params={"low": low, "high": high},
        )


def validate_text_length(value: str) -> None:
    if len(value) > TEXT_MAX:
        raise ValidationError(
            _("Ce texte est trop long : %(limit)s caractères au plus (il en compte %(count)s)."),
            code="max_length",
            params={"limit": fr_number(TEXT_MAX), "count": fr_number(len(value))},
        )


def strip_bidi(text: str) -> str:
    return text.translate(BIDI_CONTROLS)


def _without_bidi(data: Any, keep: set[str]) -> Any:
    """The submitted data with bidi controls removed from every text value but those in `keep`."""
    if isinstance(data, MultiValueDict):
        lists = list(data.lists())
        if not any(isinstance(v, str) and strip_bidi(v) != v for _k, values in lists for v in values):
            return data
        copy = data.copy()
        for key, values in lists:
            if key not in keep:
                copy.setlist(key, [strip_bidi(v) if isinstance(v, str) else v for v in values])
        return copy
    return {k: strip_bidi(v) if isinstance(v, str) and k not in keep else v for k, v in data.items()}


def new_submission_token() -> str:
    """A fresh one-time token for a form's submission (`SubmissionTokenField`)."""
    return uuid.uuid4().hex


class SubmissionTokenField(forms.CharField):
    """The hidden one-time token: never part of what the form changes (audit) or hands to a service."""

    def __init__(self) -> None:
        super().__init__(
            required=False, max_length=64, widget=forms.HiddenInput, initial=new_submission_token()
        )

    def has_changed(self, initial: Any, data: Any) -> bool:
        return False


class EdgeChecks(forms.BaseForm):
    """The checks above, mixed into `Form` and `ModelForm`."""

    #: Whether the form creates a record (and so carries a submission token). None: a ModelForm creates
    #: when its instance is new; a plain form says so by setting `creates = True`.
    creates: bool | None = None
    #: Forms about what happened (list filters, reports) still offer archived promotions, themes, territories.
    offers_archived = False
    #: A start and an end field whose end may not precede the start (said next to the end field).
    period_fields: tuple[str, str] | None = None
    period_error: "StrOrPromise" = _("La fin de la période précède son début.")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.is_creation():
            self.fields[SUBMISSION_TOKEN] = SubmissionTokenField()
        for field in self.fields.values():
            if isinstance(field, forms.ModelMultipleChoiceField) and not isinstance(field, RowIdGuard):
                field.__class__ = _guarded(type(field))
        if not self.offers_archived:
            for name, field in self.fields.items():
                if isinstance(field, forms.ModelChoiceField) and field.queryset is not None:
                    self.offer_active_only(name)

    def offer_active_only(self, name: str) -> None:
        """A promotion, theme or territory archived from the settings pages is no longer offered for new
        choices; a record that already has it keeps it (its current value stays in the menu). Forms that
        set a field's queryset in their own __init__ call this again after."""
        field = self.fields[name]
        assert isinstance(field, forms.ModelChoiceField)
        if field.queryset is None or field.queryset.model not in ARCHIVABLE:
            return
        current: list[Any] = []
        instance = getattr(self, "instance", None)
        if instance is not None and instance.pk and name in {f.name for f in instance._meta.get_fields()}:
            value = getattr(instance, name, None)
            if isinstance(field, forms.ModelMultipleChoiceField):
                current = list(value.values_list("pk", flat=True)) if value is not None else []
            elif value is not None:
                current = [value.pk]
        field.queryset = field.queryset.filter(Q(is_active=True) | Q(pk__in=current))

    def clean(self) -> dict[str, Any]:
        super().clean()  # returns self.cleaned_data, typed `| None` in the stubs
        if self.period_fields:
            self.check_period(*self.period_fields)
        return self.cleaned_data

    def check_period(self, start_field: str, end_field: str) -> None:
        start, end = self.cleaned_data.get(start_field), self.cleaned_data.get(end_field)
        if start and end and end < start:
            self.add_error(end_field, self.period_error)

    def is_creation(self) -> bool:
        if self.creates is not None:
            return self.creates
        instance = getattr(self, "instance", None)
        return instance is not None and instance._state.adding

    @property
    def submission_token(self) -> str:
        """The token this submission carries ("" when none: a form built without one)."""
        if not self.is_bound or SUBMISSION_TOKEN not in self.fields:
            return ""
        return str(self.data.get(self.add_prefix(SUBMISSION_TOKEN)) or "")[:64]

    def renew_submission_token(self) -> None:
        """Put a fresh token in the submitted data, so the form shown again can be sent (once)."""
        if SUBMISSION_TOKEN in self.fields and self.is_bound:
            data = self.data.copy() if isinstance(self.data, (dict, MultiValueDict)) else dict(self.data)
            data[self.add_prefix(SUBMISSION_TOKEN)] = new_submission_token()
            self.data = data

    def full_clean(self) -> None:
        for field in self.fields.values():
            dated = isinstance(field, (forms.DateField, forms.DateTimeField))
            if dated and validate_date_range not in field.validators:
                field.validators.append(validate_date_range)
            unbounded_text = (
                isinstance(field, forms.CharField)
                and field.max_length is None
                and isinstance(field.widget, forms.Textarea)
            )
            if unbounded_text and validate_text_length not in field.validators:
                field.validators.append(validate_text_length)
        if self.is_bound:
            secrets = {
                self.add_prefix(name)
                for name, field in self.fields.items()
                if isinstance(field.widget, forms.PasswordInput)
            }
            self.data = _without_bidi(self.data, secrets)
        super().full_clean()
        if hasattr(self, "cleaned_data"):
            self.cleaned_data.pop(SUBMISSION_TOKEN, None)


class RowIdGuard(forms.ModelMultipleChoiceField):
    """A multiple choice refuses an id no row can have as any unknown choice: SQLite's driver cannot even
    compare a number above 2⁶³ − 1 (an OverflowError, a 500), and Django checks the choices posted with one
    `IN` query. EdgeChecks gives every multiple choice of a form this check (`_guarded`)."""

    def clean(self, value: Any) -> Any:
        for pk in value if isinstance(value, (list, tuple)) else ():
            if str(pk).strip().isdigit() and row_id(pk) is None:
                raise ValidationError(
                    self.error_messages["invalid_choice"], code="invalid_choice", params={"value": pk}
                )
        return super().clean(value)


_GUARDED: dict[type, type] = {}


def _guarded(cls: type[forms.ModelMultipleChoiceField]) -> type[forms.ModelMultipleChoiceField]:
    """`cls` with RowIdGuard's check, under the same name (the audit trail reads it: audit.diff_form);
    made once per class."""
    if cls not in _GUARDED:
        _GUARDED[cls] = type(cls.__name__, (RowIdGuard, cls), {"__module__": cls.__module__})
    return _GUARDED[cls]


class Form(EdgeChecks, forms.Form):
    """Every plain form of the apps."""


class ModelForm(EdgeChecks, forms.ModelForm):
    """Every model form of the apps."""


# --- Menus among thousands of records ----------------------------------------------------------------------


class ChosenOnly(ChoiceWidget):
    """A search widget among thousands of records (SearchSelect, SearchChecks): it draws the chosen records
    only, after its `leading_choices`, each by `label` — drawing it reads the chosen records, not the table —
    and a text box that asks `url` for the matches as one types (`search_box`)."""

    def __init__(
        self,
        url: str,
        *,
        label: "Callable[[Any], str]",
        search: "StrOrPromise",
        attrs: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(attrs)
        self.url, self.label, self.search = url, label, search
        #: What the search also sends (a programme to search in…), set by the form that knows it.
        self.params: dict[str, Any] = {}

    def leading_choices(self) -> list[tuple[Any, Any]]:
        return []

    def optgroups(self, name: str, value: Any, attrs: dict[str, Any] | None = None) -> Any:
        chosen = [pk for pk in map(row_id, value) if pk is not None]  # what was posted may be any text
        queryset = getattr(self.choices, "queryset", None)
        objects = list(queryset.filter(pk__in=chosen)) if chosen and queryset is not None else []
        every = self.choices
        self.choices = [*self.leading_choices(), *((obj.pk, self.label(obj)) for obj in objects)]
        try:
            return super().optgroups(name, value, attrs)
        finally:
            self.choices = every

    def widget_id(self, name: str, attrs: dict[str, Any] | None) -> str:
        return str((attrs or {}).get("id") or self.attrs.get("id") or f"id_{name}")

    def search_box(
        self, kind: str, name: str, *, target_id: str, include_id: str, query: dict[str, Any]
    ) -> SafeString:
        """The text box (class `kind`__q): in no form, it asks `url` (the field's `name`, `query`, the
        params) as one types, with what `include_id` holds, and fills `target_id`."""
        url = reverse(self.url) + "?" + urlencode({"field": name, **query, **self.params})
        return format_html(
            '<input type="text" inputmode="search" enterkeyhint="search" name="q" form="search-menu-none" '
            'class="{}__q" placeholder="{}" aria-label="{}" aria-controls="{}" autocomplete="off" '
            'hx-get="{}" hx-trigger="input changed delay:250ms" hx-target="#{}" hx-swap="innerHTML" '
            'hx-include="#{}" hx-sync="this:replace">',
            kind,
            self.search,
            self.search,
            target_id,
            url,
            target_id,
            include_id,
        )


class SearchSelect(ChosenOnly, forms.Select):
    """A menu among thousands of records (structures, contacts): it holds the chosen option only, and a text
    box beside it fills it with the matches as one types — HTMX asks `url` (`programme.views.*_options`) for
    the <option>s, the first `selectors.CHOICES_SHOWN` by name. Drawing it reads the chosen record, not the
    table: a menu of every structure was 12,000 options at ten times a programme (1.3 s a page). The text
    box belongs to no form (`form=`), so typing in it never submits or filters anything by itself."""

    def __init__(
        self,
        url: str,
        *,
        label: "Callable[[Any], str]",
        prompt: "StrOrPromise",
        search: "StrOrPromise",
        attrs: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(url, label=label, search=search, attrs=attrs)
        self.prompt = prompt

    def leading_choices(self) -> list[tuple[Any, Any]]:
        return [("", self.prompt)]

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: BaseRenderer | None = None
    ) -> SafeString:
        select = super().render(name, value, attrs, renderer)
        select_id = self.widget_id(name, attrs)
        search = self.search_box("search-select", name, target_id=select_id, include_id=select_id, query={})
        return format_html('<div class="search-select">{}{}</div>', search, select)


class SearchChecks(ChosenOnly, forms.CheckboxSelectMultiple):
    """A multiple choice among thousands (the projects a lesson speaks of): the chosen records as ticked
    boxes, and a text box that lists the matches as boxes to tick — HTMX asks `url` (with `as=checks`, and
    the boxes already chosen, which it leaves out). A match ticked joins the chosen boxes
    (static/js/parcours.js), so the next search, which replaces the matches, keeps it. The text box belongs
    to no form, as SearchSelect's."""

    search_many = True  # includes/_field.html: a fieldset around the whole widget

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: BaseRenderer | None = None
    ) -> SafeString:
        boxes = super().render(name, value, attrs, renderer)
        chosen_id = self.widget_id(name, attrs)
        found_id = f"{chosen_id}_found"
        query = {"as": "checks"}
        search = self.search_box("search-checks", name, target_id=found_id, include_id=chosen_id, query=query)
        found = format_html(
            '<div class="search-checks__found" id="{}" data-chosen="{}" aria-live="polite"></div>',
            found_id,
            chosen_id,
        )
        return format_html('<div class="search-checks">{}{}{}</div>', boxes, search, found)


def organisation_menu() -> SearchSelect:
    return SearchSelect(
        "programme:organisation.options",
        label=organisation_label,
        prompt=_("— Cherchez la structure ci-dessus —"),
        search=_("Rechercher une structure (nom, commune ou SIREN)"),
    )


def person_menu() -> SearchSelect:
    return SearchSelect(
        "programme:person.options",
        label=person_label,
        prompt=_("— Cherchez le contact ci-dessus —"),
        search=_("Rechercher un contact (nom ou e-mail)"),
    )


class FilterForm(Form):
    """The form of a list's filters (django-filter's `Meta.form`): dates within 1900–2100 as in every
    form, and, when `period` names a start and an end field, an end that does not precede the start. An
    invalid filter is left out of the list's query and said next to the results (`render_filtered_list`)."""

    period: tuple[str, str] | None = None
    offers_archived = True

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        use_string_selects(self)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if self.period:
            self.check_period(*self.period)
        return cleaned


def ticked(
    queryset: "QuerySet[Any]", *, label: "StrOrPromise", help_text: "StrOrPromise" = ""
) -> forms.ModelMultipleChoiceField:
    """A field of several records ticked in a list of boxes, none required: `queryset` is what it accepts,
    often `Model.objects.none()` that the form's `__init__` narrows to what its user may pick."""
    return forms.ModelMultipleChoiceField(
        label=label,
        queryset=queryset,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=help_text,
    )


class SubmissionForm(Form):
    """The one-time token alone, for a page whose create form is not a form of its own (a formset, a
    button): `save_once(SubmissionForm(posted(request), prefix=…), save)` saves it once."""

    creates = True


class OrganisationForm(ModelForm):
    confirm_duplicate = forms.BooleanField(
        label=_("Enregistrer quand même : il s’agit bien d’une autre structure"), required=False
    )
    # Typed with spaces or dots as people copy them ("732 829 320"); stored as digits only.
    siren = forms.CharField(label=_("SIREN"), max_length=20, required=False)
    siret = forms.CharField(label=_("SIRET"), max_length=25, required=False)

    class Meta:
        model = Organisation
        fields = [
            "name",
            "kind",
            "siren",
            "siret",
            "rna",
            "esus",
            "address",
            "postcode",
            "town",
            "territory",
            "themes",
            "website",
            "description",
            "funder_kind",
        ]
        widgets = {
            "themes": forms.CheckboxSelectMultiple,
            "description": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.similar: list[Organisation] = []

    def clean_siren(self) -> str:
        return digits_only(self.cleaned_data.get("siren", ""))

    def clean_siret(self) -> str:
        return digits_only(self.cleaned_data.get("siret", ""))

    def clean_rna(self) -> str:
        return (self.cleaned_data.get("rna") or "").strip().upper()

    def clean(self) -> dict[str, Any]:
        super().clean()  # returns self.cleaned_data, typed `| None` in the stubs
        cleaned = self.cleaned_data
        siren = cleaned.get("siren") or (cleaned.get("siret") or "")[:9]
        siret = cleaned.get("siret")
        if siret and cleaned.get("siren") and siret[:9] != cleaned["siren"]:
            self.add_error("siret", _("Le SIRET doit commencer par le SIREN de la structure."))
        others = Organisation.objects.exclude(pk=self.instance.pk)
        if siren and "siren" not in self.errors:
            existing = others.filter(siren=siren).first()
            if existing:
                self.add_error(
                    "siren",
                    format_html(
                        str(_('Une structure porte déjà ce SIREN : <a href="{}">{}</a>.')),
                        existing.get_absolute_url(),
                        existing.name,
                    ),
                )
        if cleaned.get("kind") == "association" and not cleaned.get("rna") and not siren:
            pass  # small associations may have neither yet; the RNA is checked when given
        name, town = cleaned.get("name"), cleaned.get("town")
        if name and not self.errors:
            self.similar = list(
                others.filter(
                    normalised_name=normalise_name(name), normalised_town=normalise_town(town or "")
                )[:5]
            )
            # Confirmed: the unique normalised name + town lets this one through (and only this one).
            self.instance.distinct_confirmed = bool(self.similar and cleaned.get("confirm_duplicate"))
            if self.similar and not cleaned.get("confirm_duplicate"):
                self.add_error(
                    None,
                    _(
                        "Une structure du même nom existe déjà dans cette commune. Vérifiez qu’il ne "
                        "s’agit pas de la même, ou cochez « Enregistrer quand même »."
                    ),
                )
        return cleaned


class PersonForm(ModelForm):
    class Meta:
        model = Person
        fields = [
            "first_name",
            "last_name",
            "email",
            "phone",
            "job_title",
            "organisation",
            "consent_date",
            "consent_basis",
            "consent_source",
        ]
        widgets = {
            "consent_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "organisation": organisation_menu(),
        }

    def clean(self) -> dict[str, Any]:
        super().clean()  # returns self.cleaned_data, typed `| None` in the stubs
        cleaned = self.cleaned_data
        if cleaned.get("email") and not cleaned.get("consent_basis"):
            self.add_error(
                "consent_basis",
                _("Indiquez la base légale qui permet de conserver les coordonnées de ce contact."),
            )
        return cleaned


class PartnerOrganisationForm(ModelForm):
    """What a partner may edit of their own structure: public details only."""

    class Meta:
        model = Organisation
        fields = ["address", "postcode", "town", "website", "description"]


class InvitationForm(Form):
    creates = True  # one-time submission token (programme.forms.EdgeChecks)

    email = forms.EmailField(label=_("E-mail"))
    first_name = forms.CharField(label=_("Prénom"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Nom"), max_length=150, required=False)
    role = forms.ChoiceField(label=_("Rôle"), choices=Role.choices)
    organisation = forms.ModelChoiceField(
        label=_("Structure (pour un partenaire)"),
        queryset=Organisation.objects.all(),
        required=False,
        widget=organisation_menu(),
    )
    person = forms.ModelChoiceField(
        queryset=Person.objects.filter(anonymised_at__isnull=True), required=False, widget=forms.HiddenInput
    )

    def clean_email(self) -> str:
        from .models import User

        email: str = self.cleaned_data["email"].strip().lower()
        if User.objects.filter(email__iexact=email, is_active=True).exists():
            raise forms.ValidationError(_("Un compte actif existe déjà pour cette adresse."))
        return email

    def clean(self) -> dict[str, Any]:
        super().clean()  # returns self.cleaned_data, typed `| None` in the stubs
        cleaned = self.cleaned_data
        if cleaned.get("role") == Role.PARTNER and not cleaned.get("organisation"):
            self.add_error("organisation", _("Un partenaire doit être rattaché à une structure."))
        return cleaned


class AcceptInvitationForm(Form):
    creates = True  # one-time submission token (programme.forms.EdgeChecks)

    password1 = forms.CharField(
        label=_("Mot de passe"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )
    password2 = forms.CharField(
        label=_("Confirmation"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def __init__(self, *args: Any, invitation: Invitation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.invitation = invitation

    def clean(self) -> dict[str, Any]:
        super().clean()  # returns self.cleaned_data, typed `| None` in the stubs
        cleaned = self.cleaned_data
        p1, p2 = cleaned.get("password1"), cleaned.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", _("Les deux mots de passe ne correspondent pas."))
        elif p1:
            from .models import User

            probe = User(email=self.invitation.email, first_name=self.invitation.first_name)
            try:
                password_validation.validate_password(p1, probe)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned


class PreferencesForm(Form):
    digest_enabled = forms.BooleanField(
        label=_("Recevoir chaque matin le récapitulatif de mes échéances"), required=False
    )
    comment_notifications = forms.ChoiceField(
        label=_("Quand un message m’est adressé dans une discussion"),
        choices=CommentNotifications.choices,
        required=False,  # left out: unchanged
        help_text=_(
            "Le récapitulatif du matin n’arrive que s’il est activé ci-dessus ; sinon, un e-mail par message."
        ),
    )
    language = forms.ChoiceField(
        label=_("Langue des pages et des e-mails"),
        choices=settings.LANGUAGES,
        required=False,  # left out: unchanged
    )


class LoginForm(AllauthLoginForm):
    """allauth's login form with Parcours' wording (and no duplicate "forgotten password" link)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["login"].label = _("Adresse e-mail")
        self.fields["password"].help_text = ""


def add_validation_error(form: forms.BaseForm, error: ValidationError) -> None:
    """Show a service's refusal on the form: field errors next to their field, the rest on top."""
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


# --- Figures typed the French way ---------------------------------------------------------------------

#: What may separate thousands: a space, a no-break space or a narrow no-break space (as copied from a
#: French document or from our own pages), or a thin space.
THOUSANDS_SPACES = " \u00a0\u202f\u2009"
_NUMBER_CHARS = re.compile(rf"^[0-9,.{THOUSANDS_SPACES}]+$")
_GROUPS = re.compile(rf"[{THOUSANDS_SPACES}]+")
_MINUS = ("-", "\u2212")  # hyphen-minus, and the minus sign of typeset documents


def parse_french_decimal(text: str) -> Decimal:
    """Read a figure as a French person types it, refusing what could be read two ways.

    Accepted: "12 500,50", "12 500" (space, no-break space or narrow no-break space between thousands),
    "12500,5", "12500.5", "-3,5". Refused, with the reason: anything but digits, separators and a leading
    sign ("12 500 €", "1e5"); a comma *and* a point ("1.234,5", "1,234.5": which one is the decimal
    separator?); the same separator twice ("1.234.567"); badly grouped thousands ("12 50"); and the
    ambiguous "12.500" / "12,500" / "1,234" — one to three digits, then a single comma or point, then
    exactly three digits, which a French reader takes for thousands and a computer for decimals.
    Never strips a separator silently: a value is either read exactly or refused.
    """
    value = text.strip()
    negative = value[:1] in _MINUS
    digits = value[1:].lstrip(THOUSANDS_SPACES) if value[:1] in ("+", *_MINUS) else value
    if not digits or not _NUMBER_CHARS.match(digits):
        raise ValidationError(FrenchDecimalField.messages["invalid"], code="invalid", params={"value": value})
    if "," in digits and "." in digits:
        raise ValidationError(FrenchDecimalField.messages["mixed"], code="mixed", params={"value": value})
    separator = "," if "," in digits else "." if "." in digits else ""
    if separator and digits.count(separator) > 1:
        raise ValidationError(
            FrenchDecimalField.messages["repeated"],
            code="repeated",
            params={"value": value, "separator": separator},
        )
    whole, _sep, fraction = digits.partition(separator) if separator else (digits, "", "")
    if separator and (not fraction.isdigit() or not whole):
        raise ValidationError(FrenchDecimalField.messages["invalid"], code="invalid", params={"value": value})
    groups = _GROUPS.split(whole)
    if len(groups) > 1 and (
        not 1 <= len(groups[0]) <= 3 or any(len(g) != 3 for g in groups[1:]) or not all(groups)
    ):
        raise ValidationError(
            FrenchDecimalField.messages["grouping"], code="grouping", params={"value": value}
        )
    whole = "".join(groups)
    if len(groups) == 1 and len(fraction) == 3 and 1 <= len(whole) <= 3 and not whole.startswith("0"):
        raise ValidationError(
            FrenchDecimalField.messages["ambiguous"],
            code="ambiguous",
            params={
                "value": value,
                "thousands": fr_number(Decimal(whole + fraction)),
                "decimals": f"{whole},{fraction}".rstrip("0").rstrip(","),
            },
        )
    number = Decimal(f"{whole}.{fraction}" if fraction else whole)
    return -number if negative else number


class FrenchDecimalField(forms.DecimalField):
    """A decimal typed the French way (`parse_french_decimal`), shown back the French way ("12 500,5").

    A text input with the decimal keypad on phones: a browser's `type=number` input silently drops what it
    does not understand ("12 500,50" may reach the server as 1250050), so it is never used for figures."""

    messages = {
        "invalid": _("Saisissez seulement un nombre, sans unité : par exemple 12 500,50."),
        "mixed": _(
            "« %(value)s » mélange la virgule et le point : séparez les décimales par une virgule "
            "et les milliers par une espace (12 500,50)."
        ),
        "repeated": _(
            "« %(value)s » contient plusieurs « %(separator)s » : séparez les milliers par une espace "
            "(1 234 567) et les décimales par une virgule."
        ),
        "grouping": _("« %(value)s » : les milliers se séparent par groupes de trois chiffres (12 500)."),
        "ambiguous": _(
            "« %(value)s » peut se lire de deux façons : écrivez %(thousands)s pour des milliers, "
            "ou %(decimals)s pour des décimales."
        ),
    }
    help = _("Décimales après une virgule (ou un point), milliers séparés par une espace : 12 500,50.")

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}))
        kwargs.setdefault("help_text", self.help)
        super().__init__(**kwargs)

    # The stubs type DecimalField.to_python as IntegerField's (int); Django's returns a Decimal.
    def to_python(self, value: Any) -> Decimal | None:  # type: ignore[override]
        if value in self.empty_values:
            return None
        if isinstance(value, str):
            value = parse_french_decimal(value)
        return super().to_python(value)

    def prepare_value(self, value: Any) -> Any:
        """A stored or initial number reads "12 500,5" in the input (and is read back the same way)."""
        if isinstance(value, (Decimal, int)) and not isinstance(value, bool):
            return fr_number(value)
        return value


class _LoadedChoiceIterator(forms.models.ModelChoiceIterator):
    """The choices of a `LoadedModelChoiceField`: its loaded objects, no query."""

    def __iter__(self) -> Any:
        loaded = getattr(self.field, "loaded", None)
        if loaded is None:
            yield from super().__iter__()
            return
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in loaded:
            yield self.choice(obj)

    def __len__(self) -> int:
        loaded = getattr(self.field, "loaded", None)
        if loaded is None:
            return super().__len__()
        return len(loaded) + (self.field.empty_label is not None)

    def __bool__(self) -> bool:
        loaded = getattr(self.field, "loaded", None)
        if loaded is None:
            return super().__bool__()
        return self.field.empty_label is not None or bool(loaded)


class LoadedModelChoiceField(forms.ModelChoiceField):
    """A ModelChoiceField whose objects a page read beforehand, with others, in one query (`load`): it
    renders and validates against them without a query of its own — a filter form's menus cost the page
    nothing more. `queryset` stays what it was (what a test or a caller may still read); until `load` is
    called the field behaves as a plain ModelChoiceField."""

    iterator = _LoadedChoiceIterator
    loaded: list[Any] | None = None

    def load(self, objects: list[Any]) -> None:
        self.loaded = list(objects)
        self.widget.choices = self.choices

    def to_python(self, value: Any) -> Any:
        if self.loaded is None:
            return super().to_python(value)
        if value in self.empty_values:
            return None
        key = str(getattr(value, "pk", value))
        for obj in self.loaded:
            if str(obj.pk) == key:
                return obj
        raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")


def _html_attrs(attrs: dict[str, Any]) -> str:
    """What django/forms/widgets/attrs.html writes, without the template engine."""
    return "".join(
        format_html(" {}", name) if value is True else format_html(' {}="{}"', name, str(value))
        for name, value in attrs.items()
        if value is not False
    )


#: A menu's options already written, by the key a list page gives the menu (`_StringSelectMixin.options_key`):
#: each a literal (a group's opening or closing) or (value, markup, markup when selected).
_OPTIONS: dict[Hashable, list[str | tuple[str, str, str]]] = {}
#: How many menus' options are kept: every key names a data version, so old ones are dead weight.
OPTIONS_KEPT = 256


class _StringSelectMixin:
    """A select written with string joins: the same markup, byte for byte, as Django's select.html and
    select_option.html templates (tests/programme/test_filter_selects.py) — which render each option
    through the template engine, a quarter of a filtered list's time with a few hundred options.

    `options_key`: set by a page that draws the same menu on every request (`programme.pages.filter_fields`,
    for a filter set whose menus are read with their data version), it names the menu's choices — the
    options are then written once per key, each request only marking the selected one."""

    options_key: Hashable | None = None

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: BaseRenderer | None = None
    ) -> SafeString:
        # What ChoiceWidget.get_context and optgroups() compute, without a dict per option: the values
        # selected (the first match only, unless several may be), an option's own attributes being
        # `selected` alone (a select's options inherit none of its attributes).
        widget: Any = self
        selected_values = widget.format_value(value)
        select_attrs = widget.build_attrs(widget.attrs, attrs)
        several = widget.allow_multiple_selected
        if several:
            select_attrs["multiple"] = True
        parts = [format_html('<select name="{}"', name), _html_attrs(select_attrs), ">"]
        options = _OPTIONS.get(self.options_key) if self.options_key is not None else None
        if options is None:
            options = self._options()
            if self.options_key is not None:
                if len(_OPTIONS) >= OPTIONS_KEPT:
                    _OPTIONS.clear()
                _OPTIONS[self.options_key] = options
        has_selected = False
        for option in options:
            if isinstance(option, str):
                parts.append(option)
                continue
            shown, plain, chosen = option
            selected = (several or not has_selected) and shown in selected_values
            has_selected |= selected
            parts.append(chosen if selected else plain)
        parts.append("\n</select>")
        return mark_safe("".join(parts))  # noqa: S308 — every value above went through format_html

    def _options(self) -> list[str | tuple[str, str, str]]:
        """The options written, each with and without `selected`; a group's opening and closing as they
        are."""
        options: list[str | tuple[str, str, str]] = []
        for option_value, option_label in self.choices:  # type: ignore[attr-defined]
            if option_value is None:
                option_value = ""
            if isinstance(option_label, (list, tuple)):
                group_name, group = option_value, option_label
            else:
                group_name, group = None, [(option_value, option_label)]
            if group_name:
                options.append(format_html('\n  <optgroup label="{}">', group_name))
            for subvalue, sublabel in group:
                shown = str(subvalue)
                head, tail = (
                    f'\n  <option value="{conditional_escape(shown)}"',
                    f">{conditional_escape(sublabel)}</option>\n",
                )
                options.append((shown, head + tail, f"{head} selected{tail}"))
            if group_name:
                options.append("\n  </optgroup>")
        return options


class StringSelect(_StringSelectMixin, forms.Select):
    pass


class StringSelectMultiple(_StringSelectMixin, forms.SelectMultiple):
    pass


class StringTextInput(forms.TextInput):
    """A text box written with string joins: the same markup, byte for byte, as Django's input.html and
    attrs.html templates (a list's search box, rendered on every request)."""

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: BaseRenderer | None = None
    ) -> SafeString:
        widget = self.get_context(name, value, attrs)["widget"]
        shown = format_html(' value="{}"', str(widget["value"])) if widget["value"] is not None else ""
        head = format_html('<input type="{}" name="{}"', widget["type"], widget["name"])
        return mark_safe(f"{head}{shown}{_html_attrs(widget['attrs'])}>")  # noqa: S308 — all through format_html


class _StringCSVSelect(BaseCSVWidget, StringSelect):
    """django-filter's ordering menu (a CSV widget over a select) with the string-built select under it."""


#: The plain widgets a filter form swaps for their string-built twins (subclasses keep their own render).
STRING_SELECTS: dict[type, type] = {
    forms.Select: StringSelect,
    forms.SelectMultiple: StringSelectMultiple,
    forms.TextInput: StringTextInput,
}


def use_string_selects(form: forms.BaseForm) -> None:
    """Give a filter form's plain menus and text boxes their string-built twins (same markup): a list page
    renders them on every request. Only `Select`, `SelectMultiple`, `TextInput` themselves and
    django-filter's CSV select (the ordering menu): a subclass keeps its own rendering."""
    for field in form.fields.values():
        kind = type(field.widget)
        faster = STRING_SELECTS.get(kind)
        if faster is None and kind.__bases__ == (BaseCSVWidget, forms.Select):
            faster = _StringCSVSelect
        if faster is not None:
            field.widget.__class__ = faster
