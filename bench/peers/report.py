"""Frontline's harness results beside django-helpdesk's, as Markdown tables (for RESULTS.md).

    python bench/peers/report.py bench/peers/results/frontline-sqlite-n10000.json \
        bench/peers/results/frontline-sqlite-n100000.json

Peer figures come from results/django-helpdesk/django-helpdesk-<db>-n<N>.json (measured on
the same machine by peer.sh) or, failing that, from the figures the shared harness
published in shared/peers/results/ (read-only).
Search correctness for Frontline comes from <result>.search-check.json (check_search.py).
"""

import json
import os
import sys
from pathlib import Path

PEERS = Path(os.environ.get("PEERS_DIR", Path(__file__).resolve().parents[3] / "shared/peers"))


def load(path: Path) -> dict:
    return json.loads(path.read_text())


def phases(result: dict) -> dict:
    return {(p["phase"], p["concurrency"]): p for p in result["phases"]}


def lat(p: dict | None, p99: bool = False) -> str:
    if p is None:
        return "–"
    s = f"{p['p50_ms']:.0f} / {p['p95_ms']:.0f}"
    return s + (f" / {p['p99_ms']:.0f}" if p99 else "")


def ok(p: dict | None) -> str:
    return "–" if p is None else f"{p['ok']}/{p['planned']}"


def share(p: dict | None) -> str:
    if p is None or p.get("foreign_cpu_share") is None:
        return "–"
    return f"{p['foreign_cpu_share']:.0%}"


def main_table(runs: list[tuple[dict, dict | None]]) -> list[str]:
    rows = [
        "| N | phase | conc | Frontline p50 / p95 ms | Frontline ok | django-helpdesk p50 / p95 ms "
        "| django-helpdesk ok | foreign CPU (Frontline / peer) |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for ours, peer in runs:
        a, b = phases(ours), phases(peer) if peer else {}
        for phase in ("list", "search", "create"):
            for c in (1, 8):
                mine, theirs = a.get((phase, c)), b.get((phase, c))
                p99 = phase == "create"
                extra = ""
                if phase == "create" and mine:
                    extra = f" ({mine['throughput_ok_per_s']:.1f} tickets/s)"
                peer_extra = ""
                if phase == "create" and theirs:
                    peer_extra = f" ({theirs['throughput_ok_per_s']:.1f} tickets/s)"
                rows.append(
                    f"| {ours['n']:,} | {phase}{' (p50/p95/p99)' if p99 else ''} | {c} "
                    f"| {lat(mine, p99)}{extra} | {ok(mine)} | {lat(theirs, p99)}{peer_extra} "
                    f"| {ok(theirs)} | {share(mine)} / {share(theirs)} |"
                )
    return rows


def seed_table(runs) -> list[str]:
    rows = [
        "| system | N | tickets | follow-ups | rows written | insert s | tickets/s | DB MB |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for ours, peer in runs:
        m = ours["seed_manifest"]
        # tickets + search documents, messages, events, customers + their addresses
        rows_written = 2 * m["tickets"] + m["messages"] + m["events"] + 2 * m["customers"]
        rows.append(
            f"| Frontline | {m['n']:,} | {m['tickets']:,} | {m['followups']:,} | "
            f"{rows_written:,} (tickets, messages, events, customers + addresses, search docs) | "
            f"{m['seconds_insert']} (FTS rebuild {m['seconds_fts_rebuild']}) | "
            f"{m['tickets_per_s']:.0f} | {m['db_bytes'] / 2**20:.1f} |"
        )
        if peer:
            p = peer["seed_manifest"]
            rows.append(
                f"| django-helpdesk | {p['n']:,} | {p['tickets']:,} | {p['followups']:,} "
                f"(incl. 1 opening follow-up per ticket) | {p['tickets'] + p['followups']:,} | "
                f"{p['seconds_insert']} | {p['tickets_per_s']:.0f} | {p['db_bytes'] / 2**20:.1f} |"
            )
    return rows


def mem(result: dict, key: str) -> str:
    m = result.get(key, {}).get("server") or {}
    return f"{m.get('rss_mb', '?')} [{m.get('pss_mb', '?')}]"


def peak(result: dict) -> float:
    return max(p["mem_peak"].get("server_rss_peak_mb", 0) for p in result["phases"])


def mem_table(runs) -> list[str]:
    rows = [
        "| system | N | server RSS [PSS] MB before | after run | peak RSS (0.5 s samples) |",
        "|---|---|---|---|---|",
    ]
    for ours, peer in runs:
        for name, r in (("Frontline", ours), ("django-helpdesk", peer)):
            if r:
                rows.append(
                    f"| {name} | {r['n']:,} | {mem(r, 'mem_before')} | {mem(r, 'mem_after_run')} "
                    f"| {peak(r):.0f} |"
                )
    return rows


def checks(runs, paths) -> list[str]:
    out = []
    for (ours, _), path in zip(runs, paths, strict=True):
        a = phases(ours)
        sc_path = Path(path).with_suffix(".search-check.json")
        sc = load(sc_path) if sc_path.exists() else None
        for c in (1, 8):
            lst = a.get(("list", c), {}).get("check", {})
            out.append(
                f"- N={ours['n']:,} list c={c}: open total {lst.get('reported_totals')} vs "
                f"expected {lst.get('expected_open')}; rows not open {lst.get('items_not_open')}"
            )
        for c in (1, 8):
            s = a.get(("search", c), {}).get("check", {})
            mine = next((p for p in (sc or {}).get("phases", []) if p["concurrency"] == c), None)
            exact = f"{mine['exact']}/{mine['checked']}" if mine else "not checked"
            verified = ""
            if s.get("verified_items"):
                verified = (
                    f"; first-page hits re-read {s['verified_items_containing_word']}/"
                    f"{s['verified_items']} contain the word"
                )
            out.append(
                f"- N={ours['n']:,} search c={c}: totals equal to the whole-word-incl.-follow-ups "
                f"truth {exact}; harness's own kinds {s.get('total_match_kinds')}{verified}"
            )
        for c in (1, 8):
            cr = a.get(("create", c), {}).get("check", {})
            out.append(
                f"- N={ours['n']:,} create c={c}: ids unique {cr.get('created_ids_unique')}; "
                f"sampled read-backs {cr.get('sample_verified')}"
            )
    return out


def main(paths: list[str]) -> None:
    runs = []
    for path in paths:
        ours = load(Path(path))
        db = "sqlite" if "sqlite" in ours["label"] else "postgres"
        name = f"django-helpdesk-{db}-n{ours['n']}.json"
        peer_file = Path(__file__).parent / "results" / "django-helpdesk" / name
        if not peer_file.exists():
            peer_file = PEERS / "results" / name
        runs.append((ours, load(peer_file) if peer_file.exists() else None))
    print("\n".join(main_table(runs)))
    print()
    print("\n".join(seed_table(runs)))
    print()
    print("\n".join(mem_table(runs)))
    print()
    print("\n".join(checks(runs, paths)))


if __name__ == "__main__":
    main(sys.argv[1:])
