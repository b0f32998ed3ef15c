"""E-mails as subject/text/html templates, rendered in the recipient's language."""

import smtplib
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation

#: The Celery options of a task that sends e-mail: acknowledged once done, retried on an SMTP or network
#: error (backoff from a minute, five tries at most).
MAIL_TASK: dict[str, Any] = {
    "acks_late": True,
    "autoretry_for": (smtplib.SMTPException, OSError),
    "retry_backoff": 60,
    "max_retries": 5,
}
#: A notification's e-mail: the same, bounded in time, its result not kept.
NOTIFY_TASK: dict[str, Any] = {**MAIL_TASK, "soft_time_limit": 60, "time_limit": 90, "ignore_result": True}


def send_template_mail(
    *, template: str, to: list[str], context: dict[str, Any], language: str | None = None
) -> int:
    """Render `<template>_subject.txt`, `.txt` and `.html` and send them. Returns 1 when sent.

    Written in `language`, else in the language of the account the e-mail is for (`context["user"]`,
    `User.language`), else in French."""
    if language is None:
        language = getattr(context.get("user"), "language", None) or None
    context = {"site_url": settings.SITE_URL, **context}
    with translation.override(language or settings.LANGUAGE_CODE):
        subject = render_to_string(f"{template}_subject.txt", context).strip()
        subject = " ".join(subject.splitlines())
        text = render_to_string(f"{template}.txt", context)
        html = render_to_string(f"{template}.html", {**context, "subject": subject})  # its <title>
    message = EmailMultiAlternatives(
        subject=settings.ACCOUNT_EMAIL_SUBJECT_PREFIX + subject, body=text, to=to
    )
    message.attach_alternative(html, "text/html")
    return message.send()
