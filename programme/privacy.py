"""What the higher apps hold on a contact, for the right of access and the right to erasure.

The core cannot name the apps above it, so each app that keeps personal data of its own (the applications
to a call, say) registers a `Holder` in its AppConfig.ready(): `export` gives what it holds on a contact,
`erase` erases it. `programme.selectors.person_data_export` adds every holder's section to the export;
`programme.services.person_anonymise` calls every `erase` inside its transaction, before the contact's own
fields are cleared, with the e-mail the contact had (the records a person left before they were a contact
carry only that). Text written about or to the contact (an exchange's summary, a message sent) keeps
its words but not their name: `erase_names`."""

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .models import Person

#: What stands in a text where a contact's name or address was.
ERASED = "[anonymisé]"


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
    names = {person.email, email, f"{first} {last}", f"{last} {first}", first, last}
    words = sorted((n.strip() for n in names if n and len(n.strip()) > 1), key=len, reverse=True)
    if not text or not words:
        return text
    pattern = r"(?<!\w)(?:" + "|".join(re.escape(w) for w in words) + r")(?!\w)"
    return re.sub(pattern, ERASED, text, flags=re.IGNORECASE)


HOLDERS: dict[str, Holder] = {}


def register_holder(holder: Holder) -> None:
    HOLDERS[holder.key] = holder
