"""Demo action-research: a small framework (v1, then v2 adding a condition), observations on the pilot
territories of programme/territories/demo.py coded against it, their pilot projects, and a few resources.
Everything through the services. Idempotent: nothing is added once the programme has a framework."""

from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile

from programme.audit import Edit
from programme.demo import DemoContext
from programme.models import Territory, TerritoryKind
from projects.models import Phase, Project

from . import services
from .models import Condition, FrameworkVersion, Resource

# (name, description, sub-conditions)
CONDITIONS = [
    (
        "Gouvernance partagée",
        "Les décisions de la démarche se prennent à plusieurs : collectivité, structures, habitants.",
        ["Place des habitants dans les instances"],
    ),
    ("Mobilisation des habitants", "Les habitants participent, proposent et portent des actions.", []),
    (
        "Coopération entre acteurs",
        "Les structures du territoire travaillent ensemble plutôt que côte à côte.",
        [],
    ),
    ("Soutien politique local", "Les élus portent la démarche et lui donnent des moyens.", []),
]
ADDED_IN_V2 = ("Modèle économique", "Les projets trouvent des ressources durables au-delà des subventions.")

# (territory, days ago, text, {condition: (status, justification)}, uses v2)
OBSERVATIONS = [
    (
        "Vaulx-en-Velin",
        420,
        "Premier comité territorial : la ville, la ressourcerie et deux collectifs d’habitants autour de la table.",
        {
            "Gouvernance partagée": (
                "emerging",
                "Un comité existe mais la ville y décide seule de l’ordre du jour.",
            ),
            "Mobilisation des habitants": (
                "absent",
                "Aucun habitant présent hors des deux collectifs invités.",
            ),
        },
        False,
    ),
    (
        "Vaulx-en-Velin",
        60,
        "Le COPIL du projet pilote accueille désormais trois habitantes élues par l’assemblée du quartier.",
        {
            "Gouvernance partagée": (
                "present",
                "Ordre du jour construit à trois ; décisions votées en COPIL.",
            ),
            "Place des habitants dans les instances": (
                "present",
                "Trois sièges d’habitantes, élues en assemblée.",
            ),
            "Mobilisation des habitants": (
                "emerging",
                "Une quarantaine de personnes à l’assemblée de quartier.",
            ),
            "Modèle économique": ("emerging", "Une première convention de trois ans avec la Métropole."),
        },
        True,
    ),
    (
        "Vénissieux",
        200,
        "Restitution du diagnostic partagé : le CCAS et Mobil’Emploi 69 s’accordent sur trois priorités.",
        {
            "Coopération entre acteurs": (
                "present",
                "Un plan d’action commun signé par les deux structures.",
            ),
            "Soutien politique local": (
                "emerging",
                "L’adjointe à l’emploi assiste, sans engagement budgétaire.",
            ),
        },
        False,
    ),
    (
        "Villeurbanne",
        30,
        "Atelier de lancement de la démarche alimentation durable à l’épicerie du Tonkin.",
        {
            "Mobilisation des habitants": (
                "present",
                "Soixante participants, dont une moitié de nouveaux venus.",
            ),
            "Soutien politique local": ("present", "Le maire ouvre l’atelier et annonce un budget dédié."),
        },
        True,
    ),
]

# (title, format, audience, territory, status, url, conditions)
RESOURCES = [
    (
        "Livret — Conduire un diagnostic partagé",
        "booklet",
        "authorities",
        "Vaulx-en-Velin",
        "published",
        "",
        ["Gouvernance partagée", "Coopération entre acteurs"],
    ),
    (
        "Fiche — Ouvrir le COPIL aux habitants",
        "sheet",
        "holders",
        "Vaulx-en-Velin",
        "review",
        "https://www.avise.org/",
        ["Place des habitants dans les instances"],
    ),
    (
        "Vidéo — Paroles d’habitantes du Mas du Taureau",
        "video",
        "public",
        "Vaulx-en-Velin",
        "published",
        "https://www.youtube.com/",
        ["Mobilisation des habitants"],
    ),
    (
        "Podcast — Coopérer pour l’emploi à Vénissieux",
        "podcast",
        "partners",
        "Vénissieux",
        "draft",
        "https://www.lelabo-ess.org/",
        ["Coopération entre acteurs"],
    ),
]

# A one-page PDF: the demo booklet's file (programme.files reads the type from the content).
DEMO_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj "
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


def _conditions(version: FrameworkVersion) -> dict[str, Condition]:
    return {c.name: c for c in version.conditions.all()}


def build(ctx: DemoContext) -> None:
    programme = ctx.programme
    assert programme is not None
    if FrameworkVersion.objects.filter(programme=programme).exists():
        return
    staff = ctx.users["staff"]
    v1 = services.framework_version_create(actor=staff, programme=programme, note="Cadre de départ")
    position = 0
    for name, description, children in CONDITIONS:
        position += 1
        parent = services.condition_save(
            actor=staff,
            edit=Edit(obj=Condition(version=v1, name=name, description=description, position=position)),
        )
        for child in children:
            position += 1
            services.condition_save(
                actor=staff,
                edit=Edit(obj=Condition(version=v1, name=child, parent=parent, position=position)),
            )
    territories = {t.name: t for t in Territory.objects.filter(kind=TerritoryKind.PILOT, programme=programme)}
    v2 = None
    for name, days_ago, text, codings, uses_v2 in sorted(OBSERVATIONS, key=lambda o: (o[4], -o[1])):
        if name not in territories:
            continue
        if uses_v2 and v2 is None:
            v2 = services.framework_version_create(
                actor=staff, programme=programme, note="Ajout du modèle économique"
            )
            services.condition_save(
                actor=staff,
                edit=Edit(
                    obj=Condition(
                        version=v2, name=ADDED_IN_V2[0], description=ADDED_IN_V2[1], position=position + 1
                    )
                ),
            )
        version = v2 if uses_v2 and v2 is not None else v1
        by_name = _conditions(version)
        services.observation_create(
            actor=staff,
            territory=territories[name],
            project=None,
            observed_on=ctx.today - timedelta(days=days_ago),
            text=text,
            version=version,
            codings=[
                services.CodingInput(condition=by_name[c], status=status, justification=why)
                for c, (status, why) in codings.items()
            ],
            sources=[
                services.SourceInput(label="Compte rendu de séance", url="https://www.parcours.example/cr")
            ],
        )
    # Each pilot territory's first project under way there is its pilot project.
    for territory in territories.values():
        project = (
            Project.objects.filter(territory=territory)
            .exclude(phase__in=[Phase.STOPPED, Phase.COMPLETED, Phase.SELECTION])
            .order_by("pk")
            .first()
        )
        if project is not None:
            services.pilot_project_set(actor=staff, territory=territory, project=project, pilot=True)
    current = _conditions(v2 or v1)
    for title, fmt, audience, where, status, url, addressed in RESOURCES:
        resource = Resource(
            title=title,
            format=fmt,
            audience=audience,
            territory=territories.get(where),
            status=status,
            url=url,
        )
        upload = None if url else SimpleUploadedFile("livret-diagnostic.pdf", DEMO_PDF)
        services.resource_save(
            actor=staff,
            edit=Edit(obj=resource, m2m={"conditions": [current[c] for c in addressed if c in current]}),
            upload=upload,
        )
