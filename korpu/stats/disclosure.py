"""Disclosure control, as the statistics app names it: the rules live in the kernel
(:mod:`korpu.core.disclosure`) so that every app whose numbers leave the protected zone applies the
same ones without importing the statistics app (ADR 0023)."""

from korpu.core.disclosure import SECONDARY, suppress, suppress_table, threshold_value

__all__ = ["SECONDARY", "suppress", "suppress_table", "threshold_value"]
