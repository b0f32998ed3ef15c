"""factory_boy factories for the core records. Apps add theirs in tests/<app>/factories.py."""

from datetime import date

import factory

from programme.models import Cohort, Organisation, Person, Programme, Role, User
from projects.models import MemberRole, Membership, Project

PASSWORD = "test-password-123"


class ProgrammeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Programme

    name = factory.Sequence(lambda n: f"Programme {n}")
    start_date = date(2025, 1, 1)
    reminder_offsets = [14, 7, 1]


class CohortFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Cohort

    programme = factory.SubFactory(ProgrammeFactory)
    name = factory.Sequence(lambda n: f"Promotion {n}")
    year = 2026
    start_date = date(2026, 1, 15)
    capacity = 4


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Structure {n}")
    kind = "association"
    town = "Lyon"
    postcode = "69001"


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    first_name = factory.Sequence(lambda n: f"Prénom{n}")
    last_name = factory.Sequence(lambda n: f"Nom{n}")
    email = factory.Sequence(lambda n: f"contact{n}@exemple.fr")
    organisation = factory.SubFactory(OrganisationFactory)
    consent_basis = "legitimate_interest"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@exemple.fr")
    first_name = "Test"
    role = Role.STAFF
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class ProjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Project

    programme = factory.SubFactory(ProgrammeFactory)
    cohort = factory.SubFactory(CohortFactory, programme=factory.SelfAttribute("..programme"))
    title = factory.Sequence(lambda n: f"Projet {n}")
    lead_organisation = factory.SubFactory(OrganisationFactory)


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    project = factory.SubFactory(ProjectFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = MemberRole.PARTNER
    joined_on = date(2026, 1, 15)
