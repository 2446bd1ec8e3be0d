"""Bundled case library: example cases and anonymised meeting cases (installed as fundrules.bundled_cases;
fundrules/bundled.py finds it)."""
