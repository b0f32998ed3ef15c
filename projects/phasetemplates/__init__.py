"""Phase templates: per programme and phase, the milestones, deliverables, committees and maturity moments
every project gets when it enters the phase, each at an offset from the phase start.

A template is versioned: a change saves a new version, and a project keeps what the version it got created
(`AppliedTemplate` says which). The models live in the projects app (imported by `projects/models.py`);
the gate service (`projects.services.project_move` / `project_start_phase`) calls `template_apply`."""
