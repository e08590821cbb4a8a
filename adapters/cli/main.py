"""The `rapport` command: serve, slack-worker, console, detect, tick."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import sys
from collections.abc import Sequence

from adapters import eventloop
from adapters.settings import Settings, SettingsError, load_settings
from bot.clock import NOW_VARIABLE, Clock, FixedClock, clock_at, moment

log = logging.getLogger("rapport")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="rapport",
        description="Rapport: soft power as everyday habits, in Slack and Microsoft Teams.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    commands.add_parser("serve", help="run the HTTP server (Slack, Teams, health, metrics)")
    console = commands.add_parser("console", help="talk to Rapport in this terminal")
    console.add_argument("--as", dest="person", default="me", help="who you are (default: me)")
    detect = commands.add_parser(
        "detect", help="read chat messages on stdin, write one JSON line each: a promise or not")
    detect.add_argument("--now", help="when the messages were sent (ISO 8601, default: now)")
    detect.add_argument("--tz", default="UTC", help="the authors' time zone (default: UTC)")
    commands.add_parser("slack-worker", help="process the Slack deliveries `serve` accepted "
                        "(with SLACK_PROCESS_INBOX=false), until SIGTERM")
    tick = commands.add_parser("tick", help="run everything due at a moment once, then exit")
    tick.add_argument("--now", help=f"the moment (ISO 8601 with an offset; default: "
                      f"${NOW_VARIABLE}, else now)")
    commands.add_parser("generate-key", help="print a new key for RAPPORT_ENCRYPTION_KEY")
    commands.add_parser("encrypt-tokens", help="re-encrypt every stored Slack installation with "
                        "the newest RAPPORT_ENCRYPTION_KEY (plain-text ones from earlier "
                        "versions too); run after adding a key, before removing the old one")
    package = commands.add_parser("teams-package",
                                  help="build the Teams app package (zip) for sideloading")
    package.add_argument("--app-id", required=True, help="MICROSOFT_APP_ID of the bot")
    package.add_argument("--domain", required=True, help="public host name of the bot")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    # RAPPORT_NOW runs every command as if it were then (the clock starts there and runs on):
    # for trying Rapport at another moment, and for tests that start a real process.
    try:
        clock = clock_at(os.environ.get(NOW_VARIABLE))
    except ValueError as error:
        print(f"{NOW_VARIABLE}: {error}", file=sys.stderr)
        return 2
    if args.command == "teams-package":
        from adapters.teams.package import build as build_package

        print(build_package(args.app_id, args.domain))
        return 0
    if args.command == "generate-key":
        from adapters.crypto import generate_key

        print(generate_key())
        return 0
    if args.command == "detect":
        from adapters.cli.detect import run as run_detect

        return run_detect(sys.stdin, sys.stdout, sys.stderr, now=args.now or clock.now().isoformat(),
                          tz=args.tz)
    try:
        settings = load_settings()
    except SettingsError as error:
        print(error, file=sys.stderr)
        return 2
    if args.command == "slack-worker" and not (settings.slack_bot_token or settings.slack_client_id):
        print("rapport slack-worker needs Slack settings: SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET "
              "(or SLACK_CLIENT_ID, SLACK_CLIENT_SECRET and SLACK_SIGNING_SECRET)", file=sys.stderr)
        return 2
    if args.command in ("serve", "slack-worker"):
        from adapters.observability import configure_logging

        configure_logging(settings.rapport_log_level)
    else:
        logging.basicConfig(level=settings.rapport_log_level,
                            format="%(asctime)s %(levelname)s %(name)s %(message)s")
    from adapters.redis.persistence import VolatileRedisError

    try:
        with contextlib.suppress(KeyboardInterrupt):
            if args.command == "serve":
                eventloop.run(_serve(settings, clock))
            elif args.command == "slack-worker":
                eventloop.run(_slack_worker(settings, clock))
            elif args.command == "console":
                asyncio.run(_console(settings, args.person, clock))
            elif args.command == "tick":
                return eventloop.run(_tick(settings, args.now, clock))
            elif args.command == "encrypt-tokens":
                return eventloop.run(_encrypt_tokens(settings, clock))
    except VolatileRedisError as error:
        print(f"rapport {args.command}: {error}", file=sys.stderr)
        return 2
    return 0


async def _serve(settings: Settings, clock: Clock) -> None:
    from adapters.bootstrap import build
    from adapters.web.server import serve

    runtime = await build(settings, clock)
    try:
        base = f"http://localhost:{settings.port}"
        slack = "on" if settings.slack_bot_token or settings.slack_client_id else \
            "off (set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET; see README, Install in Slack)"
        teams = {"authenticated": "Bot Framework auth", "local": "local mode, no auth"}.get(
            settings.teams_mode.value, "off: no MICROSOFT_APP_ID, see README, Install in Teams")
        print(f"Rapport is running on {base} (health: {base}/healthz, metrics: {base}/metrics)\n"
              "Try it:\n"
              "  in a terminal:  .venv/bin/rapport console   (then /help, or type "
              "\"I'll send the deck to @priya by Friday\")\n"
              f"  in Teams' Agents Playground ({teams}: {base}/api/messages):\n"
              "    npm ci --prefix teams/playground && npx --prefix teams/playground "
              f"agentsplayground -e {base}/api/messages -c msteams\n"
              f"  in Slack: {slack}", flush=True)
        await serve(runtime)
    finally:
        await runtime.close()


async def _slack_worker(settings: Settings, clock: Clock) -> None:
    """`rapport slack-worker`: the Slack platform's inbox worker until SIGTERM or SIGINT, with
    health and metrics (no platform routes) on PORT."""
    import signal

    from adapters.bootstrap import build
    from adapters.slack import SlackPlatform
    from adapters.slack.worker import work
    from adapters.web.server import make_app, start

    runtime = await build(settings, clock)
    try:
        slack = runtime.platform("slack")
        assert isinstance(slack, SlackPlatform)  # main() checked the Slack settings
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, runtime.stopping.set)
        runner = await start(make_app(runtime, platforms=()), "0.0.0.0", settings.port)
        try:
            await work(slack, runtime.stopping)
        finally:
            await runner.cleanup()
    finally:
        await runtime.close()


async def _console(settings: Settings, person: str, clock: Clock) -> None:
    from adapters.bootstrap import build
    from adapters.console.repl import Console, run

    runtime = await build(settings, clock, with_platforms=False)
    try:
        await run(Console(runtime.core, runtime.console_messenger, me=person,
                          exports=settings.rapport_data_dir / "exports"))
    finally:
        await runtime.close()


async def _encrypt_tokens(settings: Settings, clock: Clock) -> int:
    from adapters.bootstrap import build
    from adapters.crypto import Cipher
    from adapters.slack.installation import RedisInstallationStore

    key = settings.rapport_encryption_key
    if key is None:
        print("rapport encrypt-tokens: set RAPPORT_ENCRYPTION_KEY (make one with `rapport "
              "generate-key`)", file=sys.stderr)
        return 2
    runtime = await build(settings, clock, with_platforms=False)
    try:
        store = RedisInstallationStore(runtime.redis, Cipher.from_setting(key.get_secret_value()))
        installations, records = await store.encrypt_all()
        print(f"{installations} Slack installations: {records} records encrypted with the "
              "newest key")
    finally:
        await runtime.close()
    return 0


async def _tick(settings: Settings, now_text: str | None, process_clock: Clock) -> int:
    import json
    from dataclasses import asdict

    from adapters.bootstrap import build

    try:
        # One moment for the whole tick: --now, else the process clock's now (RAPPORT_NOW).
        clock = FixedClock(moment(now_text) if now_text else process_clock.now())
    except ValueError as error:
        print(f"--now: {error}", file=sys.stderr)
        return 2
    runtime = await build(settings, clock)  # the platforms' messengers, no web app
    try:
        report = await runtime.ticker().tick(clock.now())
        print(json.dumps({"now": clock.now().isoformat(), **asdict(report)}))
    finally:
        await runtime.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
