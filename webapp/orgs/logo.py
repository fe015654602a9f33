"""The organisation's logo, printed at the head of the observatory's PDF report.

An upload is accepted only when it decodes: Pillow (already there as fpdf2's own
dependency, which embeds the image) opens it, it is a PNG or a JPEG, and every pixel is
read (a truncated or disguised file fails here, not in the report). At most
``MAX_BYTES`` and ``MAX_SIDE`` pixels a side, so a report never carries a poster. The
bytes are kept in the database (``Organisation.logo``, deferred): backed up with
everything else, nothing to sync between servers.
"""

from __future__ import annotations

import io
import warnings

from flask_babel import gettext as _
from PIL import Image

from webapp.core.errors import FieldError
from webapp.extensions import db
from webapp.orgs.models import Organisation

MAX_BYTES = 512 * 1024
MAX_SIDE = 2000
FORMATS = {"PNG": "png", "JPEG": "jpeg"}
MIMETYPES = {"png": "image/png", "jpeg": "image/jpeg"}


def check_logo(data: bytes) -> str:
    """``"png"`` or ``"jpeg"``, or ``FieldError("logo", ...)`` saying what is wrong."""
    if not data:
        raise FieldError("logo", _("The file is empty: choose a PNG or JPEG image."))
    if len(data) > MAX_BYTES:
        raise FieldError(
            "logo",
            _(
                "The logo is %(kb)s KB: use an image of at most %(max)s KB.",
                kb=len(data) // 1024,
                max=MAX_BYTES // 1024,
            ),
        )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                kind = FORMATS.get(image.format or "")
                if kind is None:
                    raise FieldError("logo", _("The logo must be a PNG or JPEG image."))
                width, height = image.size
                if max(width, height) > MAX_SIDE:
                    raise FieldError(
                        "logo",
                        _(
                            "The logo is %(w)s x %(h)s pixels: use at most %(max)s a side.",
                            w=width,
                            h=height,
                            max=MAX_SIDE,
                        ),
                    )
                image.load()  # every pixel decoded: a truncated file fails here
    except FieldError:
        raise
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombWarning,
            Image.DecompressionBombError):  # fmt: skip
        raise FieldError(
            "logo", _("This file is not a readable PNG or JPEG image: choose another.")
        ) from None
    return kind


def save_logo(org: Organisation, data: bytes) -> None:
    org.logo_type = check_logo(data)
    org.logo = data
    db.session.flush()


def remove_logo(org: Organisation) -> None:
    org.logo, org.logo_type = None, None
    db.session.flush()
