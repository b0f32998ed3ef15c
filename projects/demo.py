"""Demo projects: the collectives that partner A and partner B belong to (extended by project steering)."""

from datetime import date

from programme.demo import DemoContext

from .models import MemberRole, Membership, Phase, Project

# (title, lead organisation, other members with roles, phase)
PROJECTS = [
    (
        "Alimentation solidaire au Tonkin",
        "Épicerie Coopérative du Tonkin",
        [
            ("Ville de Villeurbanne", MemberRole.LOCAL_AUTHORITY),
            ("BioRhône Distribution", MemberRole.PARTNER),
        ],
        Phase.EMERGENCE,
    ),
    (
        "Réemploi des matériaux du BTP",
        "Recyclerie des Pentes",
        [
            ("SCOP Atelier Bois Vénissieux", MemberRole.PARTNER),
            ("Métropole de Lyon — Direction de l'ESS", MemberRole.FUNDER),
        ],
        Phase.EXPERIMENTATION,
    ),
]


def build(ctx: DemoContext) -> None:
    cohort = ctx.cohorts[0]
    for title, lead_name, members, phase in PROJECTS:
        lead = ctx.organisations[lead_name]
        project, created = Project.objects.get_or_create(
            title=title,
            defaults={
                "programme": ctx.programme,
                "cohort": cohort,
                "lead_organisation": lead,
                "phase": phase,
            },
        )
        if created:
            joined = date(cohort.year, 3, 1)
            Membership.objects.create(
                project=project,
                organisation=lead,
                role=MemberRole.LEAD,
                joined_on=joined,
                person=lead.people.first(),
            )
            for name, role in members:
                Membership.objects.create(
                    project=project,
                    organisation=ctx.organisations[name],
                    role=role,
                    joined_on=joined,
                )
        ctx.extra.setdefault("projects", {})[title] = project
