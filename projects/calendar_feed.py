"""The private iCalendar feed: deadlines as all-day events, workshops and committees."""

from datetime import date, datetime, time, timedelta

from django.utils import timezone
from icalendar import Calendar, Event

from programme.models import User

from . import selectors
from .reminders import paris_today

PRODID = "-//Parcours//Agenda des projets//FR"


def _event(
    uid: str, *, stamp: datetime, start: date | datetime, end: date | datetime, summary: str, **more: str
) -> Event:
    """One calendar entry; `more` adds the properties that are set (location, description, url…)."""
    event = Event()
    event.add("uid", f"{uid}@parcours")
    event.add("dtstamp", stamp)
    event.add("dtstart", start)
    event.add("dtend", end)
    event.add("summary", summary)
    for name, value in more.items():
        if value:
            event.add(name, value)
    return event


def _event_span(
    first: date, last: date, start: time | None, end: time | None
) -> tuple[date | datetime, date | datetime]:
    """An event's start and end in the feed: times when it has them, else whole days (end exclusive)."""
    if start is None:
        return first, last + timedelta(days=1)
    begins = timezone.make_aware(datetime.combine(first, start))
    ends = timezone.make_aware(datetime.combine(last, end or start))
    return begins, ends if ends > begins else begins + timedelta(hours=1)


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
    day = timedelta(days=1)
    for d in events["deadlines"]:
        summary = f"[{d.kind_label}] {d.title} — {d.project_title}"
        cal.add_component(
            _event(
                f"{d.uid}-{d.date:%Y%m%d}",
                stamp=stamp,
                start=d.date,
                end=d.date + day,
                summary=summary,
                url=base_url + d.url,
                transp="TRANSPARENT",
            )
        )
    for w in events["workshops"]:
        end = w.starts_at + timedelta(minutes=w.duration_minutes or 60)
        summary = f"Atelier : {w.title} — {w.project.title}"
        cal.add_component(
            _event(
                f"workshop-{w.pk}",
                stamp=stamp,
                start=w.starts_at,
                end=end,
                summary=summary,
                location=w.place,
                description=w.agenda,
            )
        )
    for c in events["committees"]:
        summary = f"{c.get_kind_display()} — {c.project.title}"
        cal.add_component(
            _event(
                f"committee-{c.pk}",
                stamp=stamp,
                start=c.date,
                end=c.date + day,
                summary=summary,
                location=c.place,
            )
        )
    for e in events["events"]:
        # An event of the programme (prospects.events): timed when it has hours, else whole days.
        when = _event_span(e.date, e.last_day, e.start_time, e.end_time)
        cal.add_component(
            _event(
                f"event-{e.pk}",
                stamp=stamp,
                start=when[0],
                end=when[1],
                summary=f"{e.get_kind_display()}\u202f: {e.name}",
                location=e.place or e.online_url,
                url=base_url + e.get_absolute_url(),
            )
        )
    return cal.to_ical()
