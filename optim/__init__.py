"""The kernel: problem specification, the problem interface, value anchors, adoption
curves, the Pareto front type, indicators, atomic output and the error types.

The kernel imports nothing from the layers above it (families, solvers, benchmarks,
the application). Import what you need from its modules, e.g.
``from paretoprice.optim.front import ParetoFront``; importing this package loads nothing.
"""
