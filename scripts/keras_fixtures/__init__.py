"""Keras fixture generator internals (spec/fixture-format.md). Entry point: scripts/generate_fixtures.py."""
