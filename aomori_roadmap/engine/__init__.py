"""The domain engine, pure and without I/O: scheduling, status and lateness, the half-year
review cycles, KPI progress and reminders. The clock is always a parameter.
"""
