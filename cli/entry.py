"""The installed `fundrules` command: imports the command line, then runs it.

A cold start spends a few hundred milliseconds importing typer, pydantic and the library before
`app.main` can catch anything: a Ctrl-C in that window printed a Python traceback. Here it ends
as during the command: "Interrompu." on standard error, exit code 130.
"""

from __future__ import annotations

import sys

EXIT_INTERRUPTED = 130  # 128 + SIGINT, as shells report it (app.EXIT_INTERRUPTED: not importable yet here)


def main() -> None:
    try:
        from .app import main as run
    except KeyboardInterrupt:
        sys.stderr.write("Interrompu.\n")
        raise SystemExit(EXIT_INTERRUPTED) from None
    run()


if __name__ == "__main__":
    main()
