"""Prints where to install a pure-Python package under a prefix (run by bindings/meson.build).

    searched_site_dir.py PREFIX CHOSEN

Prints CHOSEN when this interpreter searches it; otherwise the first
site-packages or dist-packages directory under PREFIX that it does search;
otherwise CHOSEN (the package then needs PYTHONPATH).
"""

import os
import sys


def main():
    prefix, chosen = sys.argv[1], sys.argv[2]
    searched = [p for p in sys.path if p and os.path.isabs(p)]
    if os.path.realpath(chosen) in map(os.path.realpath, searched):
        print(chosen)
        return
    under = [p for p in searched if p.startswith(prefix.rstrip("/") + "/")
             and os.path.basename(p) in ("site-packages", "dist-packages")]
    print(under[0] if under else chosen)


if __name__ == "__main__":
    main()
