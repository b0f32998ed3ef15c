"""Reads on the core records. The caller has resolved the object through programme.access."""

from typing import Any

from .models import AuditEntry, Person, User
from .privacy import HOLDERS


def person_data_export(*, person: Person) -> dict[str, Any]:
    """Everything Parcours holds on a contact record, as plain data (right of access)."""
    return {
        "prénom": person.first_name,
        "nom": person.last_name,
        "e-mail": person.email,
        "téléphone": person.phone,
        "fonction": person.job_title,
        "structure": person.organisation.name if person.organisation else None,
        "consentement": {
            "date": person.consent_date.isoformat() if person.consent_date else None,
            "base légale": person.get_consent_basis_display(),
            "source": person.consent_source,
        },
        "créé le": person.created_at.isoformat(),
        "modifié le": person.updated_at.isoformat(),
        # What the higher apps hold on the contact (the applications to a call…): programme/privacy.py.
        **{key: holder.export(person) for key, holder in HOLDERS.items()},
    }


def account_data_export(*, user: User) -> dict[str, Any]:
    """A user's own account, as plain data (right of access)."""
    return {
        "e-mail": user.email,
        "prénom": user.first_name,
        "nom": user.last_name,
        "rôle": user.get_role_display(),
        "structure": user.organisation.name if user.organisation else None,
        "inscrit le": user.date_joined.isoformat(),
        "dernière connexion": user.last_login.isoformat() if user.last_login else None,
        "récapitulatif des échéances": user.digest_enabled,
        "lien d’agenda actif": bool(user.calendar_token),
    }


def audit_data_export(*, user: User, limit: int = 1000) -> list[dict[str, str]]:
    """What the user did, from the audit trail (oldest first)."""
    return [
        {"date": e.created_at.isoformat(), "action": e.action, "objet": e.object_repr}
        for e in AuditEntry.objects.filter(actor=user).order_by("created_at")[:limit]
    ]
