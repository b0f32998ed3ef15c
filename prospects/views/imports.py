"""Importing a watch spreadsheet: upload, preview and mapping, confirmation, progress, cancel."""

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from programme import access
from programme.access import AuthedRequest
from programme.pages import posted, save_once

from .. import importing, selectors, services
from ..forms import ImportConfirmForm, ImportMappingForm, ImportUploadForm
from ..models import ImportFile, ImportStatus

# --- Import ------------------------------------------------------------------------------------------------------


@access.team_required
@require_http_methods(["GET", "POST"])
def import_upload(request: AuthedRequest) -> HttpResponse:
    form = ImportUploadForm(
        posted(request),
        request.FILES if request.method == "POST" else None,
    )
    if request.method == "POST" and form.is_valid():
        try:
            import_file = services.import_file_create(
                actor=request.user, programme=form.cleaned_data["programme"], upload=form.cleaned_data["file"]
            )
        except importing.ImportFileError as error:
            form.add_error("file", str(error))
        else:
            return redirect("prospects:import.preview", token=import_file.token)
    return render(
        request,
        "prospects/import_upload.html",
        {
            "title": _("Importer des prospects"),
            "form": form,
            "recent": selectors.imports_recent(request.user),
        },
    )


def _unreadable(request: HttpRequest, error: Exception) -> HttpResponse:
    messages.error(request, _("Le fichier n’est plus lisible (%(error)s) : rechargez-le.") % {"error": error})
    return redirect("prospects:import.upload")


def _mapping_form(import_file: ImportFile, preview: importing.Preview, data=None) -> ImportMappingForm:
    initial = {f"col_{i}": import_file.mapping.get(str(i), "") for i in range(len(preview.headers))}
    return ImportMappingForm(data, headers=preview.headers, initial=initial, prefix="map")


@access.team_required
@require_http_methods(["GET", "POST"])
def import_preview(request: AuthedRequest, token: str) -> HttpResponse:
    import_file = selectors.import_pending(request.user, token)
    try:
        preview = importing.load_preview(import_file)
    except (OSError, importing.ImportFileError) as error:
        return _unreadable(request, error)
    mapping_form = _mapping_form(import_file, preview, posted(request))
    if request.method == "POST" and mapping_form.is_valid():
        services.import_file_map(actor=request.user, import_file=import_file, mapping=mapping_form.mapping())
        return redirect("prospects:import.preview", token=token)
    return render(
        request,
        "prospects/import_preview.html",
        _preview_context(import_file, preview, mapping_form),
    )


def _preview_context(
    import_file: ImportFile,
    preview: importing.Preview,
    mapping_form: ImportMappingForm,
    confirm_form: ImportConfirmForm | None = None,
) -> dict[str, Any]:
    return {
        "import_file": import_file,
        "preview": preview,
        "counts": preview.counts,
        "shown": selectors.import_preview_rows(preview),
        "preview_limit": selectors.PREVIEW_ROWS,
        "mapping_form": mapping_form,
        "confirm_form": confirm_form or ImportConfirmForm(),
    }


@access.team_required
@require_POST
def import_confirm(request: AuthedRequest, token: str) -> HttpResponse:
    """Check the file once more, then queue the import (all or nothing, in the background) and show its
    progress. Refusals (missing columns, invalid rows not explicitly skipped) come back on the preview."""
    import_file = selectors.import_mine(request.user, token)
    if import_file.status != ImportStatus.PENDING:  # confirmed already (a double click): its progress
        return redirect("prospects:import.status", token=token)
    confirm_form = ImportConfirmForm(request.POST)
    try:
        preview = importing.load_preview(import_file)
    except (OSError, importing.ImportFileError) as error:
        return _unreadable(request, error)
    if confirm_form.is_valid():
        try:
            queued = save_once(
                confirm_form,
                lambda: services.import_confirm(
                    actor=request.user,
                    import_file=import_file,
                    skip_invalid=bool(confirm_form.cleaned_data.get("skip_invalid")),
                    preview=preview,
                ),
            )
        except ValidationError as refusal:
            confirm_form.add_error(None, refusal)
        else:
            if queued or not confirm_form.errors:  # queued now, or by the other click a moment ago
                return redirect("prospects:import.status", token=token)
    return render(
        request,
        "prospects/import_preview.html",
        _preview_context(import_file, preview, _mapping_form(import_file, preview), confirm_form),
    )


@access.team_required
def import_status(request: AuthedRequest, token: str) -> HttpResponse:
    """Where a confirmed import stands (the page polls itself with HTMX until it is finished)."""
    import_file = selectors.import_mine(request.user, token)
    if import_file.status == ImportStatus.PENDING:
        return redirect("prospects:import.preview", token=token)
    context = {"import_file": import_file}
    if request.htmx:
        return render(request, "prospects/partials/_import_status.html", context)
    return render(request, "prospects/import_status.html", context)


@access.team_required
@require_POST
def import_cancel(request: AuthedRequest, token: str) -> HttpResponse:
    services.import_cancel(actor=request.user, import_file=selectors.import_pending(request.user, token))
    messages.info(request, _("Import abandonné : rien n’a été enregistré."))
    return redirect("prospects:import.upload")
