"""The Redis implementation of every storage port the core uses, composed in `redis_ports`.

Each kind of record has its own module in this package (people, commitments, recognitions,
handovers, habit_log, teams, team_figures, offers, marks, planning, ...), owning its keys, its
codec use and its share of the privacy controls (adapters.redis.records.PersonalRecords).
Writes that must hang together (a new promise and its index, a person's profile) run in one
MULTI/EXEC transaction over keys of one hash tag, so they are atomic on a single server and on
Redis Cluster alike.
"""

from __future__ import annotations

from redis.asyncio import Redis

from adapters.redis.coaching import RedisCoaching
from adapters.redis.commitments import RedisCommitments
from adapters.redis.contacts import RedisContacts
from adapters.redis.dashboard_links import RedisDashboardLinks
from adapters.redis.dedupe import RedisDedupe
from adapters.redis.due import RedisDueWork
from adapters.redis.favours import RedisFavours
from adapters.redis.habit_log import RedisHabitLog
from adapters.redis.handovers import RedisHandovers
from adapters.redis.health import RedisHealth
from adapters.redis.marks import RedisNudgeMarks
from adapters.redis.offers import RedisOffers
from adapters.redis.people import RedisPeople
from adapters.redis.personal_data import RedisPersonalData
from adapters.redis.planning import RedisPlanning
from adapters.redis.preps import RedisPreps
from adapters.redis.recognitions import RedisRecognitions
from adapters.redis.requests import RedisRequests
from adapters.redis.stats import RedisStats
from adapters.redis.team_figures import RedisTeamFigures
from adapters.redis.teams import RedisTeams
from bot.ports import Ports

__all__ = [
    "RedisCoaching", "RedisCommitments", "RedisContacts", "RedisDedupe", "RedisDueWork", "RedisFavours",
    "RedisHabitLog", "RedisHandovers",
    "RedisHealth", "RedisNudgeMarks", "RedisOffers", "RedisPeople", "RedisPersonalData",
    "RedisPlanning", "RedisPreps", "RedisRecognitions", "RedisRequests", "RedisStats",
    "RedisTeamFigures", "RedisTeams",
    "redis_ports",
]


def redis_ports(redis: Redis, public_url: str | None = None) -> Ports:
    """Every port the core needs, over one Redis client (nothing connects until first used).

    A store that holds personal data is also listed for RedisPersonalData, which exports,
    forgets and expires through it (adapters.redis.records.PersonalRecords). `public_url`
    (RAPPORT_PUBLIC_URL) is where the team dashboard's links point.
    """
    people, commitments = RedisPeople(redis), RedisCommitments(redis)
    recognitions, handovers = RedisRecognitions(redis), RedisHandovers(redis)
    habits, teams, offers = RedisHabitLog(redis), RedisTeams(redis), RedisOffers(redis)
    favours, contacts = RedisFavours(redis), RedisContacts(redis)
    coaching, preps, requests = RedisCoaching(redis), RedisPreps(redis), RedisRequests(redis)
    personal_data = RedisPersonalData(
        redis, [people, commitments, recognitions, handovers, habits, teams, offers, favours,
                contacts, coaching, preps, requests])
    return Ports(
        people=people,
        commitments=commitments,
        recognitions=recognitions,
        handovers=handovers,
        habits=habits,
        personal_data=personal_data,
        dedupe=RedisDedupe(redis),
        health=RedisHealth(redis),
        offers=offers,
        stats=RedisStats(redis),
        due=RedisDueWork(redis),
        teams=teams,
        nudge_marks=RedisNudgeMarks(redis),
        figures=RedisTeamFigures(redis),
        dashboard_links=RedisDashboardLinks(redis, public_url),
        planning=RedisPlanning(redis),
        favours=favours,
        contacts=contacts,
        coaching=coaching,
        preps=preps,
        requests=requests,
    )
