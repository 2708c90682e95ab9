#!/usr/bin/python3
"""Prints how many test cases and assertions the CTest run executed, from the
JUnit file `ctest --output-junit` wrote: each Catch2 entry reports
"All tests passed (N assertions in M test cases)" or, when it fails,
"test cases: M | ... assertions: N | ...". Entries that are not Catch2
(Python checks) are counted as cases with their own checks.

Usage: ctest_counts.py JUNIT_XML
"""
import re
import sys
import xml.etree.ElementTree as ET

PASSED = re.compile(r"All tests passed \((\d+) assertions? in (\d+) test cases?\)")
FAILED = re.compile(r"test cases:\s*(\d+).*?assertions:\s*(\d+)", re.S)


def main(path):
    root = ET.parse(path).getroot()
    entries = catch_cases = assertions = other = no_case = 0
    for case in root.iter("testcase"):
        entries += 1
        out = "".join(e.text or "" for e in case.iter("system-out"))
        if m := PASSED.search(out):
            assertions += int(m.group(1))
            catch_cases += int(m.group(2))
        elif m := FAILED.search(out):
            catch_cases += int(m.group(1))
            assertions += int(m.group(2))
        elif "No tests ran" in out:
            no_case += 1
        else:
            other += 1
    print(f"== ctest ran {entries} entries: {catch_cases} Catch2 test cases with "
          f"{assertions} assertions, and {other} script checks"
          + (f"; {no_case} entries ran no test case" if no_case else ""))
    return 1 if no_case else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
