"""pyex's benchmarks: each figure beside the physical limit measured in the same run."""
