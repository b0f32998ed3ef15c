"""Relations with the structures (#15): exchanges logged on a structure or a project, and the structure's
360° page pieces (its projects, its merged timeline), loaded by the structure page as HTMX partials."""
