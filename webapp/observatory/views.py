"""The observatory's pages: the overview with its filters, charts, tables and map; the
CSV and XLSX of its tables; the printable PDF report. Coordinators and observers of the
organisation only (``permissions.can_see_observatory``); every figure is aggregated and
suppressed below 5 people, and no name is read."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from flask import Blueprint, Response, abort, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy.orm import undefer

from webapp.core.errors import FieldError
from webapp.core.navigation import add_nav
from webapp.core.timeutil import today_local
from webapp.core.views import register_home
from webapp.extensions import db
from webapp.observatory import exports
from webapp.observatory.indicators import Section
from webapp.observatory.mapdata import area_map
from webapp.observatory.overview import figures_as_of, neighbourhoods, sections
from webapp.observatory.report import build_pdf
from webapp.observatory.scope import Scope, default_scope, parse_scope
from webapp.orgs.models import Organisation
from webapp.orgs.settings import org_tz
from webapp.permissions import can_see_observatory, observatory_required
from webapp.places.maps import leaflet_installed

bp = Blueprint("observatory", __name__, url_prefix="/observatory")

add_nav("observatory.index", lambda: _l("Observatory"), can_see_observatory, order=90)
register_home("observer", "observatory.index")
# The tables drawn on the map (and its text alternative), by neighbourhood.
MAP_TABLES = ("reach_by_neighbourhood", "risk_by_neighbourhood")


def _today() -> date:
    return today_local(org_tz(current_user.organisation_id))


def _scope() -> tuple[Scope, dict[str, str]]:
    org_id = current_user.organisation_id
    try:
        return parse_scope(org_id, request.args, _today(), neighbourhoods(org_id)), {}
    except FieldError as err:
        return default_scope(org_id, _today()), {err.field: str(err.message)}


def _presets(today: date) -> list[tuple[str, dict[str, str]]]:
    """Quick periods: the last four quarters that have started, and the last 12 months."""
    out = []
    q = (today.month - 1) // 3
    year = today.year
    for _n in range(4):
        start = date(year, 3 * q + 1, 1)
        end = date(year + (q == 3), (3 * q + 3) % 12 + 1, 1) - timedelta(days=1)
        out.append(
            (
                f"{year} Q{q + 1}",
                {"start": start.isoformat(), "end": end.isoformat(), "grain": "month"},
            )
        )
        q, year = (q - 1, year) if q else (3, year - 1)
    base = default_scope(0, today)
    out.append(
        (
            str(_l("Last 12 months")),
            {"start": base.start.isoformat(), "end": base.end.isoformat(), "grain": "month"},
        )
    )
    return out


def _filters(scope: Scope) -> dict[str, str]:
    args = {"start": scope.start.isoformat(), "end": scope.end.isoformat(), "grain": scope.grain}
    if scope.neighbourhood:
        args["neighbourhood"] = scope.neighbourhood
    if scope.service:
        args["service"] = scope.service
    return args


def _org_name() -> str:
    org = db.session.get(Organisation, current_user.organisation_id)
    return org.name if org else ""


@bp.route("/")
@observatory_required
def index() -> ResponseReturnValue:
    scope, errors = _scope()
    secs = sections(scope)
    by_key = {t.key: t for s in secs for _i, t in s.tables}
    mapped = [by_key[k] for k in MAP_TABLES if k in by_key]
    area = area_map(scope.org_id, *mapped) if mapped else None
    return render_template(
        "observatory/index.html",
        scope=scope,
        errors=errors,
        sections=secs,
        neighbourhoods=neighbourhoods(scope.org_id),
        presets=_presets(_today()),
        filters=_filters(scope),
        area=area,
        leaflet=leaflet_installed(),
        legend=exports.legend(),
        org_name=_org_name(),
        as_of=figures_as_of(scope),
        export_url=lambda endpoint, table=None: export_url(endpoint, scope, table),
    )


def _chosen(secs: list[Section]) -> list[Section]:
    """All sections, or the one table named by ``?table=`` (404 for an unknown one)."""
    key = request.args.get("table")
    if not key:
        return secs
    for sec in secs:
        for ind, table in sec.tables:
            if table.key == key:
                return [Section(sec.key, sec.label, [(ind, table)], sec.summary)]
    abort(404)


def _checked_scope() -> Scope:
    scope, errors = _scope()
    if errors:
        field, message = next(iter(errors.items()))
        abort(Response(f"{field}: {message}", status=400, mimetype="text/plain"))
    return scope


def _download(body: str | bytes, mimetype: str, name: str, scope: Scope) -> Response:
    filename = f"observatory-{scope.start.isoformat()}-{scope.end.isoformat()}.{name}"
    return Response(
        body,
        mimetype=mimetype,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@bp.route("/export.csv")
@observatory_required
def export_csv() -> ResponseReturnValue:
    scope = _checked_scope()
    tables = [t for s in _chosen(sections(scope)) for _i, t in s.tables]
    body = "\ufeff" + exports.to_csv(_org_name(), scope, tables)  # BOM: Excel reads UTF-8
    return _download(body, "text/csv", "csv", scope)


@bp.route("/export.xlsx")
@observatory_required
def export_xlsx() -> ResponseReturnValue:
    scope = _checked_scope()
    body = exports.to_xlsx(_org_name(), scope, _chosen(sections(scope)))
    mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return _download(body, mimetype, "xlsx", scope)


@bp.route("/report.pdf")
@observatory_required
def report_pdf() -> ResponseReturnValue:
    scope = _checked_scope()
    org = db.session.get(
        Organisation, current_user.organisation_id, options=[undefer(Organisation.logo)]
    )
    logo = org.logo if org is not None else None
    as_of = figures_as_of(scope)
    when = as_of.astimezone(org_tz(scope.org_id)).strftime("%d/%m/%Y %H:%M") if as_of else None
    body = build_pdf(_org_name(), scope, sections(scope), _today(), logo, as_of=when)
    return _download(body, "application/pdf", "pdf", scope)


def export_url(endpoint: str, scope: Scope, table: str | None = None) -> str:
    args: dict[str, Any] = dict(_filters(scope))
    if table:
        args["table"] = table
    return url_for(endpoint, **args)
