"""Domain rules as plain functions.

Services validate, change models, flush and record what changed (barcamp.changes).
They never commit and never emit: the unit of work does both, after them.
"""
