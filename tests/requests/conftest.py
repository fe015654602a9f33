import pytest

from tests.factories import PASSWORD, make_coordinator, make_org, make_resident
from tests.helpers import login
from webapp.extensions import db


@pytest.fixture(autouse=True)
def _request_context(app):
    """Operations' messages are translated when read; give them a locale to read in."""
    with app.test_request_context():
        yield


@pytest.fixture
def desk(client, db_session):  # type: ignore[no-untyped-def]
    """A coordinator logged in, and a resident on the phone."""
    org = make_org()
    coord = make_coordinator(org)
    resident = make_resident(org)
    db.session.commit()  # a refused form rolls the view back: keep the set-up
    assert login(client, coord.email, PASSWORD).status_code == 302
    return org, coord, resident
