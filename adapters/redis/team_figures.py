"""Team figures: each team's weekly counts and who was active in each habit, kept as events
happen so that a summary is a few reads."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from redis.asyncio import Redis

from adapters.redis import codec
from adapters.redis.keys import PersonKeys, WorkspaceKeys
from adapters.redis.records import text
from habits.people import PersonRef
from habits.streaks import Habit
from habits.summary import WeekFigures
from habits.teams import Team, counts_in_teams

# A member's counts reach their teams' figures here, and only the teams they are a member of
# (not those they only manage). KEYS: per team, the team, its members set, its week hash and its
# active set for the habit (all of one workspace: one slot). ARGV[1] the user, ARGV[2] the ttl,
# ARGV[3] "1" to mark them active, then name, by, name, by ... A team stored before the members
# set existed gets it from its JSON. Returns how many teams counted it.
_RECORD = """
local counted = 0
for i = 1, #KEYS, 4 do
  local members = KEYS[i + 1]
  if redis.call('EXISTS', members) == 0 then
    local doc = redis.call('GET', KEYS[i])
    if doc then
      local ids = cjson.decode(doc).members
      for k = 1, #ids, 1000 do
        redis.call('SADD', members, unpack(ids, k, math.min(k + 999, #ids)))
      end
    end
  end
  if redis.call('SISMEMBER', members, ARGV[1]) == 1 then
    counted = counted + 1
    for j = 4, #ARGV, 2 do
      redis.call('HINCRBY', KEYS[i + 2], ARGV[j], ARGV[j + 1])
    end
    if #ARGV > 3 then redis.call('EXPIRE', KEYS[i + 2], ARGV[2]) end
    if ARGV[3] == '1' then
      redis.call('SADD', KEYS[i + 3], ARGV[1])
      redis.call('EXPIRE', KEYS[i + 3], ARGV[2])
    end
  end
end
return counted
"""


class RedisTeamFigures:
    """`rp:{w:…}:team:<id>:week:<week>` (a hash of counts) and
    `…:week:<week>:active:<habit>` (a set of members), both expiring after a year or so."""

    WEEKS_KEPT = 60 * 7 * 24 * 3600  # a little over a year of weekly figures

    def __init__(self, redis: Redis) -> None:
        self.redis = redis
        self._record = redis.register_script(_RECORD)

    async def record(self, person: PersonRef, week: str, counts: Mapping[str, int],
                     active: Habit | None = None) -> None:
        mine = PersonKeys(person)
        async with self.redis.pipeline(transaction=False) as pipe:  # one slot: the person's
            pipe.smembers(mine.teams)
            pipe.hmget(mine.profile, ["enrolled", "nudges", "since"])
            team_ids, (enrolled, nudges, since) = await pipe.execute()
        if not team_ids or not (counts or active):
            return
        seen = {field: text(value) for field, value in
                (("enrolled", enrolled), ("nudges", nudges), ("since", since)) if value is not None}
        if not counts_in_teams(codec.profile_from_hash(person, seen)):
            return  # not told yet, or opted out: their activity stays out of every team
        keys = WorkspaceKeys(person.workspace_ref)
        script_keys: list[str] = []
        for team_id in sorted(text(t) for t in team_ids):
            script_keys += [keys.team(team_id), keys.team_members(team_id),
                            keys.team_week(team_id, week),
                            keys.team_active(team_id, week, active or Habit.KEEP)]
        args: list[str | int] = [person.user, self.WEEKS_KEPT, "1" if active else "0"]
        for name, by in counts.items():
            args += [name, by]
        await self._record(keys=script_keys, args=args)

    async def weeks(self, team: Team, weeks: Sequence[str]) -> list[WeekFigures]:
        keys = WorkspaceKeys(team.workspace)
        habits = list(Habit)
        async with self.redis.pipeline(transaction=False) as pipe:
            for week in weeks:
                pipe.hgetall(keys.team_week(team.team_id, week))
                for habit in habits:
                    pipe.scard(keys.team_active(team.team_id, week, habit))
            raw = await pipe.execute()
        out: list[WeekFigures] = []
        stride = 1 + len(habits)
        for index, week in enumerate(weeks):
            chunk = raw[index * stride:(index + 1) * stride]
            counts = {text(k): int(v) for k, v in chunk[0].items()}
            out.append(WeekFigures(week, counts, dict(zip(habits, map(int, chunk[1:]), strict=True))))
        return out

    async def forget(self, person: PersonRef, teams: Sequence[Team]) -> None:
        for team in teams:
            keys = WorkspaceKeys(team.workspace)
            pattern = keys.team_week(team.team_id, "*")
            async for key in self.redis.scan_iter(match=pattern + ":active:*", count=1000):
                await self.redis.srem(key, person.user)
