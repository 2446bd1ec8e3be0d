"""The `fundrules` command line (installed as fundrules_cli): a thin layer over the library."""
