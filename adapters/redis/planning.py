"""The morning nudge's inputs: many people's promises, teams, kudos, handovers, favours, last
contacts and habit history, read together in two round trips.

A person's records share one hash tag, so one script reads all of them (`_READ`: one command
and one reply per person, where a pipeline of a dozen commands parsed a dozen replies); their
teams sit under the workspace's tag and are read after, pipelined."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from redis.asyncio import Redis

from adapters.redis import codec
from adapters.redis.contacts import days_of, skipped_of
from adapters.redis.habit_log import history_keys, history_of, no_history
from adapters.redis.keys import PersonKeys, WorkspaceKeys
from adapters.redis.records import text
from adapters.redis.scripts import run_many
from bot.ports import NudgeInputs
from habits.people import PersonRef

# KEYS: open promises, teams, kudos given, handovers, favours received, favours given, contacts,
# contacts skipped, preps, promises, then the history's keys. ARGV: how many recent kudos and
# favours. HMGET is asked 500 ids at a time (Lua's unpack has a limit); a missing promise
# answers false, which reaches the caller as nil.
_READ = """
local open = redis.call('ZRANGE', KEYS[1], 0, -1)
local promises = {}
for i = 1, #open, 500 do
  local part = redis.call('HMGET', KEYS[10], unpack(open, i, math.min(i + 499, #open)))
  for _, raw in ipairs(part) do promises[#promises + 1] = raw end
end
local history = {}
if #KEYS > 10 then history = redis.call('MGET', unpack(KEYS, 11)) end
local kudos, favours = tonumber(ARGV[1]), tonumber(ARGV[2])
return {promises, redis.call('SMEMBERS', KEYS[2]), redis.call('LRANGE', KEYS[3], -kudos, -1),
        redis.call('HGETALL', KEYS[4]), redis.call('LRANGE', KEYS[5], -favours, -1),
        redis.call('LRANGE', KEYS[6], -favours, -1), redis.call('HGETALL', KEYS[7]),
        redis.call('HGETALL', KEYS[8]), redis.call('HVALS', KEYS[9]), history}
"""


def _pairs(flat: Sequence[Any]) -> dict[Any, Any]:
    return dict(zip(flat[::2], flat[1::2], strict=True))


class RedisPlanning:
    """Reads across the person's records (their keys share one slot) and their teams'."""

    RECENT_KUDOS = 500  # enough to know whom someone recognised lately
    RECENT_FAVOURS = 50  # enough to know the help received since the last working morning

    def __init__(self, redis: Redis) -> None:
        self.redis = redis
        self._read = redis.register_script(_READ)

    async def nudge_inputs(self, person: PersonRef, years: Sequence[int]) -> NudgeInputs:
        (inputs,) = await self.nudge_inputs_many([(person, years)])
        return inputs

    async def nudge_inputs_many(self, wanted: Sequence[tuple[PersonRef, Sequence[int]]],
                                ) -> list[NudgeInputs]:
        if not wanted:
            return []
        calls = []
        for person, years in wanted:
            keys = PersonKeys(person)
            calls.append(([keys.open_promises, keys.teams, keys.kudos_given, keys.handovers,
                           keys.favours_received, keys.favours_given, keys.contacts,
                           keys.contacts_skipped, keys.preps, keys.promises,
                           *(history_keys(keys, years) if years else ())],
                          [self.RECENT_KUDOS, self.RECENT_FAVOURS]))
        read = await run_many(self.redis, self._read, calls)
        team_ids = [sorted(text(team) for team in answer[1]) for answer in read]
        teams_of: list[list[Any]] = [[] for _ in wanted]
        if any(team_ids):
            # GET each (a cluster's pipeline refuses MGET; a person is in a team or two)
            async with self.redis.pipeline(transaction=False) as pipe:
                for (person, _), ids in zip(wanted, team_ids, strict=True):
                    workspace = WorkspaceKeys(person.workspace_ref)
                    for team in ids:
                        pipe.get(workspace.team(team))
                answers = iter(await pipe.execute())
            teams_of = [[next(answers) for _ in ids] for ids in team_ids]
        out = []
        for (person, years), answer, raw_teams in zip(wanted, read, teams_of, strict=True):
            promises, _, kudos, handovers, received, given, contacts, skipped, preps, history = answer
            out.append(NudgeInputs(
                open_promises=[codec.commitment_from_json(person, raw) for raw in promises if raw],
                teams=[codec.team_from_json(person.workspace_ref, raw) for raw in raw_teams if raw],
                recognitions_given=[codec.recognition_from_json(raw) for raw in kudos],
                handovers_given=[codec.handover_from_json(v) for v in _pairs(handovers).values()],
                history=history_of(list(years), history) if years else no_history(),
                favours_received=[codec.favour_from_json(raw) for raw in received],
                favours_given=[codec.favour_from_json(raw) for raw in given],
                last_contact=days_of(_pairs(contacts)), not_suggested=skipped_of(_pairs(skipped)),
                preps=[codec.prep_from_json(person, raw) for raw in preps]))
        return out
