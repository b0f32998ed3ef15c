"""What the collective downloads once the team shares a dossier or a kit (#19, item 6), read back: the
text of the dossier's PDF, of the kit's PDF and of every member of the kit's ZIP holds nothing team-only —
no internal note, no lesson or finding the team kept to itself, nothing of another project — and a
partner downloads only their own project's, only once shared. (The Word edition of a shared report is
read back the same way in tests/reports/test_written_reports.py.)"""

import io
import json
import re
import zipfile

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from pypdf import PdfReader

from evaluation.judgement import services
from evaluation.judgement.models import EssaimageKit, GateDossier
from projects.conversations.services import comment_post
from projects.models import DeliverableVersion, Stakeholder
from tests.conftest import client_for
from tests.evaluation import judgement_helpers as h
from tests.evaluation.factories import CriterionFactory, LessonFactory, QuestionFactory
from tests.projects.factories import DeliverableFactory, WorkshopFactory

pytestmark = pytest.mark.django_db

SECRETS = {
    "unshared finding": "CONSTATNONPARTAGE",
    "unshared lesson": "LECONNONPARTAGEE",
    "internal note": "NOTEINTERNESECRETE",
    "stakeholder notes": "NOTESURLELU",
    "workshop minutes": "COMPTERENDUINTERNE",
    "unshared workshop": "ATELIERINTERNESECRET",
    "team deliverable": "LIVRABLEEQUIPESECRET",
    "team deliverable file": "FICHIEREQUIPESECRET",
    "other project's finding": "REPONSEDUPROJETB",
    "other project's deliverable": "LIVRABLEDUPROJETB",
    "other project's lesson": "LECONDUPROJETB",
}
SHARED = {
    "shared finding": "CONSTATPARTAGEA",
    "collective deliverable file": "FICHIERCOLLECTIFA",
    "shared lesson": "LECONPARTAGEEA",
}


def _words(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _pdf_words(content: bytes) -> str:
    return _words(" ".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(content)).pages))


def _download(client, url) -> bytes:
    response = client.get(url)
    assert response.status_code == 200, url
    return b"".join(response.streaming_content)


def _clean(text: str, *, expected: tuple[str, ...]) -> None:
    leaked = [kind for kind, marker in SECRETS.items() if marker in text]
    assert leaked == [], f"team-only records leaked: {leaked}"
    for marker in expected:
        assert marker in text, marker


def _version(deliverable, content: bytes, name: str) -> None:
    version = DeliverableVersion(
        deliverable=deliverable,
        project=deliverable.project,
        number=1,
        original_name=name,
        extension="txt",
        content_type="text/plain",
        size=len(content),
        sha256="0" * 64,
    )
    version.file.save(name, ContentFile(content), save=True)


@pytest.fixture
def judged(world):
    """Project A judged: one finding shared, one kept by the team, « Essaimer » shared; around it, every
    kind of team-only record, and project B's own judgement."""
    a = world.project_a
    shared = h.finding(world, answer=f"Réponse partagée {SHARED['shared finding']}.")
    services.finding_share(actor=world.staff, finding=shared, shared=True)
    question = QuestionFactory(project=a, text="Le modèle économique tient-il ?")
    criterion = CriterionFactory(question=question, text="Recettes propres")
    hidden = services.finding_save(
        actor=world.staff,
        question=question,
        answer=f"Réponse interne {SECRETS['unshared finding']}.",
        levels={criterion.pk: ("not_met", "Pas encore.")},
    )
    services.recommendation_save(
        actor=world.staff,
        project=a,
        phase="experimentation",
        verdict="spread",
        argument="Trois communes le demandent.",
        shared=True,
    )
    lesson = LessonFactory(programme=world.programme, title=SECRETS["unshared lesson"])
    lesson.projects.add(a)
    lesson.findings.add(shared, hidden)
    open_lesson = LessonFactory(
        programme=world.programme, title="Ce que le collectif retient", body=SHARED["shared lesson"]
    )
    open_lesson.projects.add(a)
    services.lesson_share(actor=world.staff, lesson=open_lesson, shared=True)
    # Shared, but of project B only: not project A's kit.
    other = LessonFactory(programme=world.programme, title=SECRETS["other project's lesson"])
    other.projects.add(world.project_b)
    services.lesson_share(actor=world.staff, lesson=other, shared=True)
    collective = DeliverableFactory(project=a, title="Guide d’accueil", owner_organisation=world.org_a)
    _version(collective, f"Guide {SHARED['collective deliverable file']}".encode(), "guide.txt")
    team = DeliverableFactory(project=a, title=SECRETS["team deliverable"], owner_user=world.staff)
    _version(team, SECRETS["team deliverable file"].encode(), "equipe.txt")
    comment_post(
        actor=world.staff, project=a, target=collective, body=SECRETS["internal note"], internal=True
    )
    Stakeholder.objects.create(project=a, name="Élu", notes=SECRETS["stakeholder notes"])
    WorkshopFactory(project=a, title=SECRETS["unshared workshop"], shared_with_collective=False)
    WorkshopFactory(project=a, title="Atelier ouvert", minutes=SECRETS["workshop minutes"])
    h.finding(world, world.project_b, answer=SECRETS["other project's finding"])
    DeliverableFactory(project=world.project_b, title=SECRETS["other project's deliverable"])
    world.hidden_finding = hidden
    return world


def test_a_shared_kit_holds_only_what_the_collective_may_read_in_its_pdf_and_every_zip_member(
    judged, django_capture_on_commit_callbacks
):
    world = judged
    with django_capture_on_commit_callbacks(execute=True):
        kit = services.kit_generate(actor=world.staff, project=world.project_a)
    kit.refresh_from_db()
    assert kit.status == "done", kit.error
    pdf_url = reverse("evaluation:judgement.kit.download", args=[kit.pk, "pdf"])
    zip_url = reverse("evaluation:judgement.kit.download", args=[kit.pk, "zip"])
    partner = client_for(world.partner_a)
    assert partner.get(pdf_url).status_code == 404  # not shared yet
    response = client_for(world.staff).post(
        reverse("evaluation:judgement.kit.share", args=[kit.pk]), {"shared": "1"}
    )
    assert response.status_code == 302
    assert client_for(world.partner_b).get(pdf_url).status_code == 404  # another collective: never
    portal = partner.get(reverse("portal:judgement.findings", args=[world.project_a.pk])).content.decode()
    assert pdf_url in portal and zip_url in portal

    _clean(
        _pdf_words(_download(partner, pdf_url)),
        expected=(SHARED["shared finding"], "Essaimer", SHARED["shared lesson"]),
    )
    archive = zipfile.ZipFile(io.BytesIO(_download(partner, zip_url)))
    members = archive.namelist()
    assert f"kit-essaimage-v{kit.version}.pdf" in members and "donnees.json" in members
    texts = []
    for name in members:
        content = archive.read(name)
        texts.append(_pdf_words(content) if name.endswith(".pdf") else _words(content.decode()))
    _clean(
        " ".join(texts),
        expected=(SHARED["shared finding"], SHARED["collective deliverable file"], SHARED["shared lesson"]),
    )
    json.loads(archive.read("donnees.json"))  # the figures, readable by a machine

    # Unshared again: the collective loses it.
    client_for(world.staff).post(reverse("evaluation:judgement.kit.share", args=[kit.pk]), {"shared": "0"})
    assert partner.get(pdf_url).status_code == 404
    assert not EssaimageKit.objects.get(pk=kit.pk).shared_with_collective


def test_a_dossier_holding_an_unshared_finding_is_not_shared_and_once_shared_holds_nothing_team_only(
    judged, django_capture_on_commit_callbacks
):
    world = judged
    dossier = h.dossier(world, django_capture_on_commit_callbacks)
    assert dossier.status == "done"
    share = reverse("evaluation:judgement.dossier.share", args=[dossier.pk])
    url = reverse("evaluation:judgement.dossier.download", args=[dossier.pk])
    page = client_for(world.staff).post(share, {"shared": "1"}, follow=True).content.decode()
    assert "Ce document contient ce que l’équipe n’a pas partagé avec le collectif" in page
    assert "Le modèle économique tient-il" in page  # the finding to share first, named
    assert not GateDossier.objects.get(pk=dossier.pk).shared_with_collective
    assert client_for(world.partner_a).get(url).status_code == 404

    services.finding_share(actor=world.staff, finding=world.hidden_finding, shared=True)
    SECRETS.pop("unshared finding")  # shared now: the collective reads it in the portal too
    try:
        assert client_for(world.staff).post(share, {"shared": "1"}).status_code == 302
        assert GateDossier.objects.get(pk=dossier.pk).shared_with_collective
        text = _pdf_words(_download(client_for(world.partner_a), url))
        _clean(text, expected=(SHARED["shared finding"],))
        assert client_for(world.partner_b).get(url).status_code == 404
    finally:
        SECRETS["unshared finding"] = "CONSTATNONPARTAGE"
