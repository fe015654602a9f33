"""The map page of a person (coordinators): place or correct the home pin by pointing,
dragging, the arrow keys or typing coordinates, and see who is around: the volunteers
near a resident, the people a volunteer could reach."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from flask import flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from webapp.core.errors import FieldError
from webapp.core.forms import attach_errors
from webapp.extensions import db
from webapp.people import operations
from webapp.people.access import get_person_or_404
from webapp.people.forms import PinForm
from webapp.people.models import Person, ResidentProfile, VolunteerProfile
from webapp.people.views import bp
from webapp.permissions import coordinator_required
from webapp.places.geocoding import Point, distance_km, point
from webapp.places.maps import MapPerson, leaflet_installed, map_data

AROUND_KM = 10.0  # a resident's page shows volunteers this far away at most
MAX_AROUND = 40


@dataclass(frozen=True)
class Nearby:
    person: Person
    km: float
    reachable: bool  # within the volunteer's radius (from their home)


def _box(centre: Point, km: float) -> sa.ColumnElement[bool]:
    dlat = km / 111.0
    dlon = km / 60.0  # generous: 1 degree of longitude is >= 60 km below 57 degrees
    return sa.and_(
        Person.lat.between(centre[0] - dlat, centre[0] + dlat),
        Person.lon.between(centre[1] - dlon, centre[1] + dlon),
    )


def volunteers_around(person: Person, centre: Point) -> list[Nearby]:
    """Volunteers whose home is within ``AROUND_KM`` of ``centre``, nearest first."""
    rows = db.session.scalars(
        sa.select(Person)
        .join(VolunteerProfile, VolunteerProfile.person_id == Person.id)
        .where(
            Person.organisation_id == person.organisation_id,
            Person.is_volunteer.is_(True),
            Person.id != person.id,
            _box(centre, AROUND_KM),
        )
    )
    out = []
    for p in rows:
        home = point(p.lat, p.lon)
        if home is None:
            continue
        km = distance_km(centre, home)
        if km <= AROUND_KM:
            out.append(Nearby(p, km, km <= p.volunteer.max_km))
    return sorted(out, key=lambda n: n.km)[:MAX_AROUND]


def residents_around(person: Person, centre: Point, radius: float) -> list[Nearby]:
    """People asking for help whose home is within ``radius`` km of ``centre``."""
    rows = db.session.scalars(
        sa.select(Person)
        .join(ResidentProfile, ResidentProfile.person_id == Person.id)
        .where(
            Person.organisation_id == person.organisation_id,
            Person.id != person.id,
            _box(centre, radius),
        )
    )
    out = []
    for p in rows:
        home = point(p.lat, p.lon)
        if home is not None and (km := distance_km(centre, home)) <= radius:
            out.append(Nearby(p, km, True))
    return sorted(out, key=lambda n: n.km)[:MAX_AROUND]


def _page(person: Person, form: PinForm) -> str:
    pin = point(person.lat, person.lon)
    volunteer = person.volunteer if person.is_volunteer else None
    around: list[Nearby] = []
    if pin is not None and person.resident is not None:
        around = volunteers_around(person, pin)
    elif pin is not None and volunteer is not None:
        around = residents_around(person, pin, volunteer.max_km)
    kind = "volunteer" if person.resident is not None else "resident"
    shown = [
        MapPerson(home[0], home[1], n.person.full_name, kind)
        for n in around
        if (home := point(n.person.lat, n.person.lon)) is not None
    ]
    data = map_data(
        person.organisation_id,
        pin=pin,
        people=shown,
        radius_km=volunteer.max_km if volunteer is not None else None,
    )
    return render_template(
        "people/map.html",
        person=person,
        form=form,
        around=around,
        around_are_volunteers=person.resident is not None,
        map=data,
        leaflet=leaflet_installed(),
        needs_pin=operations.needs_pin(person),
    )


@bp.route("/coordinator/people/<int:person_id>/map", methods=["GET", "POST"])
@coordinator_required
def person_map(person_id: int) -> ResponseReturnValue:
    person = get_person_or_404(person_id, current_user, manage=True)
    form = PinForm(data={"lat": person.lat, "lon": person.lon})
    if form.validate_on_submit():
        try:
            operations.set_pin(person, form.lat.data, form.lon.data, current_user)
        except FieldError as error:
            db.session.rollback()
            attach_errors(form, error)
        else:
            db.session.commit()
            flash(_("The pin is placed."), "success")
            return redirect(url_for(".person_map", person_id=person.id))
    return _page(person, form)
