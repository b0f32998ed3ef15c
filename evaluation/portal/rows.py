"""« Mon projet »'s lists written with string joins: the markup `templates/portal/project.html`'s loops and
the `portal/partials/_status.html` badges wrote, byte for byte (tests/portal/test_rows.py renders both) —
through the template engine, a dozen rows with a badge include each were a fifth of the page's time under
load. Labels and links are prepared once per page; every value is escaped here."""

from datetime import date
from html import escape
from typing import Any

from django.utils.formats import localize
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from programme.formatting import fr_date, indicator_value
from programme.pages import reverse_pattern


def _badge(css: str, label: str, late: str = "", after: str = "") -> str:
    """What `_status.html` writes for one badge: its blank lines around (the include's own), the class list
    (`badge ` and the state's class, possibly none), the label, « · en retard » when due."""
    return f'\n\n<span class="badge {css}">{escape(label)}{late}</span>{after}\n\n'


def deliverable_badge(d: Any, today: date, late_text: str) -> str:
    status = d.status
    overdue = d.due_date < today
    css = {"accepted": "badge--ok", "returned": "badge--danger", "submitted": "badge--info"}.get(
        status, "badge--warn" if overdue else ""
    )
    return _badge(css, d.get_status_display(), late_text if status == "expected" and overdue else "")


def measurement_badge(m: Any, locked_text: str) -> str:
    css = {"validated": "badge--ok", "returned": "badge--danger", "submitted": "badge--info"}.get(
        m.status, ""
    )
    return _badge(css, m.get_status_display(), after=locked_text if m.locked else "")


def deliverable_rows(deliverables: list[Any], today: date) -> SafeString:
    """The body of the « Livrables de votre structure » table."""
    link = reverse_pattern("portal:deliverable")
    late = " · " + escape(_("en retard"))
    due, state, version = escape(_("Échéance")), escape(_("État")), escape(_("Dernière version"))
    none = '<span class="muted">{}</span>'.format(escape(_("aucune")))
    see, replace, deposit = escape(_("Voir")), escape(_("Remplacer")), escape(_("Déposer"))
    out = []
    for d in deliverables:
        title = escape(d.title)
        has_version = d.latest_number is not None
        latest = (
            f"v{localize(d.latest_number)} · {escape(fr_date(d.latest_uploaded_at))}" if has_version else none
        )
        verb = see if d.status == "accepted" else (replace if has_version else deposit)
        out.append(
            "\n      <tr>\n"
            f"        <td>{title}</td>\n"
            f'        <td data-label="{due}">{escape(fr_date(d.due_date))}</td>\n'
            f'        <td data-label="{state}">{deliverable_badge(d, today, late)}</td>\n'
            f'        <td data-label="{version}">{latest}</td>\n'
            f'        <td><a class="button" href="{link.format(d.pk)}">{verb}'
            f'<span class="visually-hidden"> — {title}</span></a></td>\n'
            "      </tr>\n    "
        )
    return mark_safe("".join(out))  # noqa: S308 — every value escaped above


def deadline_items(deadlines: list[dict[str, Any]]) -> SafeString:
    """The « Prochaines échéances » list items."""
    late = " · " + escape(_("en retard"))
    return mark_safe(  # noqa: S308 — every value escaped here
        "".join(
            f'\n      <li><time datetime="{d["date"]:%Y-%m-%d}">{escape(fr_date(d["date"]))}</time> · '
            f'<span class="badge{" badge--warn" if d["late"] else ""}">{escape(str(d["kind"]))}'
            f"{late if d['late'] else ''}</span> {escape(d['title'])}</li>\n      "
            for d in deadlines
        )
    )


def workshop_items(workshops: list[Any]) -> SafeString:
    """The « Comptes-rendus d’ateliers » list items."""
    link = reverse_pattern("portal:workshop")
    coming = '<br><span class="muted">{}</span>'.format(escape(_("Compte-rendu à venir.")))
    return mark_safe(  # noqa: S308 — every value escaped here
        "".join(
            f'<li><a href="{link.format(w.pk)}">{escape(w.title)}</a> <span class="muted">· '
            f"{escape(fr_date(w.starts_at))} · {escape(w.get_step_display())}</span>\n      "
            + (
                f'<br><span class="muted">{escape(Truncator(w.minutes).chars(160))}</span>'
                if w.minutes
                else coming
            )
            + "</li>"
            for w in workshops
        )
    )


def indicator_table_rows(rows: list[dict[str, Any]]) -> SafeString:
    """The body of the « Indicateurs à renseigner » table."""
    link = reverse_pattern("portal:indicator")
    periodicity, last, to_enter = (
        escape(_("Périodicité")),
        escape(_("Dernière valeur")),
        escape(_("À saisir")),
    )
    none = '<span class="muted">{}</span>'.format(escape(_("aucune")))
    locked = ' <span class="badge">{}</span>'.format(escape(_("Verrouillée")))
    enter = escape(_("Renseigner"))
    out = []
    for row in rows:
        pi, m = row["pi"], row["latest"]
        indicator = pi.indicator
        name = escape(indicator.name)
        unit = f' <span class="muted">({escape(indicator.unit)})</span>' if indicator.unit else ""
        if m:
            value = (
                escape(Truncator(m.text_value).chars(40))
                if m.text_value
                else escape(
                    indicator_value(
                        m.value,
                        kind=indicator.type,
                        unit=indicator.unit,
                        unit_one=getattr(indicator, "unit_singular", ""),
                    )
                )
            )
            latest = f"{value} · {measurement_badge(m, locked)}"
        else:
            latest = none
        returned = ""
        if row["returned"]:
            text = ngettext("%(n)s valeur renvoyée", "%(n)s valeurs renvoyées", row["returned"])
            returned = '<br><span class="badge badge--danger">{}</span>'.format(
                text % {"n": escape(localize(row["returned"]))}
            )
        primary = " button--primary" if row["to_report"] or row["returned"] else ""
        out.append(
            "\n      <tr>\n"
            f"        <td>{name}{unit}</td>\n"
            f'        <td data-label="{periodicity}">{escape(indicator.get_periodicity_display())}</td>\n'
            f'        <td data-label="{last}">{latest}\n'
            f"          {returned}</td>\n"
            f'        <td class="num" data-label="{to_enter}">{escape(localize(row["to_report"]))}</td>\n'
            f'        <td><a class="button{primary}" href="{link.format(pi.pk)}">{enter}'
            f'<span class="visually-hidden"> — {name}</span></a></td>\n'
            "      </tr>\n    "
        )
    return mark_safe("".join(out))  # noqa: S308 — every value escaped above
