"""The « compte rendu financier de l'action subventionnée » of one convention, laid out like the Cerfa
n° 15059 so the team starts from it instead of a blank form: XLSX (to finish in a spreadsheet) and PDF.

The form's tables are the project's budget lines (prévisionnel and réalisé) of the phase the convention
funds (the whole project when the request names no phase), put under the accounts of the associations'
chart of accounts that the form uses: charges 60–68 and indirect charges, produits 70–75 (74, operating
grants, by type of funder), and the volunteer contributions in kind 86 / 87 apart. The mapping of the
budget's natures to accounts is `CHARGES`, `PRODUCTS` and `IN_KIND` below: a nature the form splits further
(prestations under 60 or 61…) goes to the nearest heading, and the spreadsheet lets the team move it.
The annex's questions are written out with what Parcours knows to answer them (the significant variances,
the contributions in kind), never with invented text.
"""

import io
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.worksheet.worksheet import Worksheet

from evaluation.figures import percentage
from programme.exports import escape_formula
from programme.formatting import fr_amount, fr_date, fr_signed_percent
from programme.identity import format_identifier
from programme.models import FunderKind
from projects.funding.models import ZERO, BudgetLine, BudgetVersion, Convention, LineNature, LineSide

#: A variance the annex asks to explain: more than this share of the forecast, either way.
SIGNIFICANT_VARIANCE = Decimal(15)

# (account, heading, natures of the budget that go there)
CHARGES: list[tuple[str, Any, tuple[str, ...]]] = [
    ("60", gettext_lazy("Achats (prestations de services, matières et fournitures)"), (LineNature.SERVICES,)),
    ("61", gettext_lazy("Services extérieurs (locations, entretien, assurances)"), ()),
    (
        "62",
        gettext_lazy("Autres services extérieurs (honoraires, publicité, déplacements, missions)"),
        (LineNature.TRAVEL,),
    ),
    ("63", gettext_lazy("Impôts et taxes"), ()),
    ("64", gettext_lazy("Charges de personnel"), (LineNature.PERSONNEL,)),
    ("65", gettext_lazy("Autres charges de gestion courante"), (LineNature.OTHER_EXPENSE,)),
    ("66", gettext_lazy("Charges financières"), ()),
    ("67", gettext_lazy("Charges exceptionnelles"), ()),
    ("68", gettext_lazy("Dotation aux amortissements"), (LineNature.INVESTMENT,)),
    ("", gettext_lazy("Charges indirectes affectées à l’action"), (LineNature.OVERHEADS,)),
]
PRODUCTS: list[tuple[str, Any, tuple[str, ...]]] = [
    (
        "70",
        gettext_lazy("Vente de produits finis, de marchandises, prestations de services"),
        (LineNature.REVENUE,),
    ),
    ("73", gettext_lazy("Dotations et produits de tarification"), ()),
    ("74", gettext_lazy("Subventions d’exploitation"), (LineNature.GRANT,)),
    (
        "75",
        gettext_lazy("Autres produits de gestion courante (cotisations, fonds propres, autres)"),
        (LineNature.OWN_FUNDS, LineNature.OTHER_RESOURCE),
    ),
]
#: The sub-lines of account 74, by type of funder (a grant line without a request goes to "autres").
GRANT_LINES: list[tuple[Any, tuple[str, ...]]] = [
    (gettext_lazy("État"), (FunderKind.STATE,)),
    (gettext_lazy("Région(s)"), (FunderKind.REGION,)),
    (gettext_lazy("Département(s)"), (FunderKind.DEPARTEMENT,)),
    (gettext_lazy("Intercommunalité(s) : EPCI"), (FunderKind.METROPOLE,)),
    (gettext_lazy("Commune(s)"), (FunderKind.COMMUNE,)),
    (gettext_lazy("Fonds européens"), (FunderKind.EUROPE,)),
    (gettext_lazy("Aides privées (fondations, mécénat)"), (FunderKind.FOUNDATION, FunderKind.PATRON)),
    (gettext_lazy("Autres financeurs"), (FunderKind.OTHER, "")),
]
#: (account, heading, nature) of the volunteer contributions in kind: what they pay for (86) and who gives
#: them (87), the same amounts on both sides.
IN_KIND: list[tuple[str, Any, list[tuple[str, Any, str | None]]]] = [
    (
        "86",
        gettext_lazy("Emplois des contributions volontaires en nature"),
        [
            ("860", gettext_lazy("Secours en nature"), None),
            ("861", gettext_lazy("Mise à disposition gratuite de biens et services"), LineNature.PROVISION),
            ("862", gettext_lazy("Prestations"), None),
            ("864", gettext_lazy("Personnel bénévole"), LineNature.VOLUNTEERING),
        ],
    ),
    (
        "87",
        gettext_lazy("Contributions volontaires en nature"),
        [
            ("870", gettext_lazy("Bénévolat"), LineNature.VOLUNTEERING),
            ("871", gettext_lazy("Prestations en nature"), LineNature.PROVISION),
            ("875", gettext_lazy("Dons en nature"), None),
        ],
    ),
]
QUESTIONS = (
    (
        "indirect",
        gettext_lazy(
            "Quelle a été la règle de répartition des charges indirectes affectées à l’action subventionnée "
            "(exemple : quote-part ou pourcentage des loyers, des salaires, etc.) ?"
        ),
    ),
    (
        "variances",
        gettext_lazy(
            "Expliquer et justifier les écarts significatifs éventuels entre le budget prévisionnel de "
            "l’action et le réalisé."
        ),
    ),
    (
        "in_kind",
        gettext_lazy(
            "Contributions volontaires en nature affectées à la réalisation du projet ou de l’action "
            "subventionnée."
        ),
    ),
    (
        "observations",
        gettext_lazy("Observations à formuler sur le compte rendu financier de l’action subventionnée."),
    ),
)


@dataclass
class Line:
    account: str
    label: str
    planned: Decimal = ZERO
    actual: Decimal = ZERO
    level: int = 1  # 0: a total, 1: an account, 2: a sub-account

    @property
    def variance(self) -> Decimal:
        return self.actual - self.planned

    @property
    def variance_rate(self) -> Decimal | None:
        return percentage(self.variance, self.planned)

    @property
    def significant(self) -> bool:
        rate = self.variance_rate
        return self.level > 0 and (
            (rate is not None and abs(rate) > SIGNIFICANT_VARIANCE) or (not self.planned and self.actual > 0)
        )


@dataclass
class CompteRendu:
    convention: Convention
    identification: list[tuple[str, str]]
    charges: list[Line]
    products: list[Line]
    in_kind: list[Line]
    answers: dict[str, list[str]] = field(default_factory=dict)

    @property
    def title(self) -> str:
        return _("Compte rendu financier de l’action subventionnée")

    @property
    def questions(self) -> list[tuple[str, str, list[str]]]:
        return [(key, str(text), self.answers.get(key, [])) for key, text in QUESTIONS]

    @property
    def filename(self) -> str:
        stamp = timezone.localdate().isoformat()
        reference = "".join(c if c.isalnum() else "-" for c in self.convention.reference)[:40]
        return f"compte-rendu-financier-{reference}-{stamp}"


def _sums(lines: list[BudgetLine]) -> dict[tuple[str, str, str], list[Decimal]]:
    """(side, nature, funder kind) → [prévisionnel, réalisé]."""
    sums: dict[tuple[str, str, str], list[Decimal]] = defaultdict(lambda: [ZERO, ZERO])
    for line in lines:
        kind = line.request.funder.funder_kind if line.request_id and line.request else ""
        column = 0 if line.budget.version == BudgetVersion.PLANNED else 1
        sums[(line.side, line.nature, kind if line.nature == LineNature.GRANT else "")][column] += line.amount
    return sums


def _add(sums, side: str, natures, kinds=None) -> tuple[Decimal, Decimal]:
    planned = actual = ZERO
    for (s, nature, kind), (p, a) in sums.items():
        if s == side and nature in natures and (kinds is None or kind in kinds):
            planned, actual = planned + p, actual + a
    return planned, actual


def _section(sums, side: str, heads, total_label: str) -> list[Line]:
    rows: list[Line] = []
    for account, label, natures in heads:
        planned, actual = _add(sums, side, natures)
        rows.append(Line(account, str(label), planned, actual))
        if natures == (LineNature.GRANT,):
            for sub_label, kinds in GRANT_LINES:
                p, a = _add(sums, side, natures, kinds)
                rows.append(Line("", str(sub_label), p, a, level=2))
    top = [r for r in rows if r.level == 1]
    rows.append(
        Line(
            "", total_label, sum((r.planned for r in top), ZERO), sum((r.actual for r in top), ZERO), level=0
        )
    )
    return rows


def compte_rendu(convention: Convention) -> CompteRendu:
    """The form of `convention` (already read through `programme.access` by the caller). Two queries: the
    budget lines, and the payments received."""
    request = convention.request
    project = convention.project
    lines_qs = BudgetLine.objects.filter(budget__project=project).select_related("budget", "request__funder")
    if request.phase:
        lines_qs = lines_qs.filter(budget__phase=request.phase)
    sums = _sums(list(lines_qs))
    charges = _section(sums, LineSide.EXPENSE, CHARGES, _("Total des charges"))
    products = _section(sums, LineSide.RESOURCE, PRODUCTS, _("Total des produits"))
    in_kind: list[Line] = []
    for account, label, subs in IN_KIND:
        head = Line(account, str(label), level=1)
        in_kind.append(head)
        for sub_account, sub_label, nature in subs:
            p, a = _add(sums, LineSide.IN_KIND, (nature,)) if nature else (ZERO, ZERO)
            head.planned, head.actual = head.planned + p, head.actual + a
            in_kind.append(Line(sub_account, str(sub_label), p, a, level=2))
    received = sum((p.amount for p in convention.payments.all()), ZERO)
    organisation = project.lead_organisation
    identification = [
        (_("Structure"), organisation.name),
        (_("N° SIRET"), format_identifier(organisation.siret or organisation.siren) or "—"),
        (_("Intitulé de l’action"), f"{project.title} — {request.title}"),
        (
            _("Financeur"),
            f"{request.funder.name}"
            + (
                f" — {request.funder_programme.name}"
                if request.funder_programme_id and request.funder_programme
                else ""
            ),
        ),
        (_("Convention"), convention.reference),
        (_("Signée le"), fr_date(convention.signed_on)),
        (_("Période de l’action"), f"{fr_date(convention.period_start)} – {fr_date(convention.period_end)}"),
        (_("Phase financée"), request.get_phase_display() if request.phase else _("Tout le projet")),
        (_("Montant accordé"), fr_amount(convention.amount_granted)),
        (_("Versements reçus à ce jour"), fr_amount(received)),
    ]
    answers: dict[str, list[str]] = {}
    variances = [
        _("%(account)s %(label)s : %(planned)s prévus, %(actual)s réalisés (%(rate)s)")
        % {
            "account": r.account,
            "label": r.label,
            "planned": fr_amount(r.planned),
            "actual": fr_amount(r.actual),
            "rate": fr_signed_percent(r.variance_rate) if r.variance_rate is not None else _("non prévu"),
        }
        for r in (*charges, *products)
        if r.significant
    ]
    if variances:
        answers["variances"] = [
            _("Écarts de plus de %(n)s %% relevés dans Parcours :") % {"n": SIGNIFICANT_VARIANCE},
            *variances,
        ]
    gifts = [
        f"{line.label} : {fr_amount(line.actual or line.planned)}"
        for line in in_kind
        if line.level == 2 and line.account.startswith("87") and (line.planned or line.actual)
    ]
    if gifts:
        answers["in_kind"] = gifts
    return CompteRendu(convention, identification, charges, products, in_kind, answers)


# --- XLSX ------------------------------------------------------------------------------------------------

HEADERS = (
    gettext_lazy("Compte"),
    gettext_lazy("Intitulé"),
    gettext_lazy("Prévision (€)"),
    gettext_lazy("Réalisation (€)"),
    gettext_lazy("Écart (€)"),
    gettext_lazy("Écart (%)"),
)


def _append(sheet: Worksheet, values: list[Any], *, bold: bool = False) -> None:
    sheet.append([escape_formula(v) if isinstance(v, str) else v for v in values])
    for cell in sheet[sheet.max_row]:
        if isinstance(cell.value, str):
            cell.data_type = "s"  # never a formula
        if bold:
            cell.font = Font(bold=True)


def _table(sheet: Worksheet, title: str, rows: list[Line]) -> None:
    _append(sheet, [])
    _append(sheet, [title], bold=True)
    _append(sheet, [str(h) for h in HEADERS], bold=True)
    for r in rows:
        rate = r.variance_rate
        _append(
            sheet,
            [
                r.account,
                ("    " if r.level == 2 else "") + r.label,
                float(r.planned),
                float(r.actual),
                float(r.variance),
                float(rate) if rate is not None else None,
            ],
            bold=r.level == 0,
        )
        for cell in sheet[sheet.max_row][2:5]:
            cell.number_format = "#,##0.00"


def xlsx(form: CompteRendu) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert isinstance(sheet, Worksheet)
    sheet.title = "Compte rendu financier"
    _append(sheet, [_("Cerfa n° 15059 — %(title)s") % {"title": form.title}], bold=True)
    _append(
        sheet,
        [
            _(
                "Préparé par Parcours le %(date)s à partir du budget du projet ; à vérifier avec les comptes de la structure."
            )
            % {"date": fr_date(timezone.localdate())}
        ],
    )
    _append(sheet, [])
    for label, value in form.identification:
        _append(sheet, [label, value])
    _append(sheet, [])
    _append(sheet, [_("1. Bilan qualitatif de l’action réalisée")], bold=True)
    _append(sheet, [_("Décrire la mise en œuvre de l’action, les publics touchés et les résultats obtenus.")])
    _append(sheet, [])
    _append(sheet, [_("2. Tableau de synthèse")], bold=True)
    _table(sheet, _("Charges"), form.charges)
    _table(sheet, _("Produits"), form.products)
    _table(sheet, _("Contributions volontaires en nature"), form.in_kind)
    _append(sheet, [])
    _append(sheet, [_("3. Données chiffrées : annexe")], bold=True)
    for _key, question, answer in form.questions:
        _append(sheet, [question], bold=True)
        for text in answer or [""]:
            _append(sheet, ["", text])
    _append(sheet, [])
    _append(
        sheet,
        [
            _(
                "Je soussigné(e), représentant(e) légal(e) de la structure, certifie exactes les informations du présent compte rendu."
            )
        ],
    )
    _append(sheet, [_("Fait le"), "", _("à")])
    _append(sheet, [_("Signature")])
    sheet.column_dimensions["A"].width = 14
    sheet.column_dimensions["B"].width = 70
    for letter in "CDEF":
        sheet.column_dimensions[letter].width = 16
    for row in sheet.iter_rows():
        for cell in row[:2]:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- PDF ------------------------------------------------------------------------------------------------


def _shown(rows: list[Line]) -> list[dict[str, Any]]:
    return [
        {
            "account": r.account,
            "label": r.label,
            "level": r.level,
            "planned": fr_amount(r.planned),
            "actual": fr_amount(r.actual),
            "variance": ("+" if r.variance > 0 else "") + fr_amount(r.variance),
            "rate": fr_signed_percent(r.variance_rate),
        }
        for r in rows
    ]


def html(form: CompteRendu) -> str:
    return render_to_string(
        "reports/cerfa_15059.html",
        {
            "form": form,
            "charges": _shown(form.charges),
            "products": _shown(form.products),
            "in_kind": _shown(form.in_kind),
            "generated_at": fr_date(timezone.localdate()),
        },
    )


def pdf(form: CompteRendu) -> bytes:
    from .pdf import html_to_pdf

    return html_to_pdf(html(form)).content


__all__ = ["CompteRendu", "compte_rendu", "html", "pdf", "xlsx"]
