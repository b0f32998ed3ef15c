"""programme.pages.query_string: a list's links keep its other filters, in their order, escaped."""

from django.http import QueryDict

from programme.pages import query_string


def test_it_drops_and_replaces_as_copying_the_query_did():
    query = QueryDict("q=l%27Atelier+%26+Co&stage=contacted&stage=interested&page=3&o=name")
    assert (
        query_string(query, drop=("page",)) == "q=l%27Atelier+%26+Co&stage=contacted&stage=interested&o=name"
    )
    assert query_string(query, drop=("page", "stage")) == "q=l%27Atelier+%26+Co&o=name"
    # A sort link: the other parameters where they were, the order replaced in place, or added last.
    assert query_string(query, drop=("page",), replace={"o": "-name"}) == (
        "q=l%27Atelier+%26+Co&stage=contacted&stage=interested&o=-name"
    )
    assert query_string(QueryDict("q=a&page=2"), drop=("page",), replace={"o": "town"}) == "q=a&o=town"
    assert query_string(QueryDict(""), replace={"o": "town"}) == "o=town"
    assert (
        query.urlencode() == "q=l%27Atelier+%26+Co&stage=contacted&stage=interested&page=3&o=name"
    )  # untouched
