"""The morning nudge: whether someone gets one today, and everything it bundles.

One message a morning (habits.budget says when) carries, in this order:
1. promises that slipped (unanswered by the end of the working day after their due day),
   judged by this very morning, with a word on repairing trust;
2. "did you keep it?" for promises whose moment passed unanswered (overdue, or due after hours);
3. promises due today;
4. a heads-up for promises due on the next working day that were made long ago;
5. a check-in on undated promises made two working days ago;
6. the day's suggestion, the first of: help received since the last working morning to pass
   on (habits.helpfulness.to_pass_on); a junior colleague to recognise (the one recognised
   least recently); a teammate not in touch for four weeks or more, unless the person stayed
   in touch this week (habits.familiarity.quiet_teammate); a decision to hand over when none
   was this week; a tip tied to the weakest habit.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from functools import cache

from habits.budget import morning_at, morning_day
from habits.commitments import Commitment
from habits.followup import (
    UNDATED_CHECK_IN,
    heads_up_day,
    lapse_at,
    working_day_after,
    working_day_before,
)
from habits.helpfulness import Favour
from habits.negotiation import Prep
from habits.people import Profile
from habits.streaks import Habit, Streak


class NudgeKind(StrEnum):
    PAY_FORWARD = "pay_forward"
    RECOGNISE = "recognise"
    STAY_IN_TOUCH = "stay_in_touch"
    HAND_OVER = "hand_over"
    TIP = "tip"


@dataclass(frozen=True, slots=True)
class Agenda:
    """The promises one morning brings up, by part."""

    lapsed: tuple[Commitment, ...] = ()
    overdue: tuple[Commitment, ...] = ()
    due_today: tuple[Commitment, ...] = ()
    coming_up: tuple[Commitment, ...] = ()
    check_in: tuple[Commitment, ...] = ()
    meetings: tuple[Prep, ...] = ()      # negotiations prepared for, happening today
    debriefs: tuple[Prep, ...] = ()      # negotiations of the last working day, not debriefed

    @property
    def promises(self) -> tuple[Commitment, ...]:
        """Every promise the nudge mentions, in the order it mentions them."""
        return self.lapsed + self.overdue + self.due_today + self.coming_up + self.check_in


@dataclass(frozen=True, slots=True)
class NudgePlan:
    """What one morning's nudge says: its promises, and the day's suggestion."""

    kind: NudgeKind
    agenda: Agenda = Agenda()
    junior: str | None = None
    habit: Habit | None = None
    favour: Favour | None = None      # PAY_FORWARD: the help received
    colleague: str | None = None      # STAY_IN_TOUCH: the teammate to get in touch with


def _by_due(commitments: Sequence[Commitment]) -> tuple[Commitment, ...]:
    return tuple(sorted(commitments, key=lambda c: (c.due or datetime.max.replace(
        tzinfo=c.created_at.tzinfo), c.number)))


def preps_for(profile: Profile, day: date, preps: Sequence[Prep],
              ) -> tuple[tuple[Prep, ...], tuple[Prep, ...]]:
    """The negotiation preps a morning on `day` brings up: a one-screen summary on the day of
    the meeting, and a debrief prompt on the first working morning after it (once)."""
    since = working_day_before(day, profile)
    today = tuple(p for p in preps if p.meeting == day and p.debrief is None)
    after = tuple(p for p in preps if p.meeting is not None and p.debrief is None
                  and since <= p.meeting < day)
    return today, after


def agenda_for(profile: Profile, now: datetime, open_promises: Sequence[Commitment]) -> Agenda:
    """The promises the morning nudge sent at `now` brings up. `lapsed` are those whose lapse
    moment (habits.followup.lapse_at) has passed and that were not judged yet: the morning
    that says so is the one that judges them, so each slip is told exactly once."""
    day = profile.local_date(now)
    morning = min(morning_at(profile, day), now)
    lapsed: list[Commitment] = []
    overdue: list[Commitment] = []
    due_today: list[Commitment] = []
    coming_up: list[Commitment] = []
    check_in: list[Commitment] = []
    for c in open_promises:
        if not c.is_open:
            continue
        if c.due is None:
            made = profile.local_date(c.created_at)
            if working_day_after(made, profile, UNDATED_CHECK_IN) == day:
                check_in.append(c)
            continue
        due_day = profile.local_date(c.due)
        if c.lapsed_on is not None:
            continue  # judged and told before; `/kept` still lists it
        lapse = lapse_at(c, profile)
        if lapse is not None and lapse <= now:
            lapsed.append(c)
        elif c.due <= morning:
            overdue.append(c)
        elif due_day == day:
            due_today.append(c)
        elif heads_up_day(c, profile) == day:
            coming_up.append(c)
    return Agenda(_by_due(lapsed), _by_due(overdue), _by_due(due_today), _by_due(coming_up),
                  _by_due(check_in))


def plan(
    profile: Profile,
    now: datetime,
    open_promises: Sequence[Commitment],
    juniors: Sequence[tuple[str, date | None]],
    handed_over_this_week: bool,
    streaks: Sequence[Streak] | Callable[[], Sequence[Streak]],
    pass_on: Favour | None = None,
    quiet_teammate: str | None = None,
    preps: Sequence[Prep] = (),
    week_done: Callable[[Habit], bool] | None = None,
) -> NudgePlan | None:
    """What the morning nudge sent at `now` says, or None when today gets no nudge.

    `juniors` are (user id, the day this person last recognised them, or None), from the
    person's teams; the person themselves is never suggested. `streaks` may be given as a
    function, called only when the choice depends on them. `pass_on`: help received since the
    last working morning (habits.helpfulness.to_pass_on); `quiet_teammate`: a teammate not in
    touch lately (habits.familiarity.quiet_teammate). Neither is ever the person themselves.
    `week_done(habit)`, when given, says what `streaks`' `week_done` would for one habit (the
    cheaper question; most mornings ask nothing else).
    """
    if not morning_day(profile, profile.local_date(now)):
        return None
    meetings, debriefs = preps_for(profile, profile.local_date(now), preps)
    agenda = dataclasses.replace(agenda_for(profile, now, open_promises),
                                 meetings=meetings, debriefs=debriefs)
    standing: Callable[[], Sequence[Streak]] = \
        cache(streaks) if callable(streaks) else (lambda: streaks)
    me = profile.person.user
    if pass_on is not None and pass_on.helper != profile.person:
        return NudgePlan(NudgeKind.PAY_FORWARD, agenda, favour=pass_on)
    candidates = [(user, last) for user, last in juniors if user != me]

    def done(habit: Habit) -> bool:
        if week_done is not None:
            return week_done(habit)
        return any(s.habit is habit and s.week_done for s in standing())

    if candidates and not done(Habit.RECOGNISE_JUNIOR):
        user, _ = min(candidates, key=lambda c: (c[1] or date.min, c[0]))
        return NudgePlan(NudgeKind.RECOGNISE, agenda, junior=user)
    if quiet_teammate is not None and quiet_teammate != me and not done(Habit.STAY_IN_TOUCH):
        return NudgePlan(NudgeKind.STAY_IN_TOUCH, agenda, colleague=quiet_teammate)
    if not handed_over_this_week:
        return NudgePlan(NudgeKind.HAND_OVER, agenda)
    weakest = min(standing(), key=lambda s: (s.week_done, s.current, s.habit.value)) \
        if standing() else None
    return NudgePlan(NudgeKind.TIP, agenda, habit=weakest.habit if weakest else Habit.KEEP)
