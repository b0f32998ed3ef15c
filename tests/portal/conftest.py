import pytest

from .helpers import build_side


@pytest.fixture
def sides(world):
    """Both collectives fully populated: `sides["A"]`, `sides["B"]`."""
    return {"A": build_side(world, "A"), "B": build_side(world, "B")}
