"""Recruitment: who recruited whom. Cycles are refused (:mod:`~ladder.recruitment.cycles`);
the graph is read as arrays for whole-base metrics and leaderboards, and as a networkx graph
for one person's tree, exports and checks.

Modules import networkx only inside the functions that need it, so ``recruiters top`` and
the check-in path never pay for it.
"""
