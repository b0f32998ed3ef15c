"""Two collectives, each with one of everything the apps hold: built with the apps' own services where a
write has rules (files, measurements), with the ORM elsewhere. Every title carries `SECRET-<side>` so a
leak is visible in any body."""

from dataclasses import dataclass, field
from datetime import date, time, timedelta

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from evaluation import services as evaluation_services
from evaluation.models import (
    EvaluationCriterion,
    EvaluationQuestion,
    Indicator,
    IndicatorTarget,
    Lesson,
    MaturityAssessment,
    ProjectIndicator,
    Report,
)
from programme.models import Invitation, Territory
from projects import services as project_services
from projects.conversations.services import comment_post
from projects.models import (
    Action,
    AdvocacyAction,
    Committee,
    CommitteeDecision,
    Deliverable,
    DeploymentSite,
    Dissemination,
    Membership,
    Milestone,
    Phase,
    PhasePeriod,
    PhaseTemplate,
    Stakeholder,
    Workshop,
    WorkshopItem,
)
from prospects.models import (
    Event,
    EventAttachment,
    EventPartner,
    Exchange,
    Interview,
    Prospect,
    Registration,
    ScoringGrid,
    Sequence,
    TrainingModule,
)
from prospects.sirene.models import SavedSearch
from tests.projects.funding.factories import funding_side

PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"


def pdf(name: str = "livrable.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


@dataclass
class Side:
    """One collective's objects, by the short names the isolation test maps URL kwargs to."""

    marker: str
    objects: dict = field(default_factory=dict)

    def __getattr__(self, name):
        try:
            return self.__dict__["objects"][name]
        except KeyError:
            raise AttributeError(name) from None


def build_side(world, side: str) -> Side:
    """Everything of collective `side` ("A" or "B"), each text marked SECRET-<side>."""
    s = Side(marker=f"SECRET-{side}")
    m = s.marker
    low = side.lower()
    project = getattr(world, f"project_{low}")
    org = getattr(world, f"org_{low}")
    person = getattr(world, f"person_{low}")
    partner = getattr(world, f"partner_{low}")
    staff = world.staff
    today = timezone.localdate()
    project.phase = Phase.EMERGENCE
    project.problem = f"Problème {m}"
    project.save()
    project.staff_leads.add(staff)
    o = s.objects
    o.update(project=project, organisation=org, person=person, partner=partner, cohort=world.cohort)
    o["membership"] = Membership.objects.get(project=project, organisation=org)
    # A phase template of the programme (team only; projects/phasetemplates): one version per side.
    deployment = PhaseTemplate.objects.filter(programme=world.programme, phase=Phase.DEPLOYMENT)
    o["phase_template"] = PhaseTemplate.objects.create(
        programme=world.programme, phase=Phase.DEPLOYMENT, version=deployment.count() + 1
    )
    o["period"] = PhasePeriod.objects.create(
        project=project,
        phase=Phase.EMERGENCE,
        planned_start=today - timedelta(days=120),
        planned_end=today + timedelta(days=180),
        actual_start=today - timedelta(days=120),
    )
    o["stakeholder"] = Stakeholder.objects.create(
        project=project, name=f"Acteur {m}", notes=f"Note interne {m}"
    )
    o["workshop"] = Workshop.objects.create(
        project=project,
        title=f"Atelier partagé {m}",
        step="needs",
        starts_at=timezone.now() - timedelta(days=10),
        minutes=f"Compte-rendu partagé {m}",
        shared_with_collective=True,
    )
    o["internal_workshop"] = Workshop.objects.create(
        project=project,
        title=f"Atelier interne {m}",
        step="ideation",
        starts_at=timezone.now() - timedelta(days=5),
        minutes=f"Notes internes {m}",
        shared_with_collective=False,
    )
    o["design_item"] = WorkshopItem.objects.create(
        project=project, workshop=o["workshop"], kind="need", title=f"Besoin {m}"
    )
    o["committee"] = Committee.objects.create(
        project=project,
        kind="copil",
        date=today - timedelta(days=20),
        minutes=f"CR COPIL {m}",
        shared_with_collective=True,
    )
    o["committee_decision"] = CommitteeDecision.objects.create(
        committee=o["committee"], text=f"Décision partagée {m}"
    )
    o["internal_committee"] = Committee.objects.create(
        project=project, kind="cotech", date=today - timedelta(days=15), shared_with_collective=False
    )
    o["internal_decision"] = CommitteeDecision.objects.create(
        committee=o["internal_committee"], text=f"Décision interne {m}"
    )
    o["action"] = Action.objects.create(
        project=project,
        committee=o["committee"],
        title=f"Action du partenaire {m}",
        owner_person=person,
        due_date=today + timedelta(days=7),
    )
    o["staff_action"] = Action.objects.create(
        project=project, title=f"Action de l'équipe {m}", owner_user=staff, due_date=today + timedelta(days=8)
    )
    territory, _ = Territory.objects.get_or_create(name=f"Territoire {side}")
    o.update(territory_side(world, territory, project, org, person, partner, m))
    o["site"] = DeploymentSite.objects.create(project=project, territory=territory, notes=f"Site {m}")
    o["dissemination"] = Dissemination.objects.create(
        project=project, date=today, what=f"Diffusion {m}", audience="élus"
    )
    o["advocacy"] = AdvocacyAction.objects.create(project=project, target=f"Plaidoyer {m}", date=today)
    o["milestone"] = Milestone.objects.create(
        project=project, title=f"Jalon {m}", due_date=today + timedelta(days=30)
    )
    o["deliverable"] = Deliverable.objects.create(
        project=project,
        milestone=o["milestone"],
        title=f"Livrable de la structure {m}",
        due_date=today + timedelta(days=14),
        owner_organisation=org,
    )
    o["staff_deliverable"] = Deliverable.objects.create(
        project=project,
        title=f"Livrable de l'équipe {m}",
        due_date=today + timedelta(days=20),
        owner_user=staff,
    )
    o["deliverable_version"] = project_services.deliverable_upload(
        actor=staff, deliverable=o["deliverable"], file=pdf(f"livrable-{m}.pdf"), comment=f"Version {m}"
    )
    o["document_version"] = project_services.document_upload(
        actor=staff,
        project=project,
        file=pdf(f"doc-{m}.pdf"),
        title=f"Document partagé {m}",
        shared_with_collective=True,
    )
    o["document"] = o["document_version"].document
    o["internal_document_version"] = project_services.document_upload(
        actor=staff,
        project=project,
        file=pdf(f"interne-{m}.pdf"),
        title=f"Document interne {m}",
        shared_with_collective=False,
    )
    o["internal_document"] = o["internal_document_version"].document
    # Evaluation: the collective reports one indicator, the team another.
    o["indicator"] = Indicator.objects.create(
        code=f"ind-{low}", name=f"Indicateur {m}", type="count", periodicity="quarterly"
    )
    o["staff_indicator"] = Indicator.objects.create(
        code=f"ind-staff-{low}", name=f"Indicateur équipe {m}", type="count"
    )
    o["question"] = EvaluationQuestion.objects.create(project=project, text=f"Question {m}")
    o["criterion"] = EvaluationCriterion.objects.create(question=o["question"], text=f"Critère {m}")
    o["project_indicator"] = ProjectIndicator.objects.create(
        project=project, indicator=o["indicator"], criterion=o["criterion"], reporter="partner"
    )
    o["staff_project_indicator"] = ProjectIndicator.objects.create(
        project=project, indicator=o["staff_indicator"], reporter="staff"
    )
    o["target"] = IndicatorTarget.objects.create(
        project_indicator=o["project_indicator"], period_end=date(today.year, 12, 31), value=10
    )
    quarter_start = date(today.year, ((today.month - 1) // 3) * 3 + 1, 1) - timedelta(days=1)
    previous_q_end = quarter_start
    previous_q_start = date(previous_q_end.year, ((previous_q_end.month - 1) // 3) * 3 + 1, 1)
    o["measurement"] = evaluation_services.measurement_record(
        actor=partner,
        project_indicator=o["project_indicator"],
        period_start=previous_q_start,
        period_end=previous_q_end,
        value=7,
        source=f"Source {m}",
        evidence=pdf(f"preuve-{m}.pdf"),
    )
    o["staff_measurement"] = evaluation_services.measurement_record(
        actor=staff,
        project_indicator=o["staff_project_indicator"],
        period_start=previous_q_start,
        period_end=previous_q_end,
        value=3,
        source=f"Source équipe {m}",
    )
    o["maturity"] = MaturityAssessment.objects.create(
        project=project, phase=Phase.EMERGENCE, moment="start", assessed_on=today, assessed_by=staff
    )
    o["lesson"] = Lesson.objects.create(
        programme=world.programme,
        title=f"Enseignement {m}",
        body=f"Corps {m}",
        kind=Lesson._meta.get_field("kind").choices[0][0],
    )
    o["lesson"].projects.add(project)
    o["report"] = Report.objects.create(
        kind="funder",
        programme=world.programme,
        project=project,
        dedupe_key=f"report-{low}",
        title=f"Rapport financeur {m}",
        status="done",
        shared_with_partners=True,
    )
    o["report"].file.save(f"rapport-{low}.pdf", ContentFile(PDF), save=True)
    o["report"].docx.save(f"rapport-{low}.docx", ContentFile(b"PK\x05\x06" + b"\x00" * 18), save=True)
    # A draft funder report with its written text (#19): the team's, even on the collective's project.
    o["draft_report"] = Report.objects.create(
        kind="funder",
        programme=world.programme,
        project=project,
        dedupe_key=f"draft-report-{low}",
        title=f"Brouillon {m}",
        status="done",
        stage="draft",
    )
    o["draft_report"].texts.create(version=1, introduction=f"Introduction {m}", written_by=staff)
    # Prospects (never visible to partners) and the selection.
    o["prospect"] = Prospect.objects.create(
        programme=world.programme, organisation=org, cohort=world.cohort, project_idea=f"Idée {m}"
    )
    o["event"] = Event.objects.create(programme=world.programme, name=f"Événement {m}", date=today)
    # Its agenda, a co-organiser, the collective's contact invited and present, a module, a file (#20).
    o["event_sequence"] = Sequence.objects.create(
        event=o["event"], title=f"Plénière {m}", day=today, start_time=time(9), end_time=time(10)
    )
    o["event_partner"] = EventPartner.objects.create(event=o["event"], organisation=org)
    o["registration"] = Registration.objects.create(event=o["event"], person=person, status="present")
    o["training_module"] = TrainingModule.objects.create(programme=world.programme, title=f"Module {m}")
    o["event_attachment"] = EventAttachment(
        event=o["event"],
        original_name=f"cr-{low}.pdf",
        extension=".pdf",
        content_type="application/pdf",
        size=4,
    )
    o["event_attachment"].file.save(f"cr-{low}.pdf", ContentFile(PDF), save=True)
    grid = ScoringGrid.objects.filter(programme=world.programme).first() or ScoringGrid.objects.create(
        programme=world.programme, version=1
    )
    o["interview"] = Interview.objects.create(prospect=o["prospect"], grid=grid, scheduled_at=timezone.now())
    o["invitation"] = Invitation.objects.create(
        email=f"invite-{low}@test.fr",
        role="partner",
        organisation=org,
        token_hash=f"hash-{low}",
        expires_at=timezone.now() + timedelta(days=3),
    )
    # Exchanges with the structure (#15): one shared with it, tied to the project, one internal.
    o["exchange"] = Exchange.objects.create(
        organisation=org,
        contact=person,
        kind="meeting",
        date=today,
        subject=f"Rendez-vous partagé {m}",
        summary=f"Échange partagé {m}",
        next_action=f"Relancer {m}",
        shared=True,
    )
    project.exchanges.add(o["exchange"])
    o["internal_exchange"] = Exchange.objects.create(
        organisation=org, prospect=o["prospect"], kind="call", date=today, summary=f"Échange interne {m}"
    )
    # Money, shared with the collective (projects/funding).
    o.update(funding_side(staff, project, m))
    # Conversations: a message shared with the collective and a team's internal note, on the deliverable.
    o["comment"] = comment_post(
        actor=staff, project=project, target=o["deliverable"], body=f"Message au collectif {m}"
    )
    o["internal_note"] = comment_post(
        actor=staff, project=project, target=o["deliverable"], body=f"Note interne {m}", internal=True
    )
    # E-mail from the record (projects/mailing): a template and a message to B's contact (team only).
    o.update(mailing_side(staff, person, m))
    # Findings, dossier and kit shared with the collective (evaluation/judgement).
    from tests.evaluation.judgement_helpers import judgement_side

    o.update(judgement_side(world, staff, project, o, m))
    # Calls for applications (prospects/calls) and the register's saved search (prospects/sirene): team only.
    o.update(calls_side(world, m))
    o["saved_search"] = SavedSearch.objects.create(
        territory=territory, query="departement=69", created_by=staff
    )
    return s


def territory_side(world, territory, project, org, person, partner, m: str) -> dict:
    """The collective's own territory (programme/territories, evaluation/research): a démarche stage, the
    structure as local partner, its contact as referent, read access for its partner only, the project on
    it; an observation with a file source coded on the programme's framework, a published resource with a
    file. Stages and the framework are the programme's (no marker); what is the territory's carries it."""
    from evaluation.research.models import Condition, FrameworkVersion
    from programme.models import Stage, TerritoryGrant, TerritoryPartner
    from tests.evaluation.research_helpers import filed_observation, published_resource

    stage = Stage.objects.create(
        programme=world.programme, name=f"Étape {m[-1]}", position=Stage.objects.count()
    )
    territory.kind = "pilot"
    territory.programme = world.programme
    territory.stage = stage
    territory.save()
    territory.referents.add(person)
    project.territory = territory
    project.save(update_fields=["territory"])
    partner_link = TerritoryPartner.objects.create(
        territory=territory, organisation=org, role="association", note=f"Partenaire local {m}"
    )
    grant = TerritoryGrant.objects.create(territory=territory, user=partner, granted_by=world.director)
    version, _ = FrameworkVersion.objects.get_or_create(
        programme=world.programme, number=1, defaults={"created_by": world.staff}
    )
    condition = Condition.objects.create(
        version=version, name=f"Condition {m[-1]}", position=Condition.objects.count()
    )
    observation, source = filed_observation(
        world,
        territory,
        version,
        condition,
        on=timezone.localdate(),
        text=f"Observation {m}",
        justification=f"Vu {m}",
        label=f"CR {m}",
        pdf=PDF,
    )
    resource = published_resource(world, territory, title=f"Livret {m}", pdf=PDF)
    return {
        "territory": territory,
        "stage": stage,
        "territory_partner": partner_link,
        "territory_grant": grant,
        "framework_version": version,
        "condition": condition,
        "observation": observation,
        "observation_source": source,
        "resource": resource,
    }


def calls_side(world, m: str) -> dict:
    """A published call of the cohort with a required question and a file question; a submitted application
    (its structure and prospect made by the service) with a file answer."""
    from prospects.calls.models import Answer, Question, QuestionKind
    from tests.prospects.calls_factories import CallFactory, submitted_for

    call = CallFactory(programme=world.programme, cohort=world.cohort, title=f"Appel {m}", text=f"Texte {m}")
    Question.objects.create(
        call=call, position=1, label=f"Territoire {m}", kind=QuestionKind.SHORT, required=True
    )
    file_question = Question.objects.create(call=call, position=2, label="Statuts", kind=QuestionKind.FILE)
    application = submitted_for(
        call,
        email=f"candidat-{m.lower()}@test.fr",
        organisation_name=f"Candidat {m}",
        project_idea=f"Projet candidat {m}",
    )
    answer = Answer(
        application=application, question=file_question, file_name="statuts.pdf", file_type="application/pdf"
    )
    answer.file.save("statuts.pdf", ContentFile(PDF), save=True)
    return {
        "call": call,
        "application": application,
        "call_answer": answer,
        "application_prospect": application.prospect,
    }


def mailing_side(staff, person, m: str) -> dict:
    from programme.audit import Edit
    from projects.mailing import services
    from projects.mailing.models import EmailTemplate
    from tests.projects.factories import pdf_file

    template = services.email_template_save(
        actor=staff,
        edit=Edit(obj=EmailTemplate(name=f"Modèle {m}", subject_fr=f"Objet {m}", body_fr=f"Texte {m}")),
        attachment=pdf_file(),
    )
    email = services.email_send(
        actor=staff, person=person, draft=services.Draft(subject=f"Objet {m}", body=f"Texte {m}")
    )
    return {"email_template": template, "outgoing_email": email}
