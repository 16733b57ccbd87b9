"""Mujun (亩均): the domain core of the industrial-land portal.

Rules, policies, models, settings and the database live here; nothing in this package imports
`etl`, `layers` or `geo_api`.
"""
