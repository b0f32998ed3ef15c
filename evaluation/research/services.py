"""Writes of the action-research: the framework (a new version copies the previous one; only the current
version changes), observations with their codings and sources, pilot projects, resources. Team only,
audited; a refusal is a ValidationError with the reason in French."""

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import F, Max
from django.utils.translation import gettext as _

from programme import access
from programme.audit import Edit, audit_log, save_audited
from programme.files import check_upload
from programme.models import Programme, Territory, User
from projects.models import Project

from .models import (
    Coding,
    CodingStatus,
    Condition,
    FrameworkVersion,
    Observation,
    ObservationSource,
    PilotProject,
    Resource,
    ResourceFormat,
)

#: What a source or a resource file may be: documents and images (programme.files' default list).
SOURCE_TYPES = frozenset(
    {
        "application/pdf",
        "image/png",
        "image/jpeg",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.oasis.opendocument.text",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    }
)
#: A video or a podcast, recognised by its content.
VIDEO_TYPES = frozenset({"video/mp4", "video/webm"})
AUDIO_TYPES = frozenset({"audio/mpeg", "audio/ogg", "audio/mp4", "audio/wav"})
#: A resource's file by its format.
RESOURCE_TYPES = {
    ResourceFormat.BOOKLET: SOURCE_TYPES,
    ResourceFormat.SHEET: SOURCE_TYPES,
    ResourceFormat.VIDEO: VIDEO_TYPES,
    ResourceFormat.PODCAST: AUDIO_TYPES,
}
#: The size cap of a video or audio file (MB); documents keep the site's cap (PARCOURS_MAX_UPLOAD_MB).
MEDIA_MAX_MB = 200


def _team(actor: User) -> None:
    if not access.is_team(actor):
        raise PermissionDenied


# --- The framework ----------------------------------------------------------------------------------------


def current_version(programme: Programme) -> FrameworkVersion | None:
    return FrameworkVersion.objects.filter(programme=programme).order_by("-number").first()


@transaction.atomic
def framework_version_create(*, actor: User, programme: Programme, note: str = "") -> FrameworkVersion:
    """A new version: a copy of the current one (conditions, sub-conditions, their keys), which it then
    replaces for new observations; the observations coded against the old one keep it."""
    _team(actor)
    Programme.objects.select_for_update().filter(pk=programme.pk).first()
    previous = current_version(programme)
    number = (previous.number + 1) if previous else 1
    version = FrameworkVersion.objects.create(programme=programme, number=number, note=note, created_by=actor)
    if previous is not None:
        copies: dict[int, Condition] = {}
        top_first = F("parent_id").asc(nulls_first=True)  # PostgreSQL sorts NULL last unless told
        for condition in previous.conditions.order_by(top_first, "position", "pk"):
            # Parents first (top-level conditions have no parent), then their children.
            copies[condition.pk] = Condition.objects.create(
                version=version,
                parent=copies.get(condition.parent_id) if condition.parent_id else None,
                key=condition.key,
                name=condition.name,
                description=condition.description,
                position=condition.position,
            )
    audit_log(
        actor=actor, obj=version, action="framework_version.created", changes={"version": [None, number]}
    )
    return version


def _editable(version: FrameworkVersion) -> None:
    latest = current_version(version.programme)
    if latest is None or latest.pk != version.pk:
        raise ValidationError(
            _(
                "Cette version du cadre n’est plus la version en cours : créez-en une nouvelle pour le modifier."
            )
        )


@transaction.atomic
def condition_save(*, actor: User, edit: Edit[Condition]) -> Condition:
    """Add or change a condition of the current version (a sub-condition has a top-level parent)."""
    _team(actor)
    condition = edit.obj
    _editable(condition.version)
    if condition.parent is not None:
        if condition.parent.version_id != condition.version_id or condition.parent.parent_id is not None:
            raise ValidationError(
                {"parent": [_("Choisissez une condition de premier niveau de cette version.")]}
            )
        if condition.pk is not None and condition.children.exists():
            raise ValidationError(
                {"parent": [_("Cette condition a des sous-conditions : elle reste au premier niveau.")]}
            )
    taken = Condition.objects.filter(version=condition.version, name__iexact=condition.name).exclude(
        pk=condition.pk
    )
    if taken.exists():
        raise ValidationError({"name": [_("Une condition de cette version porte déjà ce nom.")]})
    return save_audited(actor=actor, edit=edit)


# --- Observations ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CodingInput:
    condition: Condition
    status: str
    justification: str


@dataclass(frozen=True)
class SourceInput:
    label: str
    url: str = ""
    file: "UploadedFile[bytes] | None" = None


#: What each allow-list is called in a refusal.
LABELS = {
    SOURCE_TYPES: "PDF, PNG, JPEG, Word, OpenDocument, PowerPoint",
    VIDEO_TYPES: "MP4, WebM",
    AUDIO_TYPES: "MP3, OGG, M4A, WAV",
}


def _attach(
    obj: ObservationSource | Resource,
    upload: "UploadedFile[bytes]",
    accept: frozenset[str],
    max_mb: int | None,
) -> None:
    sniffed, _sha = check_upload(upload, accept=accept, max_mb=max_mb, accepted_label=LABELS[accept])
    obj.extension = sniffed.extension
    obj.content_type = sniffed.content_type
    obj.original_name = (upload.name or "fichier")[:255]
    obj.size = upload.size
    obj.file.save(f"x{sniffed.extension}", upload, save=False)


@transaction.atomic
def observation_create(
    *,
    actor: User,
    territory: Territory,
    project: Project | None,
    observed_on: date,
    text: str,
    version: FrameworkVersion,
    codings: list[CodingInput],
    sources: list[SourceInput] | None = None,
) -> Observation:
    """Record an observation coded against `version` (the current one): each coding says présente /
    émergente / absente and why."""
    _team(actor)
    errors: dict[str, list[str]] = {}
    if not text.strip():
        errors["text"] = [_("Décrivez ce qui a été observé.")]
    latest = current_version(version.programme)
    if latest is None or latest.pk != version.pk:
        errors["__all__"] = [
            _("Le cadre d’action a changé entre-temps : rechargez la page et codez de nouveau.")
        ]
    if project is not None and project.territory_id != territory.pk:
        errors["project"] = [_("Ce projet n’est pas situé sur ce territoire.")]
    for coding in codings:
        if coding.condition.version_id != version.pk:
            errors.setdefault("__all__", []).append(
                _("Une condition codée n’est pas de cette version du cadre.")
            )
        if coding.status not in CodingStatus.values:
            errors.setdefault("__all__", []).append(_("Choisissez présente, émergente ou absente."))
        if not coding.justification.strip():
            errors.setdefault("__all__", []).append(
                _("Justifiez le codage de « %(condition)s ».") % {"condition": coding.condition}
            )
    if errors:
        raise ValidationError(errors)
    observation = Observation.objects.create(
        territory=territory,
        project=project,
        observed_on=observed_on,
        author=actor,
        text=text.strip(),
        version=version,
    )
    Coding.objects.bulk_create(
        Coding(
            observation=observation,
            condition=c.condition,
            status=c.status,
            justification=c.justification.strip(),
        )
        for c in codings
    )
    for source in sources or []:
        source_add(actor=actor, observation=observation, source=source)
    audit_log(
        actor=actor,
        obj=observation,
        action="observation.created",
        changes={
            "codages": [None, ", ".join(f"{c.condition} : {CodingStatus(c.status).label}" for c in codings)]
        },
    )
    return observation


@transaction.atomic
def source_add(*, actor: User, observation: Observation, source: SourceInput) -> ObservationSource:
    _team(actor)
    if not source.label.strip():
        raise ValidationError({"label": [_("Nommez la source.")]})
    if bool(source.url) == bool(source.file):
        raise ValidationError({"url": [_("Donnez un lien ou un fichier (l’un des deux).")]})
    row = ObservationSource(observation=observation, label=source.label.strip(), url=source.url)
    if source.file is not None:
        _attach(row, source.file, SOURCE_TYPES, None)
    row.save()
    audit_log(
        actor=actor, obj=observation, action="observation.updated", changes={"sources": [None, row.label]}
    )
    return row


# --- Pilot projects ----------------------------------------------------------------------------------------


@transaction.atomic
def pilot_project_set(*, actor: User, territory: Territory, project: Project, pilot: bool) -> None:
    _team(actor)
    if project.territory_id != territory.pk:
        raise ValidationError(_("Ce projet n’est pas situé sur ce territoire."))
    existing = PilotProject.objects.filter(territory=territory, project=project)
    if pilot and not existing.exists():
        PilotProject.objects.create(territory=territory, project=project)
        audit_log(
            actor=actor, obj=territory, action="territory.updated", changes={"pilote": [None, str(project)]}
        )
    elif not pilot and existing.exists():
        existing.delete()
        audit_log(
            actor=actor, obj=territory, action="territory.updated", changes={"pilote": [str(project), None]}
        )


# --- Resources ---------------------------------------------------------------------------------------------


@transaction.atomic
def resource_save(
    *, actor: User, edit: Edit[Resource], upload: "UploadedFile[bytes] | None" = None
) -> Resource:
    """Save a resource: a file (documents for livrets and fiches, video or audio by content type for
    vidéos and podcasts, within MEDIA_MAX_MB) or a link; a « lien » is a link only."""
    _team(actor)
    resource = edit.obj
    if resource.format == ResourceFormat.LINK and upload is not None:
        raise ValidationError(
            {"file": [_("Une ressource « lien » n’a pas de fichier : donnez son adresse.")]}
        )
    if upload is not None:
        media = resource.format in (ResourceFormat.VIDEO, ResourceFormat.PODCAST)
        try:
            _attach(
                resource,
                upload,
                RESOURCE_TYPES[ResourceFormat(resource.format)],
                MEDIA_MAX_MB if media else None,
            )
        except ValidationError as error:
            raise ValidationError({"file": error.messages}) from error
        edit.changes["file"] = [None, resource.original_name]
    if not resource.url and not resource.file:
        raise ValidationError({"url": [_("Donnez un lien ou déposez un fichier.")]})
    if (
        resource.project is not None
        and resource.territory is not None
        and resource.project.territory_id != resource.territory.pk
    ):
        raise ValidationError({"project": [_("Ce projet n’est pas situé sur ce territoire.")]})
    return save_audited(actor=actor, edit=edit, on_create={"created_by": actor})


def next_position(version: FrameworkVersion) -> int:
    return (version.conditions.aggregate(m=Max("position"))["m"] or 0) + 1
