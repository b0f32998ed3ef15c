"""Demo data for prospects (idempotent)."""

from programme.demo import DemoContext


def build(ctx: DemoContext) -> None:
    """Filled in by the prospects work."""
