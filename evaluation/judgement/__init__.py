"""From evidence to judgement (#19): findings per evaluative question, the recommendation at each phase
end, the gate dossier frozen with the decision, and the essaimage kit. Models keep the `evaluation`
label (re-imported by evaluation/models/__init__.py)."""
