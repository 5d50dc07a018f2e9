"""Record linkage: one person across organisations and scripts (ADR 0026, ADR 0027): names folded across
scripts, candidate pairs scored with reasons, batch clustering."""
