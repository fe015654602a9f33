"""Every blueprint, registered in one place.

A feature's routes live in its ``views.py`` (which creates the blueprint ``bp``); routes
for another audience of the same feature live beside it (``coordinator_views.py``,
``api.py``) and attach to that ``bp``. Importing them here, before registering, is what
attaches them: nothing else imports a views module.
"""

from flask import Flask

from webapp.activities import coordinator_views as activities_coordinator_views  # noqa: F401
from webapp.activities.views import bp as activities_bp
from webapp.auth.views import bp as auth_bp
from webapp.core.views import bp as core_bp
from webapp.desk import alert_views as desk_alert_views  # noqa: F401
from webapp.desk.views import bp as desk_bp
from webapp.matchrun.views import bp as matchrun_bp
from webapp.notifications import views as notifications_views
from webapp.observatory import observer_views as observatory_observer_views  # noqa: F401
from webapp.observatory.views import bp as observatory_bp
from webapp.orgs import logo_views as orgs_logo_views  # noqa: F401
from webapp.orgs import views as orgs_views
from webapp.people import coordinator_views as people_coordinator_views  # noqa: F401
from webapp.people import map_views as people_map_views  # noqa: F401
from webapp.people import volunteer_views as people_volunteer_views  # noqa: F401
from webapp.people.views import bp as people_bp
from webapp.privacy.views import bp as privacy_bp
from webapp.referrals import coordinator_views as referrals_coordinator_views  # noqa: F401
from webapp.referrals.views import bp as referrals_bp
from webapp.requests import change_views as requests_change_views  # noqa: F401
from webapp.requests.views import bp as requests_bp
from webapp.scheduler.views import bp as scheduler_bp
from webapp.shifts import calendar_views as shifts_calendar_views  # noqa: F401
from webapp.shifts import coordinator_views as shifts_coordinator_views  # noqa: F401
from webapp.shifts import outcome_views as shifts_outcome_views  # noqa: F401
from webapp.shifts.views import bp as shifts_bp
from webapp.timebank import coordinator_views as timebank_coordinator_views  # noqa: F401
from webapp.timebank.api import bp as timebank_api_bp
from webapp.timebank.views import bp as timebank_bp

BLUEPRINTS = (core_bp, auth_bp, people_bp, matchrun_bp, requests_bp, shifts_bp, timebank_bp,
              timebank_api_bp, notifications_views.bp, scheduler_bp, desk_bp, orgs_views.bp,
              privacy_bp, activities_bp, referrals_bp, observatory_bp)


def register_blueprints(app: Flask) -> None:
    notifications_views.init_app(app)
    orgs_views.init_app(app)
    for bp in BLUEPRINTS:
        app.register_blueprint(bp)
