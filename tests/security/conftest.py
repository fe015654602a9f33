"""The ``org`` fixture: an organisation whose gazetteer knows two addresses."""

from __future__ import annotations

import pytest

from tests.factories import make_org
from tests.people.helpers import HOME, OTHER_HOME, add_address, arranged


@pytest.fixture
def org(db_session):  # type: ignore[no-untyped-def]
    org = make_org("Comune di Prova")
    add_address(org, HOME)
    add_address(org, OTHER_HOME, 41.6, 14.24)
    arranged()
    return org
