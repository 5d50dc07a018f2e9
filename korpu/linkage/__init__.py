"""Record linkage: names folded across scripts, candidate pairs scored with reasons, batch clustering."""
