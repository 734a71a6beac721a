"""Marshmallow schemas of LUIS's JSON shapes, one module per resource.

One schema per shape: a request schema `load`s and validates the body (`api/body.py`), a response schema `dump`s
what a view answers, and the same classes are what `@operation` names for the OpenAPI description
(`api/openapi.py`), so the document cannot drift from the answers. Views define no schemas of their own.
"""
