"""Assembled views of a plan on a date, from the engine and the store: the snapshot that
every output reads, and the calendar feeds with their change history.
"""
