"""Throughput of habits.detection.detect over a realistic chat mix, on one core.

    .venv/bin/python bench/detection.py [--messages 20000] [--rounds 7] [--seed 7]
    .venv/bin/python bench/detection.py --against-sources   (what compiling it gains: setup.py)

About 1 message in 10 is a promise, about 1 in 6 is a hard negative that carries a
commitment cue ("I'll be out", "Sam will", "if I have time I'll ..."), the rest is
ordinary chatter, requests and status updates, with Slack/Teams markup sprinkled in.

Machines here are noisy, so each round times ``detect`` and two baselines over the same
messages back to back in one process, and the medians are reported together with the
ratios: baseline A = one precompiled ``re.search`` per message, baseline B =
``str.lower()`` per message.

Length mix: chat is mostly short with a long tail, so the mix is also timed as a realistic
distribution of lengths (BANDS: 40% up to 40 characters, 35% to 120, 15% to 300, 7% to 800, 3%
to 2,048) and band by band, each against the baseline rules (habits/detection at
bench/detection_report.BASELINE_REV, loaded side by side and timed in the same rounds, so the
ratio holds on a noisy machine). Targets: 20,000 messages/s on the mix, 5,000/s at 2 KB.

Long messages: the cost per KB of adversarial text (one cue, date word or tag repeated,
the texts that were quadratic before detection was made linear), best of --rounds runs,
against the cost per KB of the chat mix above, and a 40,000-character message (what Slack
delivers at most) against one of MAX_EXAMINED characters: detection reads only that much.
"""

from __future__ import annotations

import argparse
import random
import re
import statistics
import sys
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.detection_report import BASELINE_REV, load_baseline, load_pure_sources
from bench.figures import record
from habits.detection import MAX_EXAMINED, QUICK_LENGTH, detect

NAMES = ["Priya", "Sam", "Lee", "Maria", "Jo", "Ana", "Tom", "Chen", "Ola", "Raj"]
MENTIONS = ["<@U024BE7LH>", "<@U03SAM|sam>", "<at>Priya Das</at>", "@jo", "<@U09ZZ>"]
THINGS = [
    "the deck", "the invoice", "the release notes", "the Q3 numbers", "the contract",
    "the PR", "the migration plan", "the recording", "the onboarding doc", "the fix",
    "the budget", "a summary", "the agenda", "the access details", "the test report",
]  # fmt: skip
VERBS = ["send", "review", "update", "share", "finish", "check", "fix", "draft", "upload", "ping"]
DUES = [
    "by Friday", "tomorrow", "tmrw", "by EOD", "by 3pm", "next week", "on Dec 5", "in 2 hours",
    "tonight", "this afternoon", "by end of week", "on Monday morning", "", "", "", "in a bit",
]  # fmt: skip
OPENERS = ["", "", "Sure, ", "ok ", "Thanks! ", "Good call. ", "yep ", "No worries, "]
PROMISE_FORMS = [
    "{o}I'll {v} {t} {d}",
    "{o}ill {v} {t} {d}",
    "{o}I will {v} {t} {d}",
    "{o}I'm going to {v} {t} {d}",
    "{o}gonna {v} {t} {d}",
    "{o}let me {v} {t} and get back to you {d}",
    "{m} I'll {v} {t} {d} :+1:",
    "<p>I&#39;ll {v} {t} {d}</p>",
    "on it, will {v} {t} {d}",
    "Leave it with me, I'll {v} {t} {d}",
]
HARD_NEGATIVES = [
    "I'll be out {d}",
    "I'll be late to standup",
    "{n} will {v} {t} {d}",
    "can you let me know {d}?",
    "if I have time I'll {v} {t}",
    "I think I'll skip the offsite",
    "will you {v} {t} {d}?",
    "I won't be able to {v} {t} {d}",
    "I'll bet it's DNS",
    "should I {v} {t}?",
    "> I'll {v} {t} {d}\nany update on this?",
    "I already {v}ed {t}",
    "we're going to {v} {t} {d}",
    "```\n# I'll {v} it later\n```",
]
CHATTER = [
    "thanks!",
    "lgtm :rocket:",
    "morning all",
    "Standup in 5",
    "The build is failing on main again, looks like a flaky test in the payments suite",
    "Meeting moved to {d2}",
    "can you {v} {t} {d}?",
    "please {v} {t} {d}",
    "{m} nice work on {t} 🎉",
    "Deployed {t} to staging, all green ✅",
    "Has anyone seen this error before? <https://example.com/logs/123|logs>",
    "FYI the office is closed on Monday",
    "I think we should use Postgres for this, the JSON support is better",
    "Reminder: timesheets are due Friday <!here>",
    "Who's taking notes today?",
    "{n} did you get a chance to look at {t}?",
    "Working on {t} today, blocked on the API key",
    "haha yes",
    "<p>Great job everyone on the launch&nbsp;&amp; thanks for the late nights</p>",
    "I agree with {n}, let's go with option B",
    "Here's the link: <https://docs.example.com/spec|spec> — comments welcome",
    "sounds good",
    "I'm in meetings until 3, then free",
    "Quick q: what's the on-call rotation for next week?",
    "`kubectl rollout restart deploy/api` fixed it",
]
ZONES = ["Europe/London", "America/New_York", "Asia/Kolkata", "Australia/Sydney", "UTC"]
# Repeated to fill a message: each of these was quadratic (or worse) in its length before.
ADVERSARIAL = [
    "i can ", "will do ", "I'll and I'll and ", "I'll be and send ", "if i can ", "sat ",
    "I'll send it by by by ", "let me be ", "<p I'll ", "<pre>I'll ", '<div itemtype="I\'ll ',
    "I will. ", "1/2 ", "x&will'", "I'll send it to @a @b ",
]  # fmt: skip


def _fill(form: str, rng: random.Random) -> str:
    return " ".join(
        form.format(
            o=rng.choice(OPENERS),
            v=rng.choice(VERBS),
            t=rng.choice(THINGS),
            d=rng.choice(DUES),
            d2=rng.choice(["Tuesday 3pm", "tomorrow", "next week"]),
            m=rng.choice(MENTIONS),
            n=rng.choice(NAMES),
        ).split(" ")
    ).strip()


def make_mix(n: int, seed: int) -> list[tuple[str, datetime, ZoneInfo]]:
    """Synthesize ``n`` messages: ~10% promises, ~17% hard negatives, the rest chatter."""
    rng = random.Random(seed)
    start = datetime(2026, 11, 24, 9, 0, tzinfo=ZoneInfo("UTC"))
    zones = [ZoneInfo(z) for z in ZONES]
    out: list[tuple[str, datetime, ZoneInfo]] = []
    for _ in range(n):
        r = rng.random()
        pool = PROMISE_FORMS if r < 0.10 else HARD_NEGATIVES if r < 0.27 else CHATTER
        sent = start + timedelta(minutes=rng.randrange(0, 60 * 24 * 30))
        out.append((_fill(rng.choice(pool), rng), sent, rng.choice(zones)))
    return out


# (name, shortest, longest, share of the mix)
BANDS = [
    ("<=40", 1, 40, 0.40), ("41-120", 41, 120, 0.35), ("121-300", 121, 300, 0.15),
    ("301-800", 301, 800, 0.07), ("801-2048", 801, 2048, 0.03),
]  # fmt: skip
Message = tuple[str, datetime, ZoneInfo]


def _sized(rng: random.Random, pool: list[Message], lo: int, hi: int) -> str:
    """A message of lo..hi characters: a message of the chat mix, padded with more chat."""
    short = [m[0] for m in pool if lo <= len(m[0]) <= hi]
    if hi <= 120 and short:
        return rng.choice(short)
    target = rng.randint(lo, hi)
    parts = [rng.choice(pool)[0]]
    while sum(len(p) + 2 for p in parts) < target:
        parts.insert(rng.randrange(len(parts) + 1), rng.choice(pool)[0])
    text = ". ".join(parts)
    return text[:hi].rstrip() if len(text) > hi else text


def make_length_mix(n: int, seed: int) -> dict[str, list[Message]]:
    """Messages per length band; the mix is their union in the BANDS shares."""
    rng = random.Random(seed)
    pool = make_mix(5_000, seed)
    out: dict[str, list[Message]] = {}
    for name, lo, hi, share in BANDS:
        count = max(200, round(n * share))
        out[name] = [(_sized(rng, pool, lo, hi), sent, tz) for _, sent, tz in rng.choices(pool, k=count)]
    return out


def length_mix(n: int, rounds: int, seed: int, against_sources: bool = False) -> None:
    """Throughput on the length mix and per band, today's rules against the baseline's (or, with
    `against_sources`, against today's rules run from their plain sources: what compiling them
    gains, setup.py)."""
    base = load_pure_sources().detect if against_sources else load_baseline(BASELINE_REV)
    # Figures of the page (make bench) come from the run against the baseline only.
    keep: Callable[..., None] = (lambda *_args, **_figures: None) if against_sources else record
    bands = make_length_mix(n, seed)
    rng = random.Random(seed)
    mix = [m for name, *_ in BANDS for m in bands[name][: round(n * dict((b[0], b[3]) for b in BANDS)[name])]]
    rng.shuffle(mix)
    sets = [("mix", mix)] + [(name, bands[name]) for name, *_ in BANDS]
    mean_len = sum(len(m[0]) for m in mix) / len(mix)
    against = ("today's rules from their plain .py sources (the compiled modules are \"now\")"
               if against_sources else f"habits/detection at {BASELINE_REV[:7]}")
    print(f"length mix: {len(mix)} messages, mean {mean_len:.0f} characters; "
          f"baseline = {against}, timed in the same rounds (median of {rounds})")
    print(f"{'set':>9} {'msgs':>6} {'mean len':>8} {'now msg/s':>11} {'baseline':>11} {'now/base':>8} "
          f"{'target':>8}")
    for name, msgs in sets:
        def run(f: Callable[..., object], msgs: list[Message] = msgs) -> None:
            for t, s, z in msgs:
                f(t, sent_at=s, tz=z)
        run(detect)
        run(base)
        now_t, base_t = [], []
        for _ in range(rounds):
            now_t.append(_time(lambda: run(detect)))
            base_t.append(_time(lambda: run(base)))
        now_s, base_s = len(msgs) / statistics.median(now_t), len(msgs) / statistics.median(base_t)
        target = 20_000 if name == "mix" else 5_000 if name == "801-2048" else None
        mark = "" if target is None else f"{target:,} {'ok' if now_s >= target else 'MISS'}"
        mean = sum(len(m[0]) for m in msgs) / len(msgs)
        keep("detection", **{f"msgs_per_s_{name}": now_s})
        print(f"{name:>9} {len(msgs):>6} {mean:>8.0f} {now_s:>11,.0f} {base_s:>11,.0f} "
              f"{now_s / base_s:>7.2f}x {mark:>8}")
    # exactly 2,048 characters: each long message of the mix, repeated to fill
    at2k = [((t + ". " + t * 4)[:2048], s, z) for t, s, z in bands["801-2048"]]
    def run2k(f: Callable[..., object]) -> None:
        for t, s, z in at2k:
            f(t, sent_at=s, tz=z)
    run2k(detect)
    now_2k = statistics.median(_time(lambda: run2k(detect)) for _ in range(rounds))
    base_2k = statistics.median(_time(lambda: run2k(base)) for _ in range(rounds))
    keep("detection", msgs_per_s_2048=len(at2k) / now_2k)
    print(f"{'=2048':>9} {len(at2k):>6} {2048:>8} {len(at2k) / now_2k:>11,.0f} {len(at2k) / base_2k:>11,.0f} "
          f"{base_2k / now_2k:>7.2f}x {'5,000 ' + ('ok' if len(at2k) / now_2k >= 5_000 else 'MISS'):>8}")


def _time(fn: Callable[[], object]) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def _best(fn: Callable[[], object], rounds: int) -> float:
    return min(_time(fn) for _ in range(rounds))


def _filled(unit: str, n: int) -> str:
    return (unit * (n // len(unit) + 1))[:n]


def long_messages(chat_us_per_kb: float, rounds: int) -> None:
    """Cost per KB of adversarial text against the chat mix, and the cap at work."""
    sent = datetime(2026, 12, 2, 10, 0, tzinfo=ZoneInfo("UTC"))
    tz = ZoneInfo("UTC")
    per_kb = []
    for unit in ADVERSARIAL:
        text = _filled(unit, MAX_EXAMINED)
        per_kb.append((_best(lambda t=text: detect(t, sent_at=sent, tz=tz), rounds)
                       * 1e6 / (len(text) / 1000), unit))
    per_kb.sort()
    worst, worst_unit = per_kb[-1]
    median = statistics.median(v for v, _ in per_kb)
    print(f"adversarial text, {len(ADVERSARIAL)} kinds at {MAX_EXAMINED:,} characters (best of "
          f"{rounds}): median {median:,.0f} µs/KB, worst {worst:,.0f} µs/KB ({worst_unit!r})")
    print(f"chat mix above:        {chat_us_per_kb:>8,.0f} µs/KB  -> adversarial text is "
          f"{median / chat_us_per_kb:.1f}x (median) / {worst / chat_us_per_kb:.1f}x (worst) the "
          "cost per KB of chat")
    print(f"worst case at QUICK_LENGTH ({QUICK_LENGTH:,} characters, read in place; longer in a "
          f"thread): {worst * QUICK_LENGTH / 1000 / 1000:.1f} ms")
    capped = _filled("i can ", MAX_EXAMINED)
    full = _filled("i can ", 40_000)
    t_cap = _best(lambda: detect(capped, sent_at=sent, tz=tz), rounds)
    t_full = _best(lambda: detect(full, sent_at=sent, tz=tz), rounds)
    print(f"40,000 characters of \"i can \": {t_full * 1000:.1f} ms, {t_full / t_cap:.2f}x the time "
          f"for {MAX_EXAMINED:,} ({t_cap * 1000:.1f} ms); before the cap and linear matching: "
          "29.5 s")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="detection throughput benchmark")
    parser.add_argument("--messages", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--lengths-only", action="store_true", help="only the length-mix section")
    parser.add_argument("--against-sources", action="store_true",
                        help="the length mix only, the baseline being today's plain sources")
    args = parser.parse_args(argv)
    print("command: .venv/bin/python bench/detection.py " + " ".join(argv or sys.argv[1:]))
    length_mix(args.messages, args.rounds, args.seed, args.against_sources)
    if args.lengths_only or args.against_sources:
        return 0

    msgs = make_mix(args.messages, args.seed)
    texts = [m[0] for m in msgs]
    baseline_re = re.compile(r"\bi'?ll\b", re.I)

    def run_detect() -> int:
        return sum(detect(t, sent_at=s, tz=z) is not None for t, s, z in msgs)

    def run_regex() -> int:
        search = baseline_re.search
        return sum(search(t) is not None for t in texts)

    def run_lower() -> int:
        return sum(len(t.lower()) for t in texts)

    found = run_detect()  # warm-up (also compiles the lazily used regexes)
    d_times, r_times, l_times = [], [], []
    for _ in range(args.rounds):
        d_times.append(_time(run_detect))
        r_times.append(_time(run_regex))
        l_times.append(_time(run_lower))
    n = len(msgs)
    d, r, lo = statistics.median(d_times), statistics.median(r_times), statistics.median(l_times)
    print(f"chat mix (one length, as before): messages: {n}, detected as promises: {found} "
          f"({found / n:.1%}), rounds: {args.rounds}")
    print(f"detect():              {n / d:>12,.0f} msg/s  (median {d * 1e6 / n:.2f} µs/msg)")
    print(f"baseline re.search:    {n / r:>12,.0f} msg/s  -> detect is {d / r:.1f}x slower")
    print(f"baseline str.lower():  {n / lo:>12,.0f} msg/s  -> detect is {d / lo:.1f}x slower")
    kb = sum(len(t) for t in texts) / 1000
    long_messages(d * 1e6 / kb, args.rounds)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
