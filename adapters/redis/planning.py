"""The morning nudge's inputs: many people's promises, teams, kudos, handovers, favours, last
contacts and habit history, read together in two round trips."""

from __future__ import annotations

from collections.abc import Sequence

from redis.asyncio import Redis

from adapters.redis import codec
from adapters.redis.contacts import days_of, skipped_of
from adapters.redis.habit_log import history_keys, history_of, no_history
from adapters.redis.keys import PersonKeys, WorkspaceKeys
from adapters.redis.records import text
from bot.ports import NudgeInputs
from habits.people import PersonRef


class RedisPlanning:
    """Reads across the person's records (their keys share one slot) and their teams'."""

    RECENT_KUDOS = 500  # enough to know whom someone recognised lately
    RECENT_FAVOURS = 50  # enough to know the help received since the last working morning

    def __init__(self, redis: Redis) -> None:
        self.redis = redis

    async def nudge_inputs(self, person: PersonRef, years: Sequence[int]) -> NudgeInputs:
        (inputs,) = await self.nudge_inputs_many([(person, years)])
        return inputs

    async def nudge_inputs_many(self, wanted: Sequence[tuple[PersonRef, Sequence[int]]],
                                ) -> list[NudgeInputs]:
        if not wanted:
            return []
        async with self.redis.pipeline(transaction=False) as pipe:
            for person, _ in wanted:
                keys = PersonKeys(person)
                pipe.zrange(keys.open_promises, 0, -1)
                pipe.smembers(keys.teams)
                pipe.lrange(keys.kudos_given, -self.RECENT_KUDOS, -1)
                pipe.hgetall(keys.handovers)
                pipe.lrange(keys.favours_received, -self.RECENT_FAVOURS, -1)
                pipe.lrange(keys.favours_given, -self.RECENT_FAVOURS, -1)
                pipe.hgetall(keys.contacts)
                pipe.hgetall(keys.contacts_skipped)
                pipe.hvals(keys.preps)
            first = await pipe.execute()
        lists = [first[i:i + 9] for i in range(0, len(first), 9)]
        async with self.redis.pipeline(transaction=False) as pipe:
            for (person, years), (open_ids, team_ids, *_) in zip(wanted, lists, strict=True):
                keys = PersonKeys(person)
                if open_ids:
                    pipe.hmget(keys.promises, open_ids)
                workspace = WorkspaceKeys(person.workspace_ref)
                for team_id in sorted(team_ids):
                    pipe.get(workspace.team(text(team_id)))
                if years:  # one tag, one slot: see RedisHabitLog.histories
                    pipe.execute_command("MGET", *history_keys(keys, years))
            answers = iter(await pipe.execute())
        out = []
        for (person, years), (open_ids, team_ids, kudos, handovers, received, given, contacts,
                              skipped, preps) in zip(wanted, lists, strict=True):
            promises = [codec.commitment_from_json(person, raw)
                        for raw in (next(answers) if open_ids else []) if raw]
            teams = [codec.team_from_json(person.workspace_ref, raw)
                     for raw in [next(answers) for _ in team_ids] if raw]
            history = history_of(list(years), next(answers)) if years else no_history()
            out.append(NudgeInputs(
                open_promises=promises, teams=teams,
                recognitions_given=[codec.recognition_from_json(raw) for raw in kudos],
                handovers_given=[codec.handover_from_json(v) for v in handovers.values()],
                history=history,
                favours_received=[codec.favour_from_json(raw) for raw in received],
                favours_given=[codec.favour_from_json(raw) for raw in given],
                last_contact=days_of(contacts), not_suggested=skipped_of(skipped),
                preps=[codec.prep_from_json(person, raw) for raw in preps]))
        return out
