"""Request bodies are limited per route before anything reads them: forms everywhere,
one document of each type on the upload route, whole import files only for signed-in users whose
role may import. An over-limit body is answered 413 with a clear page."""
import io
import os

import pytest
from PIL import Image
from sqlalchemy import func, select

from caseapp.body_limits import large_uploads
from caseapp.errors import _MESSAGES
from models import DocumentType
from tests.factories import make_application
from tests.helpers import csrf_token, login

MB = 1024 * 1024


class UnreadBody(io.RawIOBase):
    """A request body of ``size`` bytes that fails the test once it is read past a few
    kilobytes (a refused body must not be read, let alone spooled to disk)."""

    def __init__(self, size: int):
        self.size, self.position = size, 0

    def readable(self):
        return True

    def seekable(self):
        return True

    def seek(self, offset, whence=io.SEEK_SET):
        self.position = {io.SEEK_SET: 0, io.SEEK_CUR: self.position,
                         io.SEEK_END: self.size}[whence] + offset
        return self.position

    def tell(self):
        return self.position

    def readinto(self, buffer):
        assert self.position <= 64 * 1024, "the server is reading a body it should refuse"
        count = min(len(buffer), self.size - self.position)
        buffer[:count] = b"a" * count
        self.position += count
        return count


def _post_claiming(client, path: str, size: int):
    return client.post(path, input_stream=UnreadBody(size),
                       content_type="multipart/form-data; boundary=batas")


def _refused_unread(app, response) -> None:
    assert response.status_code == 413
    with app.test_request_context():
        assert str(_MESSAGES[413]) in response.get_data(as_text=True)


def test_a_200_mb_anonymous_post_to_the_login_is_refused_unread(app, client):
    response = _post_claiming(client, "/auth/login", 200 * MB)
    _refused_unread(app, response)


@pytest.mark.parametrize("path", ["/imports/dtsen", "/bpjs/responses"])
def test_import_routes_take_large_files_only_from_signed_in_users_with_the_role(
        app, client, session, path):
    _refused_unread(app, _post_claiming(client, path, 50 * MB))  # anonymous
    login(client, "head")  # signed in, but may not import
    _refused_unread(app, _post_claiming(client, path, 50 * MB))


def test_an_importer_may_send_a_large_file_but_not_an_unlimited_one(app, client, session):
    login(client, "cw1")
    page = "/imports/"
    response = client.post("/imports/dtsen", data={
        "csrf_token": csrf_token(client, page),
        "file": (io.BytesIO(b"bukan,kolom,dtsen\n" + b"x\n" * (2 * MB)), "dtsen.csv")},
        content_type="multipart/form-data")
    assert response.status_code == 302  # read and refused by the import, not by size
    _refused_unread(app, _post_claiming(client, "/imports/dtsen",
                                        app.config["MAX_IMPORT_BYTES"] + 1))


def _photo(size_bytes: int) -> bytes:
    side = int((size_bytes / 3) ** 0.5) + 1
    buffer = io.BytesIO()
    Image.frombytes("RGB", (side, side), os.urandom(side * side * 3)).save(buffer, "PNG")
    return buffer.getvalue()


def test_the_document_route_takes_one_document_of_each_type_and_no_more(app, client, session,
                                                                         staff):
    application = make_application(session, staff["cw1"])
    session.commit()
    page = f"/cases/{application.id}"
    anonymous = _post_claiming(client, f"{page}/documents", 3 * MB)
    _refused_unread(app, anonymous)
    login(client, "cw1")
    photo = _photo(3 * MB)
    assert MB < len(photo) < app.config["MAX_DOCUMENT_BYTES"]
    stored = client.post(f"{page}/documents", data={
        "csrf_token": csrf_token(client, page), "file-ktp": (io.BytesIO(photo), "ktp.png"),
        "file-kk": (io.BytesIO(photo), "kk.png")}, content_type="multipart/form-data")
    assert stored.status_code == 302, stored.get_data(as_text=True)[-300:]
    types = session.scalar(select(func.count()).select_from(DocumentType)
                           .where(DocumentType.active))
    _refused_unread(app, _post_claiming(client, f"{page}/documents",
                                        app.config["MAX_DOCUMENT_BYTES"] * types + 200 * 1024))


def test_every_large_upload_route_exists(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert set(large_uploads()) <= endpoints and "cases.upload" in endpoints
