"""ZIP files handed out (evidence packs, data-subject exports): every member stamped
with the moment the file was made, so the same content gives the same bytes."""
import io
import zipfile
from datetime import datetime


def zip_archive(members: dict[str, bytes], made_at: datetime) -> bytes:
    """``members`` by name, in order, deflated, each dated ``made_at`` (its wall clock)."""
    stamp = made_at.timetuple()[:6]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(zipfile.ZipInfo(name, date_time=stamp), content,
                             compress_type=zipfile.ZIP_DEFLATED)
    return buffer.getvalue()
