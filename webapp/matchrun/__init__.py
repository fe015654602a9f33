"""Running the matcher from the app: background runs, proposals, approval, pins."""
