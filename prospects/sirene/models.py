"""The SIRENE register imported locally: the legal units and establishments the programme targets, the
record of each import, and the saved radar searches. Models of the prospects app (app label `prospects`),
re-imported at the bottom of prospects/models.py.

`RegisterUnit` and `RegisterEstablishment` are replaced as a whole by each import: the rows are loaded into
a shadow table swapped in at the end (prospects/sirene/loader.py), so these tables are never written row
by row and carry no foreign key (the swap would break it). Their indexes are built by the loader on the
shadow table, named after the import (`loader.UNIT_INDEXES`, `loader.ESTABLISHMENT_INDEXES`): an index
declared here would clash with the next import's shadow."""

import hashlib
import re
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from programme.access import TeamOnly

from .columns import GROUP_LABELS, HEADCOUNT_BANDS, category_group

_SMALL_WORDS = {
    "en",
    "le",
    "la",
    "les",
    "de",
    "du",
    "des",
    "sur",
    "sous",
    "lès",
    "lez",
    "et",
    "aux",
    "au",
    "d",
    "l",
}


def commune_name(upper: str) -> str:
    """A commune written in capitals by the register, as people write it (« Saint-Genis-les-Ollières »)."""
    words = re.split(r"([ \-'])", upper.lower())
    return "".join(
        w if (w in _SMALL_WORDS and i > 0) or w in " -'" else w[:1].upper() + w[1:]
        for i, w in enumerate(words)
    )


#: How long a radar count stays in the cache (its key changes with each import anyway).
COUNT_CACHE_SECONDS = 24 * 3600


class RegisterFile(models.TextChoices):
    UNITS = "units", _("Unités légales")
    ESTABLISHMENTS = "establishments", _("Établissements")


class RegisterImportStatus(models.TextChoices):
    QUEUED = "queued", _("En file d’attente")
    RUNNING = "running", _("Import en cours")
    DONE = "done", _("Importé")
    FAILED = "failed", _("Échec : rien n’a changé")


class RegisterImport(models.Model):
    """One import of a stock file: what was read, what was kept, how long it took, how it ended."""

    kind = models.CharField(_("fichier"), max_length=20, choices=RegisterFile.choices)
    path = models.CharField(_("chemin"), max_length=500)
    file_name = models.CharField(_("nom du fichier"), max_length=255)
    size = models.BigIntegerField(_("taille (octets)"), default=0)
    sha256 = models.CharField(_("empreinte SHA-256"), max_length=64, blank=True)
    status = models.CharField(
        _("statut"), max_length=10, choices=RegisterImportStatus.choices, default=RegisterImportStatus.QUEUED
    )
    progress = models.PositiveSmallIntegerField(_("avancement (%)"), default=0)
    rows_read = models.PositiveIntegerField(_("lignes lues"), default=0)
    rows_kept = models.PositiveIntegerField(_("lignes gardées"), default=0)
    duration = models.FloatField(_("durée (secondes)"), null=True, blank=True)
    error = models.TextField(_("erreur"), blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("demandé par"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("demandé le"), auto_now_add=True)
    started_at = models.DateTimeField(_("commencé le"), null=True, blank=True)
    finished_at = models.DateTimeField(_("terminé le"), null=True, blank=True)

    # Who may read these rows: programme/access.py applies the rule.
    access_rule = TeamOnly()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("import du répertoire SIRENE")
        verbose_name_plural = _("imports du répertoire SIRENE")

    def __str__(self) -> str:
        return self.file_name


class UnitQuerySet(models.QuerySet["RegisterUnit"]):
    """`after_fetch(callback)`: the rows, once fetched, are handed to `callback` (the radar marks those
    already structures or prospects, in two queries for the page, whatever pagination sliced)."""

    _after_fetch: Callable[[list["RegisterUnit"]], object] | None = None
    _count_cap: int | None = None
    _count_version: str | None = None

    def after_fetch(self, callback: Callable[[list["RegisterUnit"]], object]) -> "UnitQuerySet":
        clone = self._chain()  # type: ignore[attr-defined]
        clone._after_fetch = callback
        return clone

    def count_capped(self, cap: int, *, version: str | None = None) -> "UnitQuerySet":
        """`count()` stops at `cap`: counting 300,000 matches to print their number costs more than the
        page itself; past the cap the page says « au moins » and asks for narrower filters.

        With `version` (the register's, which changes with each import: `selectors.register_version`) the
        count is kept in the cache under the query's SQL: the register's rows change only when an import
        swaps the table, so the next pages, the same filters again or the home panel's link pay for one
        count per import, not one per request."""
        clone = self._chain()  # type: ignore[attr-defined]
        clone._count_cap = cap
        clone._count_version = version
        return clone

    def count(self) -> int:
        if self._count_cap is None or self._result_cache is not None:
            return super().count()
        capped = self.order_by()[: self._count_cap]
        if self._count_version is None:
            return super(UnitQuerySet, capped).count()
        sql, params = capped.query.sql_with_params()
        digest = hashlib.sha256(f"{sql}|{params!r}".encode()).hexdigest()[:32]
        key = f"sirene:count:{self._count_version}:{digest}"
        found = cache.get(key)
        if isinstance(found, int):
            return found
        counted = super(UnitQuerySet, capped).count()
        cache.set(key, counted, timeout=COUNT_CACHE_SECONDS)
        return counted

    def _clone(self) -> "UnitQuerySet":
        clone = super()._clone()  # type: ignore[misc]
        clone._after_fetch = self._after_fetch
        clone._count_cap = self._count_cap
        clone._count_version = self._count_version
        return clone

    def _fetch_all(self) -> None:
        fresh = self._result_cache is None
        super()._fetch_all()
        if fresh and self._after_fetch is not None and self._result_cache:
            self._after_fetch([row for row in self._result_cache if isinstance(row, RegisterUnit)])


class RegisterUnit(models.Model):
    """A legal unit (unité légale, one SIREN) the programme targets, with the address of its head office
    (siège) when the establishments file has it."""

    siren = models.CharField(_("SIREN"), max_length=9, primary_key=True)
    name = models.CharField(_("dénomination"), max_length=255)
    acronym = models.CharField(_("sigle"), max_length=60, blank=True)
    legal_category = models.CharField(_("catégorie juridique"), max_length=4)
    naf = models.CharField(_("activité principale (NAF)"), max_length=6, blank=True)
    headcount_band = models.CharField(_("tranche d’effectif"), max_length=2, blank=True)
    ess = models.BooleanField(_("ESS"), default=False)
    active = models.BooleanField(_("active"), default=True)
    created_on = models.DateField(_("créée le"), null=True, blank=True)
    rna = models.CharField(_("RNA"), max_length=10, blank=True)
    nic_siege = models.CharField(_("NIC du siège"), max_length=5, blank=True)
    # The head office's address, from the establishments file (blank until it is imported).
    address = models.CharField(_("adresse"), max_length=255, blank=True)
    postcode = models.CharField(_("code postal"), max_length=5, blank=True)
    commune_code = models.CharField(_("code commune"), max_length=5, blank=True)
    commune = models.CharField(_("commune"), max_length=100, blank=True)
    departement = models.CharField(_("département"), max_length=3, blank=True)
    #: The import that first listed this SIREN (an id of RegisterImport, not a foreign key: see above).
    first_import = models.PositiveIntegerField(_("apparue à l’import"), default=0)

    objects = UnitQuerySet.as_manager()

    # Who may read these rows: programme/access.py applies the rule.
    access_rule = TeamOnly()

    class Meta:
        ordering = ["name"]
        verbose_name = _("unité légale du répertoire")
        verbose_name_plural = _("unités légales du répertoire")

    def __str__(self) -> str:
        return self.name

    @property
    def group(self) -> str:
        return category_group(self.legal_category)

    @property
    def group_label(self) -> str:
        return str(GROUP_LABELS.get(self.group, GROUP_LABELS["other"]))

    @property
    def band_label(self) -> str:
        return str(HEADCOUNT_BANDS.get(self.headcount_band, "")) if self.headcount_band else ""

    @property
    def commune_name(self) -> str:
        """« VAULX-EN-VELIN » as « Vaulx-en-Velin »: the register writes communes in capitals."""
        return commune_name(self.commune)

    @property
    def siret(self) -> str:
        return f"{self.siren}{self.nic_siege}" if self.nic_siege else ""


class RegisterEstablishment(models.Model):
    """An establishment (one SIRET) in the programme's départements, or the head office of a structure the
    programme already knows."""

    siret = models.CharField(_("SIRET"), max_length=14, primary_key=True)
    siren = models.CharField(_("SIREN"), max_length=9)
    head_office = models.BooleanField(_("siège"), default=False)
    active = models.BooleanField(_("ouvert"), default=True)
    address = models.CharField(_("adresse"), max_length=255, blank=True)
    postcode = models.CharField(_("code postal"), max_length=5, blank=True)
    commune_code = models.CharField(_("code commune"), max_length=5, blank=True)
    commune = models.CharField(_("commune"), max_length=100, blank=True)
    departement = models.CharField(_("département"), max_length=3, blank=True)

    # Who may read these rows: programme/access.py applies the rule.
    access_rule = TeamOnly()

    class Meta:
        ordering = ["siret"]
        verbose_name = _("établissement du répertoire")
        verbose_name_plural = _("établissements du répertoire")

    def __str__(self) -> str:
        return self.siret


class SavedSearch(models.Model):
    """A radar search kept for a territory: the home page says how many structures it finds that the last
    import brought."""

    territory = models.OneToOneField(
        "programme.Territory",
        verbose_name=_("territoire"),
        on_delete=models.CASCADE,
        related_name="register_search",
    )
    query = models.CharField(_("critères"), max_length=1000)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(_("modifiée le"), auto_now=True)

    # Who may read these rows: programme/access.py applies the rule.
    access_rule = TeamOnly()

    class Meta:
        ordering = ["territory__name"]
        verbose_name = _("recherche enregistrée du radar")
        verbose_name_plural = _("recherches enregistrées du radar")

    def __str__(self) -> str:
        return str(self.territory)

    def get_absolute_url(self) -> str:
        return f"{reverse('prospects:radar')}?{self.query}"
