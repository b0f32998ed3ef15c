"""`manage.py bootstrap`: a fresh production install's first steps from the command line — the first
administrator account (a director with access to the Django admin), and optionally the programme, its
first promotion and its starter scoring grid. Never a default password: it is asked twice on a terminal,
or read from the standard input (`--password-stdin`), and checked by the password validators.

It lives in prospects (not in programme) because the starter grid is prospects'."""

import getpass
import sys
from datetime import date
from typing import Any

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.core.validators import validate_email
from django.db import transaction

from programme.audit import audit_log
from programme.models import Cohort, Programme, User
from prospects.services import grid_ensure_default


class Command(BaseCommand):
    help = (
        "Premiers pas d’une installation neuve : le premier compte d’administration (direction), puis, si "
        "demandé, le programme, sa première promotion et sa grille de départ. Jamais de mot de passe par défaut."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--email", help="Adresse e-mail du premier compte (demandée sinon).")
        parser.add_argument("--first-name", default="", help="Prénom.")
        parser.add_argument("--last-name", default="", help="Nom.")
        parser.add_argument(
            "--password-stdin",
            action="store_true",
            help="Lire le mot de passe sur l’entrée standard (une ligne) au lieu de le demander.",
        )
        parser.add_argument("--programme", help="Nom du programme à créer (avec sa grille de départ).")
        parser.add_argument(
            "--cohort-year", type=int, help="Année de la première promotion (avec --programme)."
        )
        parser.add_argument(
            "--cohort-start", type=date.fromisoformat, help="Début de la première promotion (AAAA-MM-JJ)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        interactive = sys.stdin.isatty() and not options["password_stdin"]
        email = (options["email"] or (input("Adresse e-mail : ") if interactive else "")).strip().lower()
        try:
            validate_email(email)
        except ValidationError as error:
            raise CommandError("Indiquez une adresse e-mail valide (--email).") from error
        if User.objects.filter(email__iexact=email).exists():
            raise CommandError(f"Un compte existe déjà pour {email} : rien n’a été créé.")
        if options["cohort_year"] and not options["programme"]:
            raise CommandError("--cohort-year demande --programme.")
        password = self._password(interactive=interactive, from_stdin=options["password_stdin"])
        user = User(email=email, first_name=options["first_name"], last_name=options["last_name"])
        try:
            password_validation.validate_password(password, user)
        except ValidationError as error:
            raise CommandError("Mot de passe refusé : " + " ".join(error.messages)) from error
        with transaction.atomic():
            user = User.objects.create_superuser(
                email, password, first_name=options["first_name"], last_name=options["last_name"]
            )
            audit_log(actor=None, obj=user, action="user.created", changes={"role": [None, user.role]})
            self.stdout.write(f"Compte de direction créé : {email}.")
            if options["programme"]:
                self._programme(user, options)
        self.stdout.write(
            self.style.SUCCESS(
                "Terminé. Connectez-vous : la page « Paramètres » guide la suite (promotion, grille, équipe)."
            )
        )

    def _password(self, *, interactive: bool, from_stdin: bool) -> str:
        if from_stdin:
            password = sys.stdin.readline().rstrip("\n")
        elif interactive:
            password = getpass.getpass("Mot de passe : ")
            if password != getpass.getpass("Mot de passe (encore) : "):
                raise CommandError("Les deux mots de passe diffèrent : rien n’a été créé.")
        else:
            raise CommandError(
                "Pas de terminal pour demander le mot de passe : passez-le sur l’entrée standard avec "
                "--password-stdin (jamais de mot de passe par défaut)."
            )
        if not password:
            raise CommandError("Mot de passe vide : rien n’a été créé.")
        return password

    def _programme(self, user: User, options: dict[str, Any]) -> None:
        name = options["programme"].strip()
        if Programme.objects.filter(name__iexact=name).exists():
            raise CommandError(f"Un programme « {name} » existe déjà : rien n’a été créé.")
        programme = Programme.objects.create(name=name, reminder_offsets=[14, 7, 1])
        audit_log(actor=user, obj=programme, action="programme.created")
        grid = grid_ensure_default(programme=programme, actor=user)
        self.stdout.write(
            f"Programme « {name} » créé, avec sa grille de départ ({grid.criteria.count()} critères)."
        )
        year = options["cohort_year"]
        if year:
            start = options["cohort_start"] or date(year, 1, 15)
            cohort = Cohort.objects.create(
                programme=programme, name=f"Promotion {year}", year=year, start_date=start
            )
            audit_log(actor=user, obj=cohort, action="cohort.created")
            self.stdout.write(f"Promotion « {cohort.name} » créée.")
