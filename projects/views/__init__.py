"""Project steering pages, one module per tab of a project (projects/urls.py imports the modules)."""
