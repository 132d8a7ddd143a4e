"""Runs nnlite's Python tests; the exit status fails when no test ran or a numpy expectation is not met.

    python3 run.py [--numpy=require|forbid|auto] [unittest names...]

The package tested is the one beside this directory (bindings/python/nnlite).
``--numpy=forbid`` hides numpy so the stdlib-only paths are tested even on an
interpreter that has it; ``--numpy=require`` fails at once without numpy and
fails the run if any test was skipped for lack of it.
"""

import argparse
import faulthandler
import os
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--numpy", choices=["require", "forbid", "auto"], default="auto")
    parser.add_argument("names", nargs="*", help="test modules, classes or methods (default: all)")
    args = parser.parse_args()
    faulthandler.enable()
    if args.numpy == "forbid":
        sys.modules["numpy"] = None  # makes "import numpy" raise ImportError
    elif args.numpy == "require":
        try:
            __import__("numpy")
        except ImportError:
            sys.exit("run.py: --numpy=require but %s has no numpy (Debian: apt-get install python3-numpy)"
                     % sys.executable)
    sys.path[:0] = [HERE, os.path.dirname(HERE)]
    loader = unittest.TestLoader()
    suite = loader.loadTestsFromNames(args.names) if args.names else loader.discover(HERE, top_level_dir=HERE)
    import nnlite
    import support
    print("nnlite %s from %s, library %s, %s, numpy %s" % (
        nnlite.version(), os.path.dirname(nnlite.__file__), nnlite.library_path(), sys.executable,
        "available" if nnlite._buffers.HAVE_NUMPY else "absent"), flush=True)
    result = unittest.TextTestRunner(verbosity=2).run(suite)
    problems = []
    if result.testsRun == 0:
        problems.append("no tests ran")
    if args.numpy == "require":
        problems += ["skipped although numpy is required: %s (%s)" % (test.id(), reason)
                     for test, reason in result.skipped if reason == support.NEEDS_NUMPY]
    for problem in problems:
        print("run.py: " + problem, file=sys.stderr)
    sys.exit(0 if result.wasSuccessful() and not problems else 1)


if __name__ == "__main__":
    main()
