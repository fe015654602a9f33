"""The organisation's logo: a PNG or JPEG that decodes, at most 512 KB, saved from the
profile page; anything else is refused with a message beside the field, and the logo
saved before stays. Removing it asks once."""

from __future__ import annotations

import io
import os

import pytest
from PIL import Image

from tests.factories import PASSWORD, make_coordinator, make_org
from tests.helpers import csrf_from, login
from webapp.extensions import db
from webapp.orgs.logo import MAX_BYTES, check_logo


def picture(fmt: str, width: int = 60, height: int = 30) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), "teal").save(out, format=fmt)
    return out.getvalue()


@pytest.fixture
def coordinator(client, db_session):  # type: ignore[no-untyped-def]
    user = make_coordinator(make_org("Comune di Prova"))
    db.session.commit()
    assert login(client, user.email, PASSWORD).status_code == 302
    return user


def _upload(client, data: bytes, name: str = "logo.png"):  # type: ignore[no-untyped-def]
    token = csrf_from(client.get("/organisation").get_data(as_text=True))
    return client.post(
        "/organisation/logo",
        data={"csrf_token": token, "logo": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


@pytest.mark.parametrize("fmt", ["PNG", "JPEG"])
def test_a_png_or_jpeg_is_saved_and_shown(client, coordinator, fmt):
    data = picture(fmt)
    resp = _upload(client, data)
    assert resp.status_code == 302 and resp.location.endswith("/organisation#logo-section")
    org = coordinator.organisation
    db.session.refresh(org)
    assert org.logo == data and org.logo_type == fmt.lower()
    page = client.get("/organisation").get_data(as_text=True)
    assert 'src="/organisation/logo"' in page and "The logo of Comune di Prova" in page
    image = client.get("/organisation/logo")
    assert image.mimetype == f"image/{fmt.lower()}" and image.data == data


TRUNCATED = picture("PNG", 400, 400)[:-200]


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (picture("GIF"), "logo.gif", "The logo must be a PNG or JPEG image."),
        (b"%PDF-1.4 not a picture", "logo.png", "not a readable PNG or JPEG image"),
        (TRUNCATED, "logo.png", "not a readable PNG or JPEG image"),
        (b"", "logo.png", "The file is empty: choose a PNG or JPEG image."),
        (b"", "", "Choose a PNG or JPEG file to upload."),
        (picture("PNG", 2400, 10), "wide.png", "2400 x 10 pixels: use at most 2000 a side"),
    ],
)
def test_a_bad_file_is_named_and_the_saved_logo_stays(client, coordinator, data, name, message):
    good = picture("PNG")
    assert _upload(client, good).status_code == 302
    resp = _upload(client, data, name)
    html = resp.get_data(as_text=True)
    assert resp.status_code == 400
    assert 'id="logo-error"' in html and message in html
    org = coordinator.organisation
    db.session.refresh(org)
    assert org.logo == good


def test_a_file_over_the_limit_is_refused_before_decoding():
    noise = picture("PNG") + os.urandom(MAX_BYTES)
    with pytest.raises(Exception) as refused:
        check_logo(noise)
    assert "use an image of at most 512 KB" in str(refused.value)


def test_removing_the_logo_asks_once(client, coordinator):
    _upload(client, picture("PNG"))
    token = csrf_from(client.get("/organisation").get_data(as_text=True))
    asked = client.post("/organisation/logo/remove", data={"csrf_token": token})
    assert asked.status_code == 200 and "Remove the organisation&#39;s logo?" in asked.get_data(
        as_text=True
    )
    org = coordinator.organisation
    db.session.refresh(org)
    assert org.logo is not None
    done = client.post("/organisation/logo/remove", data={"csrf_token": token, "confirmed": "1"})
    assert done.status_code == 302
    db.session.refresh(org)
    assert org.logo is None and org.logo_type is None
    assert client.get("/organisation/logo").status_code == 404
