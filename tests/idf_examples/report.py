#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""The table of make idf-examples: one row per test (upstream's test functions
and the harness's own host checks), from pytest's JUnit XML, the build list of
scripts/idf-examples.sh and the expectations of expected.txt.

expected.txt: one line per test that is not expected to pass,
    <example> <test name> <differs|skip|flaky> <reason>
("flaky": a failure is reported as such but not counted, a pass is a pass)
(blank lines and # comments ignored). Every other test is expected to pass.

Exit status 0 when every test expected to pass passed and every example that
has such a test built; 1 otherwise.
"""
import argparse
import os
import sys
import xml.etree.ElementTree as ET


def load_expected(path):
    out = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            parts = line.split(None, 3)
            if len(parts) < 3:
                sys.exit(f"{path}: bad line: {line}")
            out[(parts[0], parts[1])] = (parts[2], parts[3] if len(parts) > 3 else "")
    return out


def load_results(path):
    rows = []
    if not os.path.exists(path):
        return rows
    for case in ET.parse(path).getroot().iter("testcase"):
        classname = case.get("classname", "")
        name = case.get("name", "")
        parts = classname.split(".")
        if not classname or "test_host_only" in parts:
            example = name.split("[")[0].replace("test_host_", "").replace("_smoke", "")
        else:
            example = parts[0]
        outcome, detail = "passed", ""
        for child in case:
            if child.tag in ("failure", "error"):
                outcome = "failed" if child.tag == "failure" else "error"
                detail = (child.get("message") or "").splitlines()[0][:120] if child.get("message") else ""
                break
            if child.tag == "skipped":
                outcome = "xfail" if child.get("type") == "pytest.xfail" else "skipped"
                detail = (child.get("message") or "")[:120]
        rows.append((example, name, outcome, detail))
    return rows


def load_builds(path):
    builds = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            parts = line.split(None, 3)
            if len(parts) >= 3:
                builds[(parts[0], parts[1])] = (parts[2], parts[3].strip() if len(parts) > 3 else "")
    return builds


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--results", required=True)
    ap.add_argument("--builds", required=True)
    ap.add_argument("--expected", required=True)
    ap.add_argument("--out")
    args = ap.parse_args()
    expected = load_expected(args.expected)
    rows = load_results(args.results)
    builds = load_builds(args.builds)

    lines = ["| example | test | result | reason |", "|---|---|---|---|"]
    bad = 0
    counts = {"pass": 0, "FAIL": 0, "differs": 0, "skipped": 0, "not built": 0, "flaky": 0}
    for example, name, outcome, detail in rows:
        exp, why = expected.get((example, name), expected.get((example, name.split("[")[0]), ("pass", "")))
        if "did not build" in detail or "was not configured" in detail:
            result, reason = "not built", "see the (build) row"
        elif outcome == "passed":
            result = "pass"
            reason = "" if exp == "pass" else f"passes although expected.txt says {exp}: {why}"
        elif exp == "differs":
            result, reason = "differs", why
        elif exp == "flaky":
            result, reason = "flaky", f"{why} (this run: {detail})"
        elif exp == "skip" or outcome in ("skipped", "xfail"):
            result, reason = "skipped", why or detail
            if exp == "pass" and outcome == "skipped":
                result, reason = "FAIL", f"skipped: {detail}"
        else:
            result, reason = "FAIL", detail
        if result == "FAIL" or (result == "not built" and exp == "pass"):
            bad += 1
        counts[result] = counts.get(result, 0) + 1
        lines.append(f"| {example} | {name} | {result} | {reason} |")
    for (ex, cfg), (state, why) in sorted(builds.items()):
        if state != "ok":
            lines.append(f"| {ex} ({cfg}) | (build) | FAIL | {state} {why} |")
            bad += 1
            counts["FAIL"] += 1
    summary = (f"idf-examples: {counts['pass']} passed, {counts['FAIL']} failed, "
               f"{counts['skipped']} skipped ({counts['differs']} differ on purpose, "
               f"{counts['flaky']} known flaky failures, {counts['not built']} not run: example not built)")
    text = "\n".join(lines) + "\n\n" + summary + "\n"
    print(text, end="")
    if args.out:
        with open(args.out, "w", encoding="utf-8") as f:
            f.write(text)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
