import pytest


@pytest.fixture(autouse=True)
def _request_context(app):
    """Operations' messages are translated when read; give them a locale to read in."""
    with app.test_request_context():
        yield


@pytest.fixture
def inline(app):  # type: ignore[no-untyped-def]
    old = app.config.get("MATCHRUN_LAUNCH")
    app.config["MATCHRUN_LAUNCH"] = "inline"
    app.config["MATCHRUN_TIME_LIMIT_S"] = 2.0
    yield
    app.config["MATCHRUN_LAUNCH"] = old or "process"
    app.config.pop("MATCHRUN_TIME_LIMIT_S", None)
