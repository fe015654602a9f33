"""Helpers shared by every solver of ``matching``: input errors, JSON field readers, distances.

Nothing here imports another part of ``matching``; everything else may import from here.
"""
