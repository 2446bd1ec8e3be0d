"""The installed `fundrules` command: imports the command line, then runs it.

A cold start spends a few hundred milliseconds importing typer, pydantic and the library before
`app.main` can catch anything: a Ctrl-C in that window printed a Python traceback. Here it ends
as during the command: "Interrompu." on standard error, exit code 130.
"""

from __future__ import annotations

import gc
import sys

EXIT_INTERRUPTED = 130  # 128 + SIGINT, as shells report it (app.EXIT_INTERRUPTED: not importable yet here)


def main() -> None:
    # `check` and `plan` run their start without the cyclic GC (app._pause_gc says why): paused here,
    # before typer, pydantic and the command line are imported (their objects live as long as the
    # process too), and handed to app.main, which resumes it as it always did.
    paused = sys.argv[1:2] in (["check"], ["plan"]) and gc.isenabled()
    if paused:
        gc.disable()
    try:
        from .app import main as run
    except KeyboardInterrupt:
        sys.stderr.write("Interrompu.\n")
        raise SystemExit(EXIT_INTERRUPTED) from None
    finally:
        if paused and "fundrules_cli.app" not in sys.modules:  # the import failed: nothing will resume it
            gc.enable()
    run(gc_paused=paused)


if __name__ == "__main__":
    main()
