"""The fil rouge (#19, item 3): the thread from a workshop's need to an idea, a prototype, the indicators
that test it, their result and the lessons drawn from it — links, the project's page (an SVG graph and the
same chain as a list) and the collective's view of it in the portal. docs/reports.md « Fil rouge »."""
