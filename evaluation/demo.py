"""Demo data for evaluation (idempotent)."""

from programme.demo import DemoContext


def build(ctx: DemoContext) -> None:
    """Filled in by the evaluation work."""
