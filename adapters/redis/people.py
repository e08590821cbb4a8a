"""People: each person's profile, and the workspace's sets of people, juniors and sharers."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, cast

from redis.asyncio import Redis

from adapters.redis import codec
from adapters.redis.keys import PersonKeys, WorkspaceKeys
from adapters.redis.records import NoPersonalRecords, text
from habits.people import PersonRef, Profile, WorkspaceRef


class RedisPeople(NoPersonalRecords):
    """`rp:{u:…}:profile` hashes, and `rp:{w:…}:people`, `:juniors` and `:sharing` sets.

    `enrolled` and `quiet` are written one field at a time (enrol, interacted, quiet_many),
    never by save_profile, so that a concurrent settings change cannot undo them.
    """

    def __init__(self, redis: Redis) -> None:
        self.redis = redis

    async def profile(self, person: PersonRef) -> Profile:
        raw = await self.redis.hgetall(PersonKeys(person).profile)
        return _profile(person, raw)

    async def save_profile(self, profile: Profile) -> None:
        keys = PersonKeys(profile.person)
        fields = cast(Mapping[str | bytes, str | bytes], codec.profile_to_hash(profile))
        workspace = WorkspaceKeys(profile.person.workspace_ref)
        await self.redis.hset(keys.profile, mapping=fields)  # type: ignore[arg-type]
        # Consent is only ever written by `enrol`; a first save records its absence.
        await self.redis.hsetnx(keys.profile, "enrolled", "1" if profile.enrolled else "0")
        await self.redis.sadd(workspace.people, profile.person.user)
        if profile.share_with_managers:
            await self.redis.sadd(workspace.sharing, profile.person.user)
        else:
            await self.redis.srem(workspace.sharing, profile.person.user)

    async def enrol(self, person: PersonRef) -> None:
        async with self.redis.pipeline(transaction=False) as pipe:  # two slots on a cluster
            pipe.hset(PersonKeys(person).profile, mapping={"enrolled": "1", "quiet": "0"})
            pipe.sadd(WorkspaceKeys(person.workspace_ref).people, person.user)
            await pipe.execute()

    async def interacted(self, person: PersonRef) -> None:
        await self.redis.hset(PersonKeys(person).profile, "quiet", "0")

    async def quiet_many(self, people: Sequence[PersonRef]) -> None:
        if not people:
            return
        async with self.redis.pipeline(transaction=False) as pipe:
            for person in people:
                pipe.hincrby(PersonKeys(person).profile, "quiet", 1)
            await pipe.execute()

    async def sharing(self, workspace: WorkspaceRef) -> set[str]:
        return {text(user) for user in
                await self.redis.smembers(WorkspaceKeys(workspace).sharing)}

    async def profiles(self, people: Sequence[PersonRef]) -> list[Profile]:
        async with self.redis.pipeline(transaction=False) as pipe:
            for person in people:
                pipe.hgetall(PersonKeys(person).profile)
            raws = await pipe.execute()
        return [_profile(person, raw) for person, raw in zip(people, raws, strict=True)]

    async def is_junior(self, person: PersonRef) -> bool:
        return bool(await self.redis.sismember(
            WorkspaceKeys(person.workspace_ref).juniors, person.user))

    async def in_workspace(self, workspace: WorkspaceRef) -> list[str]:
        """User ids of everyone in the workspace with a profile, sorted."""
        return sorted(text(user) for user in
                      await self.redis.smembers(WorkspaceKeys(workspace).people))

    async def export(self, person: PersonRef) -> dict[str, Any]:
        return {
            "person": {"platform": person.platform, "workspace": person.workspace,
                       "user": person.user},
            "profile": codec.profile_to_export(await self.profile(person)),
            "junior": await self.is_junior(person),
        }

    async def forget(self, person: PersonRef) -> None:
        workspace = WorkspaceKeys(person.workspace_ref)
        await self.redis.srem(workspace.juniors, person.user)
        await self.redis.srem(workspace.people, person.user)
        await self.redis.srem(workspace.sharing, person.user)


def _profile(person: PersonRef, raw: Mapping[bytes | str, bytes | str]) -> Profile:
    return codec.profile_from_hash(person, {text(k): text(v) for k, v in raw.items()})
