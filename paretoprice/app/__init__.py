"""The application layer: command line, problem scripts' runner, plots, analysis, reports.

It sits on top of every other layer and nothing imports it but itself.
"""
