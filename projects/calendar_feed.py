"""The private iCalendar feed: deadlines as all-day events, workshops and committees."""

from datetime import timedelta

from django.utils import timezone
from icalendar import Calendar, Event

from programme.models import User

from . import selectors
from .reminders import paris_today

PRODID = "-//Parcours//Agenda des projets//FR"


def render(user: User, *, base_url: str) -> bytes:
    today = paris_today()
    events = selectors.calendar_events(user, today=today)
    stamp = timezone.now()
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", "Parcours — mes échéances")
    cal.add("x-wr-timezone", "Europe/Paris")
    for d in events["deadlines"]:
        event = Event()
        event.add("uid", f"{d.uid}-{d.date:%Y%m%d}@parcours")
        event.add("dtstamp", stamp)
        event.add("dtstart", d.date)
        event.add("dtend", d.date + timedelta(days=1))
        event.add("summary", f"[{d.kind_label}] {d.title} — {d.project_title}")
        event.add("url", base_url + d.url)
        event.add("transp", "TRANSPARENT")
        cal.add_component(event)
    for w in events["workshops"]:
        event = Event()
        event.add("uid", f"workshop-{w.pk}@parcours")
        event.add("dtstamp", stamp)
        event.add("dtstart", w.starts_at)
        event.add("dtend", w.starts_at + timedelta(minutes=w.duration_minutes or 60))
        event.add("summary", f"Atelier : {w.title} — {w.project.title}")
        if w.place:
            event.add("location", w.place)
        if w.agenda:
            event.add("description", w.agenda)
        cal.add_component(event)
    for c in events["committees"]:
        event = Event()
        event.add("uid", f"committee-{c.pk}@parcours")
        event.add("dtstamp", stamp)
        event.add("dtstart", c.date)
        event.add("dtend", c.date + timedelta(days=1))
        event.add("summary", f"{c.get_kind_display()} — {c.project.title}")
        if c.place:
            event.add("location", c.place)
        cal.add_component(event)
    return cal.to_ical()
