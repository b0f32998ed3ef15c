"""« Mon projet »'s lists written with string joins (`templates/portal/project.html`): the markup its loops and
the `portal/partials/_status.html` badges wrote, byte for byte — through the template engine, a dozen rows
with a badge include each were a good part of the page's time. Labels and links are prepared once per page;
every value is escaped here (`tests/portal/test_rows.py` compares them with the template's own render)."""

from datetime import date
from typing import Any

from django.utils.formats import localize
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from programme.formatting import choice_labels, fr_date, fr_percent, indicator_value
from programme.pages import reverse_pattern

#: The badge class of each state (`_status.html`); a late expected deliverable, an open late action: warn.
DELIVERABLE_CSS = {"accepted": "badge--ok", "returned": "badge--danger", "submitted": "badge--info"}
MEASUREMENT_CSS = {"validated": "badge--ok", "returned": "badge--danger", "submitted": "badge--info"}


def _badge(css: str, label: str, tail: str = "") -> str:
    """What one `_status.html` include writes: its own line breaks around the badge, the class list (`badge `
    then the state's class, possibly none), the label, and what follows (« · en retard », « Verrouillée »)."""
    return f'\n\n<span class="badge {css}">{escape(label)}{tail}\n\n'


def _safe(parts: list[str]) -> SafeString:
    return mark_safe("".join(parts))  # noqa: S308 — every value escaped where the parts are written


def deadline_items(deadlines: list[dict[str, Any]]) -> SafeString:
    """The « Prochaines échéances » items."""
    late = " · " + escape(_("en retard"))
    return _safe(
        [
            f'\n      <li><time datetime="{d["date"]:%Y-%m-%d}">{escape(fr_date(d["date"]))}</time> · '
            f'<span class="badge{" badge--warn" if d["late"] else ""}">{escape(d["kind"])}'
            f"{late if d['late'] else ''}</span> {escape(d['title'])}</li>\n      "
            for d in deadlines
        ]
    )


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
        status, overdue = d.status, d.due_date < today
        css = DELIVERABLE_CSS.get(status, "badge--warn" if overdue else "")
        badge = _badge(
            css,
            choice_labels(type(d), "status").get(status, status),
            (late if status == "expected" and overdue else "") + "</span>",
        )
        has_version = d.latest_number is not None
        latest = (
            f"v{localize(d.latest_number)} · {escape(fr_date(d.latest_uploaded_at))}" if has_version else none
        )
        verb = see if status == "accepted" else (replace if has_version else deposit)
        out.append(
            "\n      <tr>\n"
            f"        <td>{title}</td>\n"
            f'        <td data-label="{due}">{escape(fr_date(d.due_date))}</td>\n'
            f'        <td data-label="{state}">{badge}</td>\n'
            f'        <td data-label="{version}">{latest}</td>\n'
            f'        <td><a class="button" href="{link.format(d.pk)}">{verb}'
            f'<span class="visually-hidden"> — {title}</span></a></td>\n'
            "      </tr>\n    "
        )
    return _safe(out)


def indicator_rows(rows: list[dict[str, Any]]) -> SafeString:
    """The body of the « Indicateurs à renseigner » table."""
    link = reverse_pattern("portal:indicator")
    period, last, to_enter = escape(_("Périodicité")), escape(_("Dernière valeur")), escape(_("À saisir"))
    advance = escape(_("Avancement"))
    none = '<span class="muted">{}</span>'.format(escape(_("aucune")))
    locked = '</span> <span class="badge">{}</span>'.format(escape(_("Verrouillée")))
    enter = escape(_("Renseigner"))
    out = []
    for row in rows:
        pi, m = row["pi"], row["latest"]
        indicator = pi.indicator
        name = escape(indicator.name)
        unit = f' <span class="muted">({escape(indicator.unit)})</span>' if indicator.unit else ""
        if m:
            if m.text_value:
                value = escape(Truncator(m.text_value).chars(40))
            else:
                value = escape(
                    indicator_value(
                        m.value, kind=indicator.type, unit=indicator.unit, unit_one=indicator.unit_singular
                    )
                )
            css = MEASUREMENT_CSS.get(m.status, "")
            status = choice_labels(type(m), "status").get(m.status, m.status)
            latest = f"{value} · {_badge(css, status, locked if m.locked else '</span>')}"
        else:
            latest = none
        returned = ""
        if row["returned"]:
            n = row["returned"]
            text = ngettext("%(n)s valeur renvoyée", "%(n)s valeurs renvoyées", n) % {
                "n": escape(localize(n))
            }
            returned = f'<br><span class="badge badge--danger">{text}</span>'
        primary = " button--primary" if row["to_report"] or row["returned"] else ""
        # Towards the target due now (the final one without intermediate targets), or why there is none.
        summary = row["summary"]
        progress: str
        if summary["progress"] is not None:
            progress = escape(fr_percent(summary["progress"]))
        else:
            progress = f'<span class="muted">{escape(summary["progress_note"])}</span>'
        out.append(
            "\n      <tr>\n"
            f"        <td>{name}{unit}</td>\n"
            f'        <td data-label="{period}">{escape(choice_labels(type(indicator), "periodicity").get(indicator.periodicity, indicator.periodicity))}</td>\n'
            f'        <td data-label="{last}">{latest}\n'
            f"          {returned}</td>\n"
            f'        <td data-label="{advance}">{progress}</td>\n'
            f'        <td class="num" data-label="{to_enter}">{escape(localize(row["to_report"]))}</td>\n'
            f'        <td><a class="button{primary}" href="{link.format(pi.pk)}">{enter}'
            f'<span class="visually-hidden"> — {name}</span></a></td>\n'
            "      </tr>\n    "
        )
    return _safe(out)


def open_action_items(actions: list[Any], today: date) -> SafeString:
    """The « Vos actions » items still open, each with its badge and the link that marks it done."""
    link = reverse_pattern("portal:action.done")
    due, mark = escape(_("échéance")), escape(_("Marquer comme faite"))
    late = " · " + escape(_("en retard"))
    out = []
    for a in actions:
        title = escape(a.title)
        out.append(
            f'\n      <li>{title} · <span class="muted">{due} {escape(fr_date(a.due_date))}</span> '
            f"{_action_badge(a, today, late)}\n"
            f'        <a href="{link.format(a.pk)}">{mark}<span class="visually-hidden"> — {title}</span></a></li>\n'
            "      "
        )
    return _safe(out)


def done_action_items(actions: list[Any], today: date) -> SafeString:
    """The finished actions under « N actions terminées »."""
    late = " · " + escape(_("en retard"))
    return _safe([f"<li>{escape(a.title)} {_action_badge(a, today, late)}</li>" for a in actions])


def _action_badge(a: Any, today: date, late: str) -> str:
    status, overdue = a.status, a.due_date < today
    css = "badge--ok" if status == "done" else ("badge--warn" if overdue and status != "cancelled" else "")
    tail = late if status not in ("done", "cancelled") and overdue else ""
    return _badge(css, choice_labels(type(a), "status").get(status, status), tail + "</span>")


def workshop_items(workshops: list[Any]) -> SafeString:
    """The « Comptes-rendus d’ateliers » items."""
    link = reverse_pattern("portal:workshop")
    coming = '<br><span class="muted">{}</span>'.format(escape(_("Compte-rendu à venir.")))
    out = []
    for w in workshops:
        minutes = (
            f'<br><span class="muted">{escape(Truncator(w.minutes).chars(160))}</span>'
            if w.minutes
            else coming
        )
        out.append(
            f'<li><a href="{link.format(w.pk)}">{escape(w.title)}</a> <span class="muted">· '
            f"{escape(fr_date(w.starts_at))} · {escape(choice_labels(type(w), 'step').get(w.step, w.step))}</span>\n      {minutes}</li>"
        )
    return _safe(out)


def member_list(members: list[Any]) -> SafeString:
    """The collective's members (« Membres »), or a dash."""
    if not members:
        return mark_safe("—")
    return mark_safe(  # noqa: S308 — every value escaped here
        ", ".join(
            f'{escape(m.organisation.name)} <span class="muted">({escape(choice_labels(type(m), "role").get(m.role, m.role))})</span>'
            for m in members
        )
    )


def decision_items(decisions: list[dict[str, Any]]) -> SafeString:
    """The latest shared committee decisions."""
    link = reverse_pattern("portal:committee")
    return _safe(
        [
            f'<li><a href="{link.format(d["committee_id"])}">{escape(d["committee"])}</a> — '
            f"{_linebreaksbr(d['text'])}</li>"
            for d in decisions
        ]
    )


def _linebreaksbr(text: str) -> str:
    """The `linebreaksbr` filter: escaped, line ends normalised, each one a <br>."""
    return escape(text).replace("\r\n", "\n").replace("\r", "\n").replace("\n", "<br>")


def page_lists(context: dict[str, Any]) -> dict[str, SafeString]:
    """Every list of « Mon projet », from its context (`selectors.project_page`): the template's `rows`."""
    today = context["today"]
    return {
        "deadlines": deadline_items(context["deadlines"]),
        "members": member_list(context["members"]),
        "deliverables": deliverable_rows(context["deliverables"], today),
        "indicators": indicator_rows(context["indicator_rows"]),
        "open_actions": open_action_items(context["open_actions"], today),
        "done_actions": done_action_items(context["done_actions"], today),
        "decisions": decision_items(context["decisions"]),
        "workshops": workshop_items(context["recent_workshops"]),
    }
