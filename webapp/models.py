"""Import every model module so that metadata (and Alembic) sees all tables."""

from webapp.activities.models import (  # noqa: F401
    Activity,
    ActivityHelper,
    ActivityRide,
    ActivitySession,
    Application,
    Attendance,
)
from webapp.audit.models import AuditEvent  # noqa: F401
from webapp.auth.models import (  # noqa: F401
    LoginSession,
    LoginThrottle,
    RecoveryCode,
    SecondFactor,
    User,
)
from webapp.desk.models import Alert, Contact, Duty  # noqa: F401
from webapp.matchrun.models import MatchRun  # noqa: F401
from webapp.notifications.models import Notification, NotificationPreference  # noqa: F401
from webapp.observatory.models import (  # noqa: F401
    ObservatoryCount,
    ObservatoryFirst,
    ObservatoryPeople,
    ObservatoryRefresh,
)
from webapp.orgs.models import (  # noqa: F401
    Organisation,
    OrganisationSchedule,
    OrganisationSettings,
)
from webapp.people.models import (  # noqa: F401
    Absence,
    AvailabilitySlot,
    Credential,
    CredentialWarning,
    Person,
    ResidentProfile,
    VolunteerProfile,
)
from webapp.places.models import GazetteerEntry, GeocodeCache  # noqa: F401
from webapp.referrals.models import (  # noqa: F401
    DirectoryActivity,
    LonelinessMeasure,
    Prescription,
    Referral,
)
from webapp.requests.models import Request, RequestWindow  # noqa: F401
from webapp.scheduler.models import JobRun  # noqa: F401
from webapp.shifts.models import (  # noqa: F401
    Assignment,
    BoardCandidate,
    CalendarToken,
    CheckIn,
    RideRoute,
    Shift,
    ShiftEvent,
)
from webapp.timebank.models import Account, ApiToken, LedgerPolicy, Transfer  # noqa: F401
