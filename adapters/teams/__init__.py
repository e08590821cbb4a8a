"""Microsoft Teams: botbuilder's CloudAdapter on the app's aiohttp server, translating to and
from the neutral core.

Every botbuilder import lives in this folder, so that moving to the Microsoft 365 Agents SDK
(the archived Python Bot Framework SDK's successor) touches nothing else. `TeamsPlatform(parts)`
serves `POST /api/messages`; the composition root builds it unless Settings.teams_mode is off.
docs/teams.md describes the whole adapter.
"""

from adapters.teams.http import TeamsAdapter, TeamsOptions
from adapters.teams.platform import TeamsPlatform, teams_enabled

__all__ = ["TeamsAdapter", "TeamsOptions", "TeamsPlatform", "teams_enabled"]
