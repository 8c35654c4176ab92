"""What resuming a paused monitor forgets: every piece of its outages.

A resume is a fresh start, as Healthchecks' is: the monitor is `new` and
alerts from its next ping on, as if the outages before and during the pause
never were. Left behind, their state would shape the next outage: no
reminders once realert_limit was reached, a recovery dated from before the
pause, "held during quiet hours" when nothing was held, a failure streak
that reaches failure_threshold early, notices muted as flapping. Their
flips stay: the outage history and the downtime are what happened.

The resume forgets, not the pause: pings while paused still write the
outage's state (pings.py), which only the resume can drop. Nothing is told
of it either way: a paused monitor alerts nobody, a resumed one is `new`.
"""

from chalicelib.monitors import checker, flapping

# In the checker's own names, so a field it adds to an outage is forgotten too.
_STATE = {**checker.CLOSED, **checker.UNHELD, **flapping.CLEARED}
_STATE.update(reminders=None, live_told=None, fail_streak=None, ok_streak=None)
# outgoing: a notice claimed and not finished; the pause kept the checker from it.
_STATE.update(unblocked_at=None, outgoing=None)

FORGOTTEN = list(_STATE)  # the attributes a resume removes
