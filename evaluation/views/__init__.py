"""Evaluation pages, one module per page group: library, protocol, measurements, maturity, lessons.

Team pages only (partners reach their project's figures through the portal, which calls the same
services; the evidence download is the one exception). Every object comes through programme/access.py,
via the selectors; outsiders get 404. The dashboard and the reports live in evaluation/reports/.
"""
