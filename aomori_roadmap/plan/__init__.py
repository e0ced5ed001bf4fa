"""The plan as data: its models, the loader that reads plan files, the checks of the
whole graph, and the JSON Schemas.
"""
