"""World generators for benchmarks, written apart from ``fimihub.sim``."""
