"""Installs the build into a temporary DESTDIR and checks that the installed package works on its own.

    check_install.py MESON BUILD_DIR PYTHON_INSTALL_DIR SOURCE_PACKAGE_DIR

The installed package must hold every module of the source package, find the
installed library (not the build tree's, not NNLITE_LIBRARY) and train a tiny model.
"""

import os
import subprocess
import sys
import tempfile

SMOKE = """
import nnlite
print(nnlite.library_path())
model = nnlite.Model((2,), [nnlite.Dense(2, activation="softmax")]).compile("adam")
model.fit([[0.0, 1.0], [1.0, 0.0]] * 8, [0, 1] * 8, epochs=2, verbose=0)
print(model.predict([[0.0, 1.0]]).tolist())
"""


def main():
    meson, build_dir, install_dir, source_package = sys.argv[1:5]
    with tempfile.TemporaryDirectory() as destdir:
        subprocess.run([meson, "install", "-C", build_dir, "--no-rebuild", "--quiet", "--destdir", destdir],
                       check=True, stdout=subprocess.DEVNULL)
        site = destdir + os.path.abspath(install_dir)
        installed = sorted(f for f in os.listdir(os.path.join(site, "nnlite")) if f.endswith(".py"))
        expected = sorted(f for f in os.listdir(source_package) if f.endswith(".py")) + ["_installed.py"]
        if installed != sorted(expected):
            sys.exit("check_install: installed modules %s differ from the source package's %s; "
                     "update the list in bindings/meson.build" % (installed, sorted(expected)))
        env = {k: v for k, v in os.environ.items() if k not in ("NNLITE_LIBRARY", "PYTHONPATH")}
        env["PYTHONPATH"] = site
        result = subprocess.run([sys.executable, "-c", SMOKE], env=env, cwd=destdir, capture_output=True,
                                text=True)
        sys.stdout.write(result.stdout)
        sys.stderr.write(result.stderr)
        if result.returncode != 0:
            sys.exit("check_install: the installed package failed")
        library = result.stdout.splitlines()[0]
        if not os.path.realpath(library).startswith(os.path.realpath(destdir) + os.sep):
            sys.exit("check_install: the installed package loaded %s, not the installed library" % library)
        print("check_install: the installed package uses %s" % library)


if __name__ == "__main__":
    main()
