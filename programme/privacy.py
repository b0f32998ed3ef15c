"""What the higher apps hold on a contact, for the right of access and the right to erasure.

The core cannot name the apps above it, so each app that keeps personal data of its own (the applications
to a call, say) registers a `Holder` in its AppConfig.ready(): `export` gives what it holds on a contact,
`erase` erases it. `programme.selectors.person_data_export` adds every holder's section to the export;
`programme.services.person_anonymise` calls every `erase` inside its transaction, with the e-mail the
contact had before it was erased (the records a person left before they were a contact carry only that)."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .models import Person


@dataclass(frozen=True)
class Holder:
    key: str  # the section's title in the export (French, as the export's other keys)
    export: Callable[[Person], list[dict[str, Any]]]
    erase: Callable[[Person, str], None]  # (person, their e-mail before erasure: "" when none)


HOLDERS: dict[str, Holder] = {}


def register_holder(holder: Holder) -> None:
    HOLDERS[holder.key] = holder
