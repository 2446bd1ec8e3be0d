"""`python -m fundrules`: the same command line as the `fundrules` script."""

from fundrules_cli.entry import main

if __name__ == "__main__":
    main()
