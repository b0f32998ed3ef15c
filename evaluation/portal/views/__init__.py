"""Pages of the partner portal, one module per page group. Typed function views; every object comes
through `programme.access` (or the portal selectors built on it), so outsiders get 404."""
