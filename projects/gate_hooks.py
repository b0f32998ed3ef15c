"""What a higher app adds to a gate decision, registered from its `AppConfig.ready()`.

projects never names evaluation; evaluation registers a `DecisionHook` here (the frozen gate dossier the
committee saw, #19). The decision form (`projects.forms.GateDecisionForm`) adds each hook's fields, and
`projects.services.project_move` hands their cleaned values to `record` inside its transaction, right after
the decision is written: a hook that raises a `ValidationError` refuses the whole decision.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from django import forms

    from programme.models import User

    from .models import GateDecision, Project


@dataclass(frozen=True)
class DecisionHook:
    """`fields(project)`: the extra fields of the decision form, by name. `record(decision=, actor=,
    data=)`: called by `project_move` with those fields' cleaned values — `data` is None for a decision
    not taken through the form (demo data, scripts), which a hook may then leave alone."""

    key: str
    fields: Callable[["Project"], dict[str, "forms.Field"]]
    record: Callable[..., object]


HOOKS: dict[str, DecisionHook] = {}


def register_decision_hook(hook: DecisionHook) -> None:
    HOOKS[hook.key] = hook


def hook_fields(project: "Project") -> dict[str, "forms.Field"]:
    fields: dict[str, forms.Field] = {}
    for hook in HOOKS.values():
        fields.update(hook.fields(project))
    return fields


def run_hooks(*, decision: "GateDecision", actor: "User", data: Mapping[str, Any] | None) -> None:
    for hook in HOOKS.values():
        hook.record(decision=decision, actor=actor, data=data)
