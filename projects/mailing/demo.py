"""Demo e-mail templates: the three of the issue (the programme's presentation with its leaflet, an interview
invitation, a reminder), in French and English. The leaflet is a one-page PDF made at demo time with
WeasyPrint. Idempotent: a template whose name exists is left alone."""

from django.core.files.base import ContentFile

from programme.audit import Edit
from programme.demo import DemoContext

from . import services
from .models import EmailTemplate, Purpose

LEAFLET_HTML = """<!doctype html><html lang="fr"><head><meta charset="utf-8"><style>
@page { size: A5; margin: 14mm; } body { font-family: sans-serif; color: #1f2937; }
h1 { color: #0f766e; font-size: 20pt; margin: 0 0 6mm; } p, li { font-size: 10.5pt; line-height: 1.45; }
</style></head><body>
<h1>Programme d’accompagnement</h1>
<p>Un parcours de trois ans pour les collectifs qui inventent des réponses aux besoins de leur territoire.</p>
<ul><li>Émergence (10 mois) : analyse des besoins, idéation, prototype, ateliers.</li>
<li>Expérimentation (18 mois) : gouvernance partagée, évaluation, financements.</li>
<li>Déploiement : essaimage, diffusion des enseignements, plaidoyer.</li></ul>
<p>Contact : l’équipe du programme.</p></body></html>"""

PRESENTATION_FR = """Bonjour {{ prenom }},

Je me permets de vous écrire au nom du {{ programme }}. Nous accompagnons des collectifs de structures de l’ESS, d’entreprises et d’acteurs publics qui veulent répondre ensemble à un besoin de leur territoire.

Vous trouverez en pièce jointe la plaquette du programme. Seriez-vous disponible pour un premier échange d’une demi-heure sur les projets de {{ structure }} ?

Bien cordialement,
{{ expediteur }}"""

PRESENTATION_EN = """Hello {{ prenom }},

I am writing on behalf of {{ programme }}. We support groups of social-economy organisations, businesses and public bodies that want to meet a local need together.

Please find our leaflet attached. Would you have half an hour for a first conversation about {{ structure }}’s plans?

Kind regards,
{{ expediteur }}"""

INTERVIEW_FR = """Bonjour {{ prenom }},

Merci pour votre intérêt pour le {{ programme }}. Je vous confirme notre entretien de pré-qualification le {{ entretien }}.

Nous parlerons du projet de {{ structure }}, de ses partenaires et de ce que vous attendez de l’accompagnement. Comptez une heure.

À bientôt,
{{ expediteur }}"""

INTERVIEW_EN = """Hello {{ prenom }},

Thank you for your interest in {{ programme }}. This is to confirm our pre-qualification interview on {{ entretien }}.

We will talk about {{ structure }}’s project, its partners and what you expect from the programme. Please allow an hour.

See you soon,
{{ expediteur }}"""

REMINDER_FR = """Bonjour {{ prenom }},

Je reviens vers vous au sujet du {{ programme }}. Avez-vous pu en parler au sein de {{ structure }} ?

Je reste à votre disposition pour en discuter.

Bien cordialement,
{{ expediteur }}"""

REMINDER_EN = """Hello {{ prenom }},

I am following up on {{ programme }}. Have you had a chance to discuss it within {{ structure }}?

I would be glad to talk it over.

Kind regards,
{{ expediteur }}"""

TEMPLATES = [
    (
        "Présentation du programme",
        Purpose.PRESENTATION,
        ("Le {{ programme }} — présentation", PRESENTATION_FR),
        ("{{ programme }} — an introduction", PRESENTATION_EN),
        True,
    ),
    (
        "Invitation à l’entretien de pré-qualification",
        Purpose.INTERVIEW,
        ("Entretien de pré-qualification le {{ entretien }}", INTERVIEW_FR),
        ("Pre-qualification interview on {{ entretien }}", INTERVIEW_EN),
        False,
    ),
    (
        "Relance",
        Purpose.REMINDER,
        ("Le {{ programme }} — suite à notre échange", REMINDER_FR),
        ("{{ programme }} — following up", REMINDER_EN),
        False,
    ),
]


def leaflet_pdf() -> bytes:
    import weasyprint

    return bytes(weasyprint.HTML(string=LEAFLET_HTML).write_pdf())


def build(ctx: DemoContext) -> None:
    staff = ctx.users["staff"]
    for name, purpose, (subject_fr, body_fr), (subject_en, body_en), with_leaflet in TEMPLATES:
        if EmailTemplate.objects.filter(name=name).exists():
            continue
        template = EmailTemplate(
            name=name,
            purpose=purpose,
            subject_fr=subject_fr,
            body_fr=body_fr,
            subject_en=subject_en,
            body_en=body_en,
        )
        leaflet = ContentFile(leaflet_pdf(), name="plaquette-programme.pdf") if with_leaflet else None
        services.email_template_save(actor=staff, edit=Edit(obj=template), attachment=leaflet)
