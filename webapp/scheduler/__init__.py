"""The clockwork: one scheduler process (``flask scheduler run``), a leader lock so only
one is active, a registry of thin idempotent jobs, and a record of every run."""
