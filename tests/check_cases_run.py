#!/usr/bin/python3
"""Every Catch2 test case of every test binary is run by a CTest entry, and
every CTest entry that runs a Catch2 binary selects at least one case.

Why: CTest splits a registered name at ';', so a case named "a; b" became two
entries whose filters matched nothing; Catch2 then printed "No tests ran" and
exited 0, and CTest counted two passes that asserted nothing. The rule is
checked with Catch2's own filter matching: each registered entry's arguments
are handed back to its binary with --list-test-names-only, which prints the
cases that entry runs.

Usage: check_cases_run.py BUILD_DIR      (the check, registered in CTest)
       check_cases_run.py --self-test    (the check fails on a broken list)
"""
import json
import subprocess
import sys


def registered_tests(build_dir):
    out = subprocess.run(["ctest", "--show-only=json-v1"], cwd=build_dir,
                         capture_output=True, text=True, check=True, timeout=120).stdout
    tests = []
    for t in json.loads(out)["tests"]:
        props = {p["name"]: p["value"] for p in t.get("properties", [])}
        tests.append({"name": t["name"], "command": t.get("command", []),
                      "disabled": bool(props.get("DISABLED", False))})
    return tests


def listed(binary, args):
    """The cases that `binary args...` would run, by Catch2's own matching."""
    r = subprocess.run([binary, *args, "--list-test-names-only"],
                       capture_output=True, text=True, timeout=60)
    # Catch2 v2 returns the number of listed cases as its exit status.
    return [line for line in r.stdout.splitlines() if line.strip()]


def is_catch_binary(command):
    return (len(command) >= 1 and "/tests/test_" in command[0]
            and not command[0].endswith(".py"))


def check(tests, list_cases):
    """Problems found, as sentences (empty when every case runs once)."""
    problems = []
    by_binary = {}
    for t in tests:
        if t["disabled"] or not is_catch_binary(t["command"]):
            continue
        by_binary.setdefault(t["command"][0], []).append(t)
    for binary, entries in sorted(by_binary.items()):
        all_cases = set(list_cases(binary, []))
        covered = {}
        for t in entries:
            # The reporter and warning options do not select cases: pass only
            # the filters (arguments before the first option).
            spec = []
            for a in t["command"][1:]:
                if a.startswith("-"):
                    break
                spec.append(a)
            cases = list_cases(binary, spec)
            if not cases:
                problems.append(f"CTest entry '{t['name']}' runs no test case of "
                                f"{binary} (filter {spec!r}): it would pass asserting nothing")
            for c in cases:
                covered.setdefault(c, []).append(t["name"])
        for c in sorted(all_cases - covered.keys()):
            problems.append(f"test case '{c}' of {binary} is run by no CTest entry")
        for c, names in sorted(covered.items()):
            if c in all_cases and len(names) > 1:
                problems.append(f"test case '{c}' of {binary} is run by {len(names)} "
                                f"CTest entries: {names}")
    return problems


def self_test():
    """The check must fail on the two faults it exists for."""
    cases = {"a; b": True, "c": True}

    def fake_list(binary, spec):
        if not spec:
            return list(cases)
        return [c for c in cases if c == spec[0].replace("\\,", ",")]

    split = [{"name": "x: a", "command": ["/b/tests/test_x", "a"], "disabled": False},
             {"name": "x: b", "command": ["/b/tests/test_x", "b"], "disabled": False},
             {"name": "x: c", "command": ["/b/tests/test_x", "c", "-w", "NoAssertions"],
              "disabled": False}]
    problems = check(split, fake_list)
    assert any("'x: a' runs no test case" in p for p in problems), problems
    assert any("'x: b' runs no test case" in p for p in problems), problems
    assert any("'a; b'" in p and "run by no CTest entry" in p for p in problems), problems
    whole = [{"name": "x: a; b", "command": ["/b/tests/test_x", "a; b"], "disabled": False},
             split[2]]
    assert check(whole, fake_list) == [], check(whole, fake_list)
    print("self-test: the check reports entries that run nothing and cases run by none")


def main(argv):
    if argv[1:] == ["--self-test"]:
        self_test()
        return 0
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    tests = registered_tests(argv[1])
    problems = check(tests, listed)
    n_catch = sum(1 for t in tests if is_catch_binary(t["command"]))
    if problems:
        for p in problems:
            print("FAIL:", p)
        return 1
    print(f"every test case runs: {n_catch} CTest entries over the Catch2 binaries, "
          f"each running at least one case, every case run by exactly one")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
