"""Teams: each team's JSON, its members set, the workspace's team ids and names, and each
person's index of their teams."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from redis.asyncio import Redis

from adapters.redis import codec
from adapters.redis.keys import PersonKeys, WorkspaceKeys
from adapters.redis.records import NoPersonalRecords, text
from adapters.redis.team_figures import RedisTeamFigures
from habits.people import PersonRef, WorkspaceRef
from habits.teams import Team, name_key

# KEYS[1] the workspace's index of team names (name key -> team id), KEYS[2] the team, KEYS[3]
# the workspace's set of team ids; ARGV: the name key, the team id, the team's JSON.
# Returns the id of the team already holding that name, or false when this one was stored.
_CREATE_TEAM = """
local holder = redis.call('HGET', KEYS[1], ARGV[1])
if holder then return holder end
if redis.call('EXISTS', KEYS[2]) == 1 then return ARGV[2] end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('SET', KEYS[2], ARGV[3])
redis.call('SADD', KEYS[3], ARGV[2])
return false
"""


class RedisTeams(NoPersonalRecords):
    """A team is one JSON string; beside it, the set of its members (what RedisTeamFigures
    checks an event against) and, per workspace, the index of team names by their look-alike
    key (habits.teams.name_key) that keeps names unique."""

    def __init__(self, redis: Redis) -> None:
        self.redis = redis
        self._create = redis.register_script(_CREATE_TEAM)

    async def get(self, workspace: WorkspaceRef, team_id: str) -> Team | None:
        raw = await self.redis.get(WorkspaceKeys(workspace).team(team_id))
        return codec.team_from_json(workspace, raw) if raw else None

    async def create(self, team: Team) -> Team | None:
        keys = WorkspaceKeys(team.workspace)
        key = name_key(team.name)
        legacy = await self.named(team.workspace, key)  # teams from before the index, too
        if legacy is not None:
            return legacy
        for _ in range(2):
            holder = await self._create(keys=[keys.team_names, keys.team(team.team_id),
                                              keys.teams],
                                        args=[key, team.team_id, codec.team_to_json(team)])
            if not holder:
                await self._save(team, None)  # the people's indexes and the members set
                return None
            found = await self.get(team.workspace, text(holder))
            if found is not None:
                return found
            await self.redis.hdel(keys.team_names, key)  # its team is gone: a stale entry
        return team

    async def named(self, workspace: WorkspaceRef, key: str) -> Team | None:
        keys = WorkspaceKeys(workspace)
        holder = await self.redis.hget(keys.team_names, key)
        if holder:
            found = await self.get(workspace, text(holder))
            if found is not None:
                return found
        for team in await self.in_workspace(workspace):
            if name_key(team.name) == key:
                await self.redis.hset(keys.team_names, key, team.team_id)
                return team
        return None

    async def save(self, team: Team) -> None:
        await self._save(team, await self.get(team.workspace, team.team_id))

    async def _save(self, team: Team, before: Team | None) -> None:
        keys = WorkspaceKeys(team.workspace)
        old = (before.members | before.managers) if before else frozenset()
        new = team.members | team.managers
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.set(keys.team(team.team_id), codec.team_to_json(team))
            pipe.sadd(keys.teams, team.team_id)
            pipe.hsetnx(keys.team_names, name_key(team.name), team.team_id)
            pipe.delete(keys.team_members(team.team_id))
            if team.members:
                pipe.sadd(keys.team_members(team.team_id), *team.members)
            await pipe.execute()
        for user in new - old:
            await self.redis.sadd(PersonKeys(team.person(user)).teams, team.team_id)
        for user in old - new:
            await self.redis.srem(PersonKeys(team.person(user)).teams, team.team_id)
        await self._sync_juniors(team, before)

    async def _sync_juniors(self, team: Team, before: Team | None) -> None:
        """The workspace's junior set: everyone marked junior in at least one team."""
        juniors = WorkspaceKeys(team.workspace).juniors
        dropped = (before.juniors if before else frozenset()) - team.juniors
        if team.juniors:
            await self.redis.sadd(juniors, *team.juniors)
        for user in dropped:
            others = await self.of_person(team.person(user))
            if not any(user in other.juniors for other in others if other.team_id != team.team_id):
                await self.redis.srem(juniors, user)

    async def delete(self, team: Team) -> None:
        keys = WorkspaceKeys(team.workspace)
        emptied = Team(team.workspace, team.team_id, team.name)
        await self._sync_juniors(emptied, team)
        for user in team.members | team.managers:
            await self.redis.srem(PersonKeys(team.person(user)).teams, team.team_id)
        key = name_key(team.name)
        holds_name = text(await self.redis.hget(keys.team_names, key) or b"") == team.team_id
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.delete(keys.team(team.team_id), keys.team_members(team.team_id))
            pipe.srem(keys.teams, team.team_id)
            if holds_name:
                pipe.hdel(keys.team_names, key)
            await pipe.execute()

    async def of_person(self, person: PersonRef) -> list[Team]:
        ids = sorted(text(i) for i in await self.redis.smembers(PersonKeys(person).teams))
        return await self._many(person.workspace_ref, ids)

    async def in_workspace(self, workspace: WorkspaceRef) -> list[Team]:
        ids = sorted(text(i) for i in await self.redis.smembers(WorkspaceKeys(workspace).teams))
        return await self._many(workspace, ids)

    async def _many(self, workspace: WorkspaceRef, ids: Sequence[str]) -> list[Team]:
        """Teams by id in one round trip (one MGET: a workspace's keys share one slot)."""
        if not ids:
            return []
        keys = WorkspaceKeys(workspace)
        raws = cast(list[bytes | None], await self.redis.mget([keys.team(i) for i in ids]))
        return [codec.team_from_json(workspace, raw) for raw in raws if raw]

    # Personal data (adapters.redis.records.PersonalRecords)

    async def export(self, person: PersonRef) -> dict[str, Any]:
        return {"teams": [{"team": t.name, "member": person.user in t.members,
                           "junior": person.user in t.juniors,
                           "manager": person.user in t.managers}
                          for t in await self.of_person(person)]}

    async def forget(self, person: PersonRef) -> None:
        """Out of every team they are in (and its raw figures: who was active which week)."""
        mine = await self.of_person(person)
        await RedisTeamFigures(self.redis).forget(person, mine)
        user = person.user
        for team in mine:
            await self.save(Team(team.workspace, team.team_id, team.name,
                                 members=team.members - {user}, juniors=team.juniors - {user},
                                 managers=team.managers - {user},
                                 min_group_size=team.min_group_size))
