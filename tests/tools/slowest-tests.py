#!/usr/bin/env python3
"""Prints the slowest tests of a TRX file, with the suite's wall time.

Usage: dotnet test CamNotebooks.sln --no-restore --logger "trx;LogFileName=$PWD/artifacts/tests.trx"
       python3 tests/tools/slowest-tests.py artifacts/tests.trx [N]
A theory's cases are listed one by one (each is a test of its own). Times are each test's own, as xunit reports them:
tests of different collections overlap, so they add up to more than the wall time.
"""
import sys
import xml.etree.ElementTree as ET
from datetime import datetime

ns = {"t": "http://microsoft.com/schemas/VisualStudio/TeamTest/2010"}


def seconds(duration):
    h, m, s = duration.split(":")
    return int(h) * 3600 + int(m) * 60 + float(s)


def stamp(text):
    # 2026-12-06T23:46:31.1234567+00:00: keep microseconds for fromisoformat
    date, _, rest = text.partition(".")
    frac, sign, zone = rest.partition("+") if "+" in rest else rest.partition("-")
    return datetime.fromisoformat(f"{date}.{frac[:6]}{sign}{zone}")


root = ET.parse(sys.argv[1]).getroot()
count = int(sys.argv[2]) if len(sys.argv) > 2 else 20
results = root.findall(".//t:UnitTestResult", ns)
times = root.find("t:Times", ns)
wall = (stamp(times.get("finish")) - stamp(times.get("start"))).total_seconds()
rows = sorted(((seconds(r.get("duration", "0:0:0")), r.get("outcome"), r.get("testName")) for r in results), reverse=True)
outcomes = {}
for _, outcome, _ in rows:
    outcomes[outcome] = outcomes.get(outcome, 0) + 1
print(f"{len(rows)} tests ({', '.join(f'{n} {o.lower()}' for o, n in sorted(outcomes.items()))}); wall {wall:.0f} s; "
      f"sum of test times {sum(r[0] for r in rows):.0f} s")
for duration, outcome, name in rows[:count]:
    print(f"{duration:8.1f} s  {outcome:8} {name}")
