"""Ponte's matching engine: pure Python + OR-Tools.

This package must never import Flask, SQLAlchemy or anything from ``webapp``: the web side
converts its rows into the frozen dataclasses defined here, calls a solver and persists
the result. A test enforces the rule by importing ``matching`` in a fresh interpreter.
"""
