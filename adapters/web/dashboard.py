"""The team dashboard page: bot.dashboard's data as HTML with server-rendered SVG charts.

    GET /team/dashboard/{token}   opens a single-use link (`/team dashboard` in chat): the token
                                  is consumed, a session cookie is set, the page is shown
    GET /team/dashboard           the page again, for as long as the session lasts

Secure by default: nothing is shown without a live session or an unused link; a used, expired,
forwarded-after-use or malformed link gets the same 403 page, which says nothing of whom it
was for. The page has no script at all, loads nothing from anywhere (a Content-Security-Policy
of `default-src 'none'`, its one style block allowed by its hash), is never cached or framed
and sends no Referer. Every text from a person or a team is escaped with html.escape. HEAD is
not served (it would consume a link), and link-preview robots (Slack's and Teams' unfurlers)
get the 403 page without consuming the link. docs/managers.md describes it.
"""

from __future__ import annotations

import base64
import hashlib
import html
from collections.abc import Awaitable, Callable

from aiohttp import web

from adapters.redis.dashboard_links import ROUTE, RedisDashboardLinks
from bot.clock import Clock
from bot.dashboard import Chart, Dashboard, TeamNote, TeamPanel, Viewer, dashboard
from bot.ports import Ports

COOKIE = "rapport_dashboard"
# Link-preview robots that fetch a link posted in chat; they must not consume it.
PREVIEWERS = ("slackbot", "slack-imgproxy", "skypeuripreview", "teamsbot", "msteams",
              "bingpreview", "facebookexternalhit", "twitterbot", "discordbot")

STYLE = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;background:#f6f7f9;
color:#1d2330}
header{background:#243b55;color:#fff;padding:18px 28px}
header h1{margin:0;font-size:22px}
header p{margin:6px 0 0;font-size:14px;opacity:.85}
main{padding:12px 28px 28px}
section.team{background:#fff;border:1px solid #dde1e7;border-radius:8px;margin:16px 0;
padding:14px 18px}
section.team h2{margin:0 0 4px;font-size:19px}
p.size{margin:0 0 10px;color:#4a5365;font-size:14px}
p.note{color:#7a4b00;background:#fff6e0;border-radius:6px;padding:10px 12px;margin:6px 0}
div.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(250px,1fr));gap:12px}
figure{margin:0;border:1px solid #eceff3;border-radius:6px;padding:8px 10px}
figcaption{font-size:13px;font-weight:600;margin-bottom:4px}
figure p{margin:2px 0 0;font-size:12px;color:#4a5365}
svg{display:block;width:100%;height:auto}
rect.bar{fill:#3b82c4}
rect.bar.share{fill:#2f9e6e}
rect.bar.now{fill:#e07b28}
line.axis{stroke:#9aa3b2;stroke-width:1}
text.tick{font-size:9px;fill:#6b7486}
h3{font-size:15px;margin:16px 0 6px}
table{border-collapse:collapse;font-size:13px}
th,td{border-bottom:1px solid #eceff3;padding:4px 10px;text-align:left}
p.empty{color:#4a5365}
footer{padding:0 28px 24px;font-size:12px;color:#6b7486}
"""
_STYLE_HASH = base64.b64encode(hashlib.sha256(STYLE.encode()).digest()).decode()
CSP = ("default-src 'none'; " f"style-src 'sha256-{_STYLE_HASH}'; "
       "img-src 'none'; script-src 'none'; base-uri 'none'; form-action 'none'; "
       "frame-ancestors 'none'")
HEADERS = {
    "Content-Security-Policy": CSP,
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
}
REFUSED = ("This dashboard link has already been used, has expired, or is not yours. Each link "
           "opens once, for the person who asked for it, within 10 minutes; the page then works "
           "for 30 minutes. Ask Rapport for a new one with /team dashboard.")

# The charts' geometry (SVG user units).
WIDTH, HEIGHT, TOP, BOTTOM, LEFT = 240, 96, 8, 16, 30


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _value(value: float) -> str:
    """A figure as a data attribute: 0.8, 3, 0.333333."""
    return format(value, ".6g")


def _shown(chart: Chart, value: float) -> str:
    return f"{value:.0%}" if chart.unit == "share" else f"{value:g}"


def chart_svg(chart: Chart, weeks: tuple[str, ...]) -> str:
    """One bar per week, scaled to the largest (a share to 100%); each bar carries its week and
    its figure as data attributes, and a tooltip."""
    top = 1.0 if chart.unit == "share" else max(max(chart.values, default=0.0), 1.0)
    inner_w, inner_h = WIDTH - LEFT - 2, HEIGHT - TOP - BOTTOM
    step = inner_w / max(len(chart.values), 1)
    bars = []
    for index, (week, value) in enumerate(zip(weeks, chart.values, strict=True)):
        height = inner_h * min(value, top) / top
        x = LEFT + index * step + step * 0.15
        now = " now" if index == len(chart.values) - 1 else ""
        bars.append(
            f'<rect class="bar {chart.unit}{now}" x="{x:.1f}" y="{TOP + inner_h - height:.1f}" '
            f'width="{step * 0.7:.1f}" height="{height:.1f}" data-week="{_e(week)}" '
            f'data-value="{_value(value)}"><title>{_e(week)}: {_e(_shown(chart, value))}</title>'
            "</rect>")
    label = "100%" if chart.unit == "share" else _value(top)
    first, last = (weeks[0], weeks[-1]) if weeks else ("", "")
    return (
        f'<svg viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{_e(chart.title)}" '
        f'data-chart="{_e(chart.key)}" data-unit="{chart.unit}" xmlns="http://www.w3.org/2000/svg">'
        f'<line class="axis" x1="{LEFT}" y1="{TOP + inner_h}" x2="{WIDTH - 2}" y2="{TOP + inner_h}"/>'
        f'<line class="axis" x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{TOP + inner_h}"/>'
        f'<text class="tick" x="{LEFT - 3}" y="{TOP + 7}" text-anchor="end">{_e(label)}</text>'
        f'<text class="tick" x="{LEFT - 3}" y="{TOP + inner_h}" text-anchor="end">0</text>'
        f'<text class="tick" x="{LEFT}" y="{HEIGHT - 3}">{_e(first)}</text>'
        f'<text class="tick" x="{WIDTH - 2}" y="{HEIGHT - 3}" text-anchor="end">{_e(last)}</text>'
        + "".join(bars) + "</svg>")


def _figure(chart: Chart, weeks: tuple[str, ...]) -> str:
    this = chart.values[-1] if chart.values else 0.0
    summary = (f"This week {_shown(chart, this)}" if chart.unit == "share" else
               f"This week {_shown(chart, this)} · {len(weeks)} weeks {sum(chart.values):g}")
    return (f"<figure><figcaption>{_e(chart.title)}</figcaption>{chart_svg(chart, weeks)}"
            f"<p>{_e(summary)}</p></figure>")


def _panel(panel: TeamPanel) -> str:
    size = (f"{panel.counted} members" if panel.counted == panel.members
            else f"{panel.counted} of {panel.members} members counted")
    parts = [f'<section class="team" data-team="{_e(panel.team_id)}">',
             f"<h2>{_e(panel.name)}</h2>",
             f'<p class="size">{_e(size)} · last {len(panel.weeks)} weeks, '
             f"{_e(panel.weeks[0])} to {_e(panel.weeks[-1])}</p>",
             '<div class="grid">', *(_figure(c, panel.weeks) for c in panel.charts), "</div>"]
    if panel.sharing:
        habits = [title for title, _ in panel.sharing[0].streaks]
        parts += ["<h3>People who chose to share their figures (current streaks)</h3>",
                  "<table><thead><tr><th>Name</th>",
                  *(f"<th>{_e(title)}</th>" for title in habits), "</tr></thead><tbody>"]
        for person in panel.sharing:
            parts += ["<tr>", f"<td>{_e(person.name)}</td>",
                      *(f"<td>{streak}</td>" for _, streak in person.streaks), "</tr>"]
        parts.append("</tbody></table>")
    parts.append("</section>")
    return "".join(parts)


def _note(note: TeamNote) -> str:
    return (f'<section class="team withheld" data-team="{_e(note.team_id)}">'
            f'<h2>{_e(note.name)}</h2><p class="note">{_e(note.note)}</p></section>')


def _page(title: str, body: str, lead: str) -> str:
    return ('<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            '<meta name="referrer" content="no-referrer">'
            f"<title>{_e(title)}</title><style>{STYLE}</style></head><body>"
            f"<header><h1>{_e(title)}</h1><p>{_e(lead)}</p></header>"
            f"<main>{body}</main>"
            "<footer>Aggregates of counted members only; names only of people who chose to "
            "share; never message texts. The same figures as /team in chat.</footer>"
            "</body></html>")


def render(board: Dashboard) -> str:
    """The whole page for `board` (every text escaped)."""
    body = "".join(_panel(t) if isinstance(t, TeamPanel) else _note(t) for t in board.teams)
    if not board.teams:
        body = ('<p class="empty">You don\'t manage a team in Rapport. A workspace admin creates '
                "teams and names their managers.</p>")
    return _page("Rapport — team dashboard", body,
                 f"Week {board.week} · weekly habits over the last 12 weeks · this page works "
                 "for 30 minutes after you opened the link")


def refused_page() -> str:
    return _page("Rapport — team dashboard", f'<p class="note">{_e(REFUSED)}</p>',
                 "Nothing to show")


def _respond(text: str, status: int = 200) -> web.Response:
    return web.Response(text=text, status=status, content_type="text/html", charset="utf-8",
                        headers=HEADERS)


def _refuse() -> web.Response:
    return _respond(refused_page(), 403)


def _is_previewer(request: web.Request) -> bool:
    agent = request.headers.get("User-Agent", "").lower()
    return any(robot in agent for robot in PREVIEWERS)


Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class DashboardPage:
    """The two routes, over the links' store and the core's ports."""

    def __init__(self, links: RedisDashboardLinks, ports: Ports, clock: Clock) -> None:
        self.links = links
        self.ports = ports
        self.clock = clock

    def routes(self) -> list[tuple[str, Handler]]:
        return [(ROUTE, self.page), (ROUTE + "/{token}", self.open)]

    async def _show(self, viewer: Viewer) -> web.Response:
        return _respond(render(await dashboard(self.ports, viewer, self.clock.now())))

    async def _session(self, request: web.Request) -> Viewer | None:
        session = request.cookies.get(COOKIE)
        return None if session is None else await self.links.session(session)

    async def open(self, request: web.Request) -> web.Response:
        """Consume the link and start a session; a reload in that session shows the page again."""
        if _is_previewer(request):
            return _refuse()
        opened = await self.links.open(request.match_info["token"])
        if opened is None:
            viewer = await self._session(request)
            return _refuse() if viewer is None else await self._show(viewer)
        viewer, session = opened
        response = await self._show(viewer)
        response.set_cookie(COOKIE, session, max_age=self.links.session_seconds, path=ROUTE,
                            secure=self.links.secure, httponly=True, samesite="Strict")
        return response

    async def page(self, request: web.Request) -> web.Response:
        viewer = await self._session(request)
        return _refuse() if viewer is None else await self._show(viewer)
