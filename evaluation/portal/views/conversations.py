"""The collective's side of the threads (projects.conversations): the portal's pages show the thread of
what they are about, without the team's internal notes; partners post to it here."""

from typing import Any

from django.contrib import messages
from django.db.models import Model
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from programme import access
from programme.access import AuthedRequest
from projects.conversations import registry
from projects.conversations.forms import CommentForm
from projects.conversations.models import Comment
from projects.conversations.views import THREAD_TEMPLATE, post_comment, thread_context
from projects.models import Project


def portal_thread(
    user: Any,
    project: Project,
    target: Model | None,
    form: CommentForm | None = None,
    *,
    comments: list[Comment] | None = None,
) -> dict[str, Any]:
    """The thread's context for a portal page (its form posts to `portal:comment.post`); `comments`: its
    messages when the page read them already (« Mon projet »)."""
    key = registry.key_of(target)
    object_id = target.pk if target is not None else project.pk
    url = reverse("portal:comment.post", args=[key, object_id])
    return thread_context(
        user=user, project=project, target=target, post_url=url, form=form, comments=comments
    )


@access.partner_required
@require_POST
def comment_post(request: AuthedRequest, key: str, object_id: int) -> HttpResponse:
    """A partner's message in a thread of their portal; HTMX gets the thread again."""
    project, target = registry.resolve(request.user, key, object_id)
    form = CommentForm(request.POST, team=False)
    posted = post_comment(request, project=project, target=target, form=form)
    if request.htmx:
        return render(
            request, THREAD_TEMPLATE, portal_thread(request.user, project, target, None if posted else form)
        )
    if posted:
        messages.success(request, _("Message envoyé à l’équipe du programme."))
    else:
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    return redirect(registry.page_url(request.user, target if target is not None else project))
