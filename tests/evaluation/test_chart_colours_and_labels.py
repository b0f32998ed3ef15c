"""One visual language in the charts (issue #14): a phase colour means that phase, and no label is cut."""

import re

from evaluation import charts


def test_no_series_colour_is_a_phase_colour():
    phases = {c.lower() for c in charts.PHASE_COLOURS.values()}
    assert not phases & {c.lower() for c in charts.PALETTE}
    # Unnamed series take the palette, never a phase's colour.
    svg = charts.column_chart(
        title="Activité",
        desc="Ateliers et personnes par trimestre",
        labels=["T1", "T2"],
        series=[charts.Series("Ateliers", [1, 2]), charts.Series("Personnes", [3, 4])],
    )
    assert not phases & set(re.findall(r'fill="(#[0-9a-f]{6})"', svg))


def test_a_long_value_wraps_and_a_long_label_keeps_its_full_text():
    label = "Ménages accompagnés vers un logement durable dans la métropole"
    text = "1 089 000 € / cible 900 000 € (au 31 décembre 2027, cumul depuis le début)"
    svg = charts.progress_chart(
        title="Indicateurs",
        desc="Avancement",
        rows=[{"label": label, "value": 1089000, "target": 900000, "text": text}],
    )
    # The label is shortened on the chart and whole in its <title>.
    assert f"<title>{label}</title>" in svg
    # The written value is on two lines (nothing runs off the chart), and whole in a <title>.
    assert svg.count("<tspan") == 2
    assert f"<title>{text}</title>" in svg
    assert "cible 900 000 €" in svg.replace("<tspan", "\n<tspan")
