"""What a higher app adds to a gate decision, registered from its `AppConfig.ready()`.

projects never names evaluation; evaluation registers a `DecisionHook` here (the frozen gate dossier the
committee saw, #19). The decision form (`projects.forms.GateDecisionForm`) adds each hook's fields, and
`projects.services.project_move` hands their cleaned values to the hook inside its transaction: `check`
before anything moves (it sees the project as the committee did, and may refuse the decision with a
`ValidationError`), then `record` once the decision is written, with what `check` returned.
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
    """`fields(project)`: the extra fields of the decision form, by name. `check(project=, actor=, data=)`
    and `record(decision=, actor=, data=, checked=)`: called by `project_move` with those fields' cleaned
    values — `data` is None for a decision not taken through the form (demo data, scripts), which a hook
    may then leave alone."""

    key: str
    fields: Callable[["Project"], dict[str, "forms.Field"]]
    check: Callable[..., object]
    record: Callable[..., object]


HOOKS: dict[str, DecisionHook] = {}


def register_decision_hook(hook: DecisionHook) -> None:
    HOOKS[hook.key] = hook


def hook_fields(project: "Project") -> dict[str, "forms.Field"]:
    fields: dict[str, forms.Field] = {}
    for hook in HOOKS.values():
        fields.update(hook.fields(project))
    return fields


def check_hooks(*, project: "Project", actor: "User", data: Mapping[str, Any] | None) -> dict[str, object]:
    """Before the move: each hook's check (which may refuse), by hook key."""
    return {key: hook.check(project=project, actor=actor, data=data) for key, hook in HOOKS.items()}


def record_hooks(
    *, decision: "GateDecision", actor: "User", data: Mapping[str, Any] | None, checked: dict[str, object]
) -> None:
    """After the decision is written: each hook records its part."""
    for key, hook in HOOKS.items():
        hook.record(decision=decision, actor=actor, data=data, checked=checked.get(key))
