"""Shifts: dated occurrences of requests, who serves them, and what happened."""
