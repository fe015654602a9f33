"""Visit and ride requests: what a resident asks for, once or every week."""
