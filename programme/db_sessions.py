"""Sessions in the database alone — the engine without Redis (`make run`'s embedded default) — read by a
statement compiled once per process (`programme.sessions.PreparedRead`)."""

from django.contrib.sessions.backends import db

from .sessions import PreparedRead


class SessionStore(PreparedRead, db.SessionStore):
    pass
