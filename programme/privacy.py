"""What the higher apps hold on a contact, for the right of access and the right to erasure.

The core cannot name the apps above it, so each app that keeps personal data of its own (the applications
to a call, say) registers a `Holder` in its AppConfig.ready(): `export` gives what it holds on a contact,
`erase` erases it. `programme.selectors.person_data_export` adds every holder's section to the export;
`programme.services.person_anonymise` calls every `erase` inside its transaction, before the contact's own
fields are cleared, with the e-mail the contact had (the records a person left before they were a contact
carry only that). Text written about or to the contact (an exchange's summary, a message sent) keeps
its words but not their name: `erase_names`."""

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, TextField
from django.db.models.functions import Cast

from .models import AuditEntry, Person

#: What stands in a text where a contact's name or address was.
ERASED = "[anonymisé]"
#: The domain of the addresses that stand where an erased one was (nothing is ever sent there).
ERASED_DOMAIN = "invalid.parcours"


def erased_address(pk: int) -> str:
    """The address that stands where a contact's (or an account's) erased one was."""
    return f"anonymise-{pk}@{ERASED_DOMAIN}"


def is_erased_address(address: str) -> bool:
    return address.endswith(f"@{ERASED_DOMAIN}")


@dataclass(frozen=True)
class Holder:
    key: str  # the section's title in the export (French, as the export's other keys)
    #: What it holds on the contact, for their export; None: nothing of theirs to give (team notes about
    #: them, say), only something to erase.
    export: Callable[[Person], list[dict[str, Any]]] | None
    erase: Callable[[Person, str], None]  # (person, their e-mail before erasure: "" when none)


def erase_names(text: str, *, person: Person, email: str) -> str:
    """`text` without the contact's first name, last name, full name or e-mail address (any case, whole
    words only: « Marie » goes, « Mariette » stays), each replaced by ERASED."""
    first, last = person.first_name, person.last_name
    names = {person.email, email, str(person), f"{last} {first}", first, last}
    words = sorted((n.strip() for n in names if n and len(n.strip()) > 1), key=len, reverse=True)
    if not text or not words:
        return text
    pattern = r"(?<!\w)(?:" + "|".join(re.escape(w) for w in words) + r")(?!\w)"
    return re.sub(pattern, ERASED, text, flags=re.IGNORECASE)


HOLDERS: dict[str, Holder] = {}


def register_holder(holder: Holder) -> None:
    HOLDERS[holder.key] = holder


def _erased_in(value: Any, *, person: Person, email: str) -> Any:
    """`value` (an audit entry's changes: nested dicts, lists, strings) with `erase_names` on every string,
    the keys included (a registration's status change is keyed by the person's name)."""
    if isinstance(value, str):
        return erase_names(value, person=person, email=email)
    if isinstance(value, list):
        return [_erased_in(v, person=person, email=email) for v in value]
    if isinstance(value, dict):
        return {
            _erased_in(k, person=person, email=email): _erased_in(v, person=person, email=email)
            for k, v in value.items()
        }
    return value


def erase_names_in_trail(*, person: Person, email: str) -> int:
    """The audit trail of other records keeps what happened, not the contact's name or address: an event's
    registration (« contact : Julien Lefèvre »), a territory's referents, an exchange's changed text. Every
    entry whose label or changes hold their full name or address is rewritten with `erase_names`; returns how
    many. One read (a scan of the trail: anonymising is rare) and one batched write."""
    needles: set[str] = set()
    for word in (str(person), person.email, email):
        if word and len(word) > 1:
            needles |= {word, json.dumps(word)[1:-1]}  # as typed, and as JSON escapes it (SQLite's text)
    if not needles:
        return 0
    found = Q()
    for needle in needles:
        found |= Q(object_repr__icontains=needle) | Q(changes_text__icontains=needle)
    entries = list(
        AuditEntry.objects.annotate(changes_text=Cast("changes", TextField()))
        .filter(found)
        .only("pk", "object_repr", "changes")
    )
    for entry in entries:
        entry.object_repr = erase_names(entry.object_repr, person=person, email=email)
        entry.changes = _erased_in(entry.changes, person=person, email=email)
    AuditEntry.objects.bulk_update(entries, ["object_repr", "changes"], batch_size=500)
    return len(entries)
