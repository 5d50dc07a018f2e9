"""Körpü — the shared information system of a national counter-trafficking system."""

__version__ = "0.1.0"
