"""The recruitment graph: who recruited whom, as arrays for whole-base metrics and as a
networkx graph for one person's tree, exports and checks.

Modules import networkx only inside the functions that need it, so ``recruiters top`` and
the check-in path never pay for it.
"""
