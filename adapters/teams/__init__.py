"""Microsoft Teams: botbuilder's CloudAdapter on the app's aiohttp server, translating to and
from the neutral core.

Every botbuilder import lives in this folder, so that moving to the Microsoft 365 Agents SDK
(the archived Python Bot Framework SDK's successor) touches nothing else. `mount(app, runtime)`
adds `POST /api/messages`; docs/teams.md describes the whole adapter.
"""

from adapters.teams.http import TEAMS, TeamsAdapter, TeamsOptions, mount

__all__ = ["TEAMS", "TeamsAdapter", "TeamsOptions", "mount"]
