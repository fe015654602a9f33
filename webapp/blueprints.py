"""One blueprint per feature; registered here in one place."""

from flask import Flask


def register_blueprints(app: Flask) -> None:
    from webapp.auth.views import bp as auth_bp
    from webapp.core.views import bp as core_bp
    from webapp.matchrun.views import bp as matchrun_bp
    from webapp.people.views import bp as people_bp
    from webapp.timebank.api import bp as timebank_api_bp
    from webapp.timebank.views import bp as timebank_bp

    app.register_blueprint(core_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(people_bp)
    app.register_blueprint(matchrun_bp)

    from webapp.requests.views import bp as requests_bp
    from webapp.shifts.views import bp as shifts_bp

    app.register_blueprint(requests_bp)
    app.register_blueprint(shifts_bp)

    app.register_blueprint(timebank_bp)
    app.register_blueprint(timebank_api_bp)

    from webapp.notifications import views as notifications_views
    from webapp.scheduler.views import bp as scheduler_bp

    notifications_views.init_app(app)
    app.register_blueprint(notifications_views.bp)
    app.register_blueprint(scheduler_bp)
