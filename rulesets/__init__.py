"""Bundled rulesets: one folder per funder (installed as fundrules.bundled_rulesets)."""
