"""The solver's reasons, stored in English, read in the coordinator's language."""

from __future__ import annotations

from flask_babel import force_locale

from webapp.matchrun.reasons import reason_text


def test_the_other_leg_reason_names_the_trip_and_translates_the_cause(app):
    with app.test_request_context():
        why = "its return leg 141 cannot be served: no driver available at 11:45"
        assert reason_text(why) == (
            "the trip back cannot be served: no driver is available at 11:45"
        )
        with force_locale("it"):
            assert reason_text(why) == (
                "il ritorno non si può fare: nessun autista è disponibile alle 11:45"
            )
            out = "its outbound leg 7 cannot be served: no wheelchair-accessible car available"
            assert reason_text(out).startswith("l'andata non si può fare: ")
            assert "141" not in reason_text(why)
