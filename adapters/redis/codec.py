"""Domain objects to and from the JSON and hash fields stored in Redis."""

from __future__ import annotations

import json
from datetime import date, datetime, time
from typing import Any

from bot.ports import Offer
from habits.commitments import Commitment, CommitmentStatus, Source
from habits.handovers import Handover, HandoverStatus
from habits.helpfulness import Favour, FavourSource
from habits.negotiation import DEBRIEF_KEYS, Debrief, Prep
from habits.people import PersonRef, Profile, TimeOff, WorkspaceRef
from habits.recognition import Recognition
from habits.teams import Team


def person_to_list(person: PersonRef) -> list[str]:
    return [person.platform, person.workspace, person.user]


def person_from_list(value: list[str]) -> PersonRef:
    return PersonRef(value[0], value[1], value[2])


def person_to_json(person: PersonRef) -> str:
    """A person as one set member (a colleague in `counterparts`): '["slack","T1","U1"]'."""
    return json.dumps(person_to_list(person))


def person_from_json(raw: str | bytes) -> PersonRef:
    return person_from_list(json.loads(raw))


def _dumps(data: dict[str, Any]) -> str:
    return json.dumps(data, separators=(",", ":"))


def _dt(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def commitment_to_json(c: Commitment) -> str:
    return _dumps(commitment_to_data(c))


def commitment_to_data(c: Commitment) -> dict[str, Any]:
    """What is stored of a promise, as JSON-ready data (also the personal data export's)."""
    return {
        "n": c.number, "what": c.what, "created": c.created_at.isoformat(),
        "due": c.due.isoformat() if c.due else None, "to": list(c.to), "status": c.status.value,
        "source": c.source.value, "closed": c.closed_at.isoformat() if c.closed_at else None,
        "reneg": c.renegotiations, "lapsed": c.lapsed_on, "origin": c.origin,
    }


def commitment_from_json(owner: PersonRef, raw: str | bytes) -> Commitment:
    d = json.loads(raw)
    created = _dt(d["created"])
    assert created is not None
    return Commitment(
        owner=owner, number=d["n"], what=d["what"], created_at=created, due=_dt(d["due"]),
        to=tuple(d["to"]), status=CommitmentStatus(d["status"]), source=Source(d["source"]),
        closed_at=_dt(d["closed"]), renegotiations=d["reneg"], lapsed_on=d["lapsed"],
        origin=d["origin"],
    )


def recognition_to_json(r: Recognition) -> str:
    return _dumps(recognition_to_data(r))


def recognition_to_data(r: Recognition) -> dict[str, Any]:
    return {
        "giver": person_to_list(r.giver), "receiver": person_to_list(r.receiver),
        "reason": r.reason, "at": r.given_at.isoformat(), "junior": r.junior,
        "channel": r.channel,
    }


def recognition_from_json(raw: str | bytes) -> Recognition:
    d = json.loads(raw)
    given = _dt(d["at"])
    assert given is not None
    return Recognition(
        giver=person_from_list(d["giver"]), receiver=person_from_list(d["receiver"]),
        reason=d["reason"], given_at=given, junior=d["junior"], channel=d["channel"],
    )


def favour_to_json(f: Favour) -> str:
    return _dumps(favour_to_data(f))


def favour_to_data(f: Favour) -> dict[str, Any]:
    return {
        "helper": person_to_list(f.helper),
        "helped": person_to_list(f.helped) if f.helped else None,
        "what": f.what, "at": f.at.isoformat(), "source": f.source.value, "channel": f.channel,
    }


def favour_from_json(raw: str | bytes) -> Favour:
    d = json.loads(raw)
    at = _dt(d["at"])
    assert at is not None
    return Favour(
        helper=person_from_list(d["helper"]),
        helped=person_from_list(d["helped"]) if d["helped"] else None,
        what=d["what"], at=at, source=FavourSource(d["source"]), channel=d["channel"],
    )


def handover_to_json(h: Handover) -> str:
    return _dumps(handover_to_data(h))


def handover_to_data(h: Handover) -> dict[str, Any]:
    return {
        "giver": person_to_list(h.giver), "receiver": person_to_list(h.receiver), "n": h.number,
        "decision": h.decision, "at": h.offered_at.isoformat(), "status": h.status.value,
        "answered": h.answered_at.isoformat() if h.answered_at else None,
    }


def handover_from_json(raw: str | bytes) -> Handover:
    d = json.loads(raw)
    offered = _dt(d["at"])
    assert offered is not None
    return Handover(
        giver=person_from_list(d["giver"]), receiver=person_from_list(d["receiver"]),
        number=d["n"], decision=d["decision"], offered_at=offered,
        status=HandoverStatus(d["status"]), answered_at=_dt(d["answered"]),
    )


def profile_to_hash(p: Profile) -> dict[str, str]:
    return {
        "name": p.display_name, "tz": p.tz, "tz_override": _flag(p.tz_override),
        "days": ",".join(str(d) for d in sorted(p.working_days)),
        "nudge": p.nudge_time.strftime("%H:%M"), "nudges": _flag(p.nudges_on),
        "paused_until": p.paused_until.isoformat() if p.paused_until else "",
        "time_off": json.dumps([[s.first.isoformat(), s.last.isoformat()] for s in p.time_off]),
        "detection": _flag(p.detection_on), "auto_track": _flag(p.auto_track),
        "share": _flag(p.share_with_managers),
        "since": p.since.isoformat() if p.since else "",
        "hours": f"{p.work_start:%H:%M}-{p.work_end:%H:%M}",
    }


def profile_from_hash(person: PersonRef, h: dict[str, str]) -> Profile:
    default = Profile(person)
    if not h:
        return default
    return Profile(
        person=person,
        display_name=h.get("name", ""),
        tz=h.get("tz", default.tz),
        tz_override=h.get("tz_override") == "1",
        working_days=frozenset(int(d) for d in h["days"].split(",")) if h.get("days")
        else default.working_days,
        nudge_time=time.fromisoformat(h["nudge"]) if h.get("nudge") else default.nudge_time,
        nudges_on=h.get("nudges", "1") == "1",
        paused_until=date.fromisoformat(h["paused_until"]) if h.get("paused_until") else None,
        time_off=tuple(TimeOff(date.fromisoformat(a), date.fromisoformat(b))
                       for a, b in json.loads(h.get("time_off") or "[]")),
        detection_on=h.get("detection", "1") == "1",
        auto_track=h.get("auto_track") == "1",
        share_with_managers=h.get("share") == "1",
        since=date.fromisoformat(h["since"]) if h.get("since") else None,
        work_start=time.fromisoformat(h["hours"][:5]) if h.get("hours") else default.work_start,
        work_end=time.fromisoformat(h["hours"][6:]) if h.get("hours") else default.work_end,
        # Written one field at a time (People.enrol, .quiet, .interacted), never by
        # save_profile, so a concurrent settings change cannot undo them. Profiles stored
        # before enrolment existed were enrolled by their first day on record.
        enrolled=h.get("enrolled", "1" if h.get("since") else "0") == "1",
        quiet_days=int(h.get("quiet") or 0),
    )


def profile_to_export(p: Profile) -> dict[str, Any]:
    return {**profile_to_hash(p), "time_off": [[s.first.isoformat(), s.last.isoformat()]
                                               for s in p.time_off],
            "enrolled": _flag(p.enrolled), "quiet": str(p.quiet_days)}


def _flag(value: bool) -> str:
    return "1" if value else "0"


def offer_to_json(o: Offer) -> str:
    return _dumps(offer_to_data(o))


def offer_to_data(o: Offer) -> dict[str, Any]:
    return {"origin": o.origin, "what": o.what, "due": o.due.isoformat() if o.due else None,
            "to": list(o.to), "channel": o.channel}


def offer_from_json(raw: str | bytes) -> Offer:
    d = json.loads(raw)
    return Offer(origin=d["origin"], what=d["what"], due=_dt(d["due"]), to=tuple(d["to"]),
                 channel=d["channel"])


def team_to_json(t: Team) -> str:
    return json.dumps({"id": t.team_id, "name": t.name, "members": sorted(t.members),
                       "juniors": sorted(t.juniors), "managers": sorted(t.managers),
                       "min": t.min_group_size}, separators=(",", ":"))


def team_from_json(workspace: WorkspaceRef, raw: str | bytes) -> Team:
    d = json.loads(raw)
    return Team(workspace=workspace, team_id=d["id"], name=d["name"],
                members=frozenset(d["members"]), juniors=frozenset(d["juniors"]),
                managers=frozenset(d["managers"]), min_group_size=d["min"])


def prep_to_json(p: Prep) -> str:
    return _dumps(prep_to_data(p))


def prep_to_data(p: Prep) -> dict[str, Any]:
    """What is stored of a negotiation prep (also the personal data export's)."""
    data: dict[str, Any] = {
        "n": p.number, "what": p.what, "with": p.counterpart,
        "on": p.meeting.isoformat() if p.meeting else None, "answers": dict(p.answers),
        "step": p.step, "created": p.created_at.isoformat() if p.created_at else None,
    }
    if p.debrief is not None:
        data["debrief"] = {**{key: getattr(p.debrief, key) for key in DEBRIEF_KEYS},
                           "at": p.debrief.at.isoformat() if p.debrief.at else None}
    return data


def prep_from_json(owner: PersonRef, raw: str | bytes) -> Prep:
    d = json.loads(raw)
    debrief = d.get("debrief")
    return Prep(owner=owner, number=d["n"], what=d["what"], counterpart=d["with"],
                meeting=date.fromisoformat(d["on"]) if d.get("on") else None,
                answers=dict(d.get("answers") or {}), step=int(d.get("step") or 0),
                created_at=_dt(d.get("created")),
                debrief=Debrief(**{key: str(debrief.get(key) or "") for key in DEBRIEF_KEYS},
                                at=_dt(debrief.get("at"))) if debrief else None)
