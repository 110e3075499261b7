"""Run the Python test suites under tests/<suite>/test_*.py with unittest.

usage: python3 tests/runner.py SUITE [SUITE...]
Prints one closing line, "N passed, N failed, N skipped", and exits 1 on any
failure or error.
"""
import os
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "lib"))
# Debian's python3-* packages (yaml, jsonschema, websocket: scripts/deps.sh)
# are in its dist-packages, which a python3 found first in PATH (pyenv, a
# virtualenv) does not search: searched last, for what it lacks.
DEBIAN_PACKAGES = f"/usr/lib/python{sys.version_info[0]}/dist-packages"
if os.path.isdir(DEBIAN_PACKAGES) and DEBIAN_PACKAGES not in sys.path:
    sys.path.append(DEBIAN_PACKAGES)


def main(suites):
    loader = unittest.TestLoader()
    suite = unittest.TestSuite()
    for name in suites:
        suite.addTests(loader.discover(os.path.join(HERE, name), pattern="test_*.py",
                                       top_level_dir=os.path.join(HERE, name)))
    result = unittest.TextTestRunner(verbosity=2, stream=sys.stdout).run(suite)
    failed = len(result.failures) + len(result.errors) + len(result.unexpectedSuccesses)
    skipped = len(result.skipped)
    passed = result.testsRun - failed - skipped
    print(f"{'/'.join(suites)}: {passed} passed, {failed} failed, {skipped} skipped")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
