"""The team's side of the threads: a thread as an HTMX fragment (loaded on the pages that show it) or as
a page of its own, and posting to it. The portal shows the same fragment through `thread_context`."""

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.signals import setting_changed
from django.db.models import Model
from django.dispatch import receiver
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import get_template
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from programme import access
from programme.access import AuthedRequest
from programme.forms import SUBMISSION_TOKEN, new_submission_token
from programme.pages import save_once

from ..models import Project
from ..views.base import render_tab
from . import registry, selectors, services
from .forms import CommentForm
from .models import Comment

THREAD_TEMPLATE = "projects/conversations/_thread.html"
FORM_TEMPLATE = "includes/_form.html"
#: The one-time token of the blank form rendered once (`_form_fields`), replaced by a fresh one per request.
_TOKEN = "0thread0form0token0"
_blank_forms: dict[tuple[str | None, bool], str] = {}


def thread_context(
    *,
    user: Any,
    project: Project,
    target: Model | None,
    post_url: str,
    form: CommentForm | None = None,
    comments: list[Comment] | None = None,
) -> dict[str, Any]:
    """What `projects/conversations/_thread.html` needs, for the team or a partner; `comments`: the thread's
    messages the user may read, oldest first, when the page read them already (`selectors.thread`'s)."""
    team = access.is_team(user)
    key = registry.key_of(target)
    return {
        "thread": {
            "id": f"thread-{key}-{target.pk if target is not None else project.pk}",
            "comments": (
                comments
                if comments is not None
                else selectors.thread(user=user, project=project, target=target)
            ),
            "form_fields": _form_fields(form, team=team),
            "post_url": post_url,
            "team": team,
            "label": registry.TARGETS[key].label,
            "is_project": target is None,
        }
    }


def _form_fields(form: CommentForm | None, *, team: bool) -> SafeString:
    """The form's fields as `includes/_form.html` writes them: the form sent back with its errors, or a blank
    one — rendered by the template once per process, language and side (team or collective), then given a
    fresh one-time submission token on each request (the markup is the template's, byte for byte)."""
    template = get_template(FORM_TEMPLATE)
    if form is not None:
        return mark_safe(template.render({"form": form}))  # noqa: S308 — the template's output
    key = (get_language(), team)
    blank = _blank_forms.get(key)
    if blank is None:
        blank_form = CommentForm(team=team, initial={SUBMISSION_TOKEN: _TOKEN})
        blank = _blank_forms[key] = template.render({"form": blank_form})
    return mark_safe(blank.replace(_TOKEN, new_submission_token()))  # noqa: S308 — the template's output


@receiver(setting_changed)
def _forget(**kwargs: Any) -> None:
    """A test that overrides a setting (templates, languages) gets fresh renders."""
    _blank_forms.clear()


def post_comment(
    request: AuthedRequest, *, project: Project, target: Model | None, form: CommentForm
) -> bool:
    """Post the form's comment through the service; False (the reason on the form) when refused."""
    if not form.is_valid():
        return False
    try:
        comment = save_once(
            form,
            lambda: services.comment_post(
                actor=request.user,
                project=project,
                target=target,
                body=form.cleaned_data["body"],
                internal=bool(form.cleaned_data.get("internal")),
            ),
            refusals_on_form=True,
        )
    except PermissionDenied:
        raise Http404 from None
    return comment is not None


def _thread_url(key: str, object_id: int) -> str:
    from django.urls import reverse

    return reverse("projects:comment.post", args=[key, object_id])


def _render(
    request: AuthedRequest, key: str, object_id: int, project: Project, target: Model | None, **kw: Any
) -> HttpResponse:
    status = kw.pop("status", 200)
    context = thread_context(
        user=request.user, project=project, target=target, post_url=_thread_url(key, object_id), **kw
    )
    if request.htmx:
        return render(request, THREAD_TEMPLATE, context)
    entry = registry.TARGETS[key]
    context |= {
        "target": target,
        "target_title": entry.title(target) if target is not None else project.title,
        "target_label": entry.label,
        "target_key": key,
    }
    response = render_tab(request, project, entry.tab, "projects/conversations/thread_page.html", context)
    response.status_code = status
    return response


@access.team_required
def comment_list(request: AuthedRequest, key: str, object_id: int) -> HttpResponse:
    """A thread: the fragment for HTMX (loaded by the page that shows it), else a page of its own."""
    project, target = registry.resolve(request.user, key, object_id)
    return _render(request, key, object_id, project, target)


@access.team_required
@require_POST
def comment_post(request: AuthedRequest, key: str, object_id: int) -> HttpResponse:
    """Post to a thread; HTMX gets the thread again (with the new comment, or the form and its errors)."""
    project, target = registry.resolve(request.user, key, object_id)
    form = CommentForm(request.POST, team=True)
    if post_comment(request, project=project, target=target, form=form):
        if not request.htmx:
            messages.success(request, _("Message publié."))
            return redirect("projects:comment.list", key, object_id)
        return _render(request, key, object_id, project, target)
    return _render(request, key, object_id, project, target, form=form, status=400)
