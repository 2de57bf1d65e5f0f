#!/usr/bin/env python3
"""Prints the benchmark table of benches/README.md from criterion's results.

Run after `cargo bench -p authbackup-benches`; reads target/criterion/*/*/new/estimates.json
(the medians) and prints each benchmark with its ratio to the peer or floor of the same run,
and whether each target of the README holds.
"""
import json
import pathlib
import sys

root = pathlib.Path(__file__).resolve().parent.parent / "target" / "criterion"


def median(group, function):
    path = root / group / function / "new" / "estimates.json"
    try:
        return json.loads(path.read_text())["median"]["point_estimate"]
    except FileNotFoundError:
        return None


def fmt(ns):
    if ns is None:
        return "—"
    for unit, scale in (("s", 1e9), ("ms", 1e6), ("µs", 1e3)):
        if ns >= scale:
            return f"{ns / scale:.3g} {unit}"
    return f"{ns:.3g} ns"


rows, checks = [], []
for alg, limit_peer in (("sha1", 0.5), ("sha256", 0.5), ("sha512", 0.7)):
    g = f"totp_{alg}"
    ref, peer, floor = median(g, "reference"), median(g, "totp-rs"), median(g, "floor")
    rows.append((f"{g}/reference", ref, f"{ref / peer:.2f} × totp-rs, {ref / floor:.2f} × floor" if ref and peer and floor else ""))
    rows.append((f"{g}/totp-rs", peer, ""))
    rows.append((f"{g}/floor", floor, ""))
    if ref and peer and floor:
        checks.append((f"{g}/reference ≤ {limit_peer} × totp-rs", ref <= limit_peer * peer, f"{ref / peer:.2f}"))
        if alg != "sha512":
            checks.append((f"{g}/reference ≤ 1.3 × floor", ref <= 1.3 * floor, f"{ref / floor:.2f}"))
ref, peer = median("totp_batch_10k", "reference"), median("totp_batch_10k", "totp-rs")
rows.append(("totp_batch_10k/reference", ref, f"{ref / peer:.2f} × totp-rs" if ref and peer else ""))
rows.append(("totp_batch_10k/totp-rs", peer, ""))
if ref and peer:
    checks.append(("totp_batch_10k/reference ≤ 0.5 × totp-rs", ref <= 0.5 * peer, f"{ref / peer:.2f}"))
ref, peer, floor = (median("totp_verify_w1", f) for f in ("reference", "totp-rs", "floor"))
rows.append(("totp_verify_w1/reference", ref, f"{ref / peer:.2f} × totp-rs, {ref / floor:.2f} × floor" if ref and peer and floor else ""))
rows.append(("totp_verify_w1/totp-rs", peer, ""))
rows.append(("totp_verify_w1/floor", floor, ""))
if ref and peer and floor:
    checks.append(("totp_verify_w1/reference ≤ 0.5 × totp-rs", ref <= 0.5 * peer, f"{ref / peer:.2f}"))
    checks.append(("totp_verify_w1/reference ≤ 1.3 × floor", ref <= 1.3 * floor, f"{ref / floor:.2f}"))
for n in (10, 1000, 10000):
    o, s, f = median("container_open", str(n)), median("container_seal", str(n)), median("container_floor", str(n))
    rows.append((f"container_open/{n}", o, f"{o / f:.2f} × container_floor" if o and f else ""))
    rows.append((f"container_seal/{n}", s, ""))
    rows.append((f"container_floor/{n}", f, ""))
for n in (10, 1000, 10000):
    t, f = median("container_floor_typed", str(n)), median("container_floor", str(n))
    rows.append((f"container_floor_typed/{n}", t, f"{t / f:.2f} × container_floor" if t and f else ""))
for n in (10, 1000, 10000):
    k, f = median("container_floor_checked", str(n)), median("container_floor", str(n))
    o = median("container_open", str(n))
    note = f"{k / f:.2f} × container_floor" if k and f else ""
    if k and o:
        note += f"; container_open is {o / k:.2f} × it"
    rows.append((f"container_floor_checked/{n}", k, note))
o, f = median("container_open", "1000"), median("container_floor", "1000")
if o and f:
    checks.append(("container_open/1000 ≤ 2 × container_floor/1000", o <= 2 * f, f"{o / f:.2f}"))
rows.append(("pbes2_open/p2c_min", median("pbes2_open", "p2c_min"), ""))
for n in (1000, 10000, 100000):
    rows.append((f"restore_plan/{n}", median("restore_plan", str(n)), ""))
for n in (1000, 10000, 100000):
    rows.append((f"restore_floor/{n}", median("restore_floor", str(n)), ""))
a, b = median("restore_plan", "10000"), median("restore_plan", "100000")
if a and b:
    checks.append(("restore_plan/100000 ≤ 12 × restore_plan/10000", b <= 12 * a, f"{b / a:.2f}"))
fa, fb = median("restore_floor", "10000"), median("restore_floor", "100000")
if a and b and fa and fb:
    rows.append(("growth 10,000 → 100,000", None, f"restore_plan {b / a:.1f} ×, restore_floor {fb / fa:.1f} ×"))
rows.append(("conformance_run/reference", median("conformance_run", "reference"), ""))

print("| benchmark | median | ratio in the same run |")
print("|---|---|---|")
for name, value, ratio in rows:
    print(f"| `{name}` | {fmt(value)} | {ratio} |")
print()
print("| target | holds | measured ratio |")
print("|---|---|---|")
ok = True
for name, holds, ratio in checks:
    ok &= holds
    print(f"| {name} | {'yes' if holds else 'NO'} | {ratio} |")
sys.exit(0 if ok else 1)
