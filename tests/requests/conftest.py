import pytest


@pytest.fixture(autouse=True)
def _request_context(app):
    """Operations' messages are translated when read; give them a locale to read in."""
    with app.test_request_context():
        yield
