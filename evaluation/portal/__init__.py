"""The partner portal ("Mon projet", namespace `portal`, mounted at /portail/): what a partner of an
accompanied structure sees of their project — deliverables, actions, shared workshops and committees,
indicators to report, the cooperative maturity self-assessment, their structure and personal data.

It lives in evaluation, the top app, because "Mon projet" shows projects and evaluation data side by
side. Writes go through the services of the app owning each entity; reads are in `selectors.py`,
scoped by `programme.access`'s partner functions, so anything outside the partner's current
collectives is a 404."""
