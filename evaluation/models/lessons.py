"""Lessons learned (capitalisation): what the programme learns, gathered by theme for the essaimage kit."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from programme.access import ThroughProject
from projects.models import Phase


class LessonKind(models.TextChoices):
    GOOD_PRACTICE = "good_practice", _("Bonne pratique")
    DIFFICULTY = "difficulty", _("Difficulté")
    RECOMMENDATION = "recommendation", _("Recommandation")


class Lesson(models.Model):
    programme = models.ForeignKey(
        "programme.Programme", verbose_name=_("programme"), on_delete=models.CASCADE, related_name="lessons"
    )
    title = models.CharField(_("titre"), max_length=200)
    body = models.TextField(_("enseignement"))
    kind = models.CharField(_("nature"), max_length=20, choices=LessonKind.choices)
    phase = models.CharField(_("phase"), max_length=20, choices=Phase.choices, blank=True)
    themes = models.ManyToManyField(
        "programme.Theme", verbose_name=_("thématiques"), blank=True, related_name="+"
    )
    projects = models.ManyToManyField(
        "projects.Project", verbose_name=_("projets"), blank=True, related_name="lessons"
    )
    # The fil rouge: what the lesson comes from — workshop outputs, workshops, committees and findings of
    # its projects (evaluation.filrouge.services checks it).
    outputs = models.ManyToManyField(
        "projects.WorkshopItem", verbose_name=_("productions d’origine"), blank=True, related_name="+"
    )
    workshops = models.ManyToManyField(
        "projects.Workshop", verbose_name=_("ateliers d’origine"), blank=True, related_name="+"
    )
    committees = models.ManyToManyField(
        "projects.Committee", verbose_name=_("comités d’origine"), blank=True, related_name="+"
    )
    findings = models.ManyToManyField(
        "evaluation.Finding", verbose_name=_("constats d’origine"), blank=True, related_name="lessons"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("auteur"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Off: the team's only. On: the collectives of its projects read it in the portal (their fil rouge,
    # their « Constats » page) and a shared essaimage kit lists it (evaluation.judgement.services.lesson_share).
    shared_with_collective = models.BooleanField(_("partagé avec le collectif"), default=False)
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)
    updated_at = models.DateTimeField(_("modifié le"), auto_now=True)

    # Who may read these rows: programme/access.py applies the rule (the team every lesson; a partner the
    # shared lessons of the projects of their collectives).
    access_rule = ThroughProject(path="projects", shared_field="shared_with_collective", distinct=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("enseignement")
        verbose_name_plural = _("enseignements")
        indexes = [models.Index(fields=["kind", "phase"])]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("evaluation:lesson.detail", args=[self.pk])
