"""Selection: the committee of a cohort decides, and a retained candidate becomes a project.

The flow lives in projects (the higher app): it calls the prospects service for the decision, then the
projects service for the project and its collective."""
