"""Evidence uploads (plans, photos, documents): checked before anything is written, stored under MEDIA_ROOT
with a random name, served only through the scoped download view.

A file is accepted by what it *is*, not what it claims: the extension must be one of ours and the first bytes
must match it (a renamed script is refused). Size is limited per file and per request.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

from .services.common import ResumptionError

MAX_BYTES = int(getattr(settings, "FUGONG_EVIDENCE_MAX_BYTES", 10 * 1024 * 1024))
MAX_FILES = 40  # per request
KINDS = {
    ".jpg": "image",
    ".jpeg": "image",
    ".png": "image",
    ".pdf": "pdf",
    ".doc": "office",
    ".xls": "office",
    ".docx": "office",
    ".xlsx": "office",
}
MAGIC = {
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
    ".png": (b"\x89PNG\r\n\x1a\n",),
    ".pdf": (b"%PDF-",),
    ".doc": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",),
    ".xls": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",),
    ".docx": (b"PK\x03\x04",),
    ".xlsx": (b"PK\x03\x04",),
}
UPLOAD_DIR = "resumption"


@dataclass
class Upload:
    """A checked file waiting to be stored: where it goes (purpose, checklist item) and what it is."""

    file: UploadedFile
    purpose: str
    item_id: int | None
    name: str
    suffix: str
    kind: str
    size: int


@dataclass
class Uploads:
    """Every file of one request, checked together so that one bad file writes nothing."""

    items: list[Upload] = field(default_factory=list)

    def for_item(self, item_id: int) -> list[Upload]:
        return [u for u in self.items if u.item_id == item_id]

    def of(self, purpose: str) -> list[Upload]:
        return [u for u in self.items if u.purpose == purpose]


def check(files: list[tuple[str, str, int | None, UploadedFile]]) -> Uploads:
    """[(form field, purpose, item id, file)] → Uploads, or ResumptionError naming the field and the problem."""
    if len(files) > MAX_FILES:
        raise ResumptionError({"__all__": _("一次最多上传%(n)d个文件") % {"n": MAX_FILES}})
    out = Uploads()
    for field_name, purpose, item_id, upload in files:
        name = Path(upload.name or "").name[:200] or "upload"
        suffix = Path(name).suffix.lower()
        size = int(upload.size or 0)
        if suffix not in KINDS:
            raise ResumptionError(
                {field_name: _("“%(name)s”的格式不支持：请上传 JPG/PNG 照片、PDF 或 Word/Excel 文件") % {"name": name}}
            )
        if size == 0:
            raise ResumptionError({field_name: _("“%(name)s”是空文件") % {"name": name}})
        if size > MAX_BYTES:
            raise ResumptionError(
                {
                    field_name: _("“%(name)s”超过%(mb)dMB，请压缩后再上传")
                    % {"name": name, "mb": MAX_BYTES // (1024 * 1024)}
                }
            )
        upload.seek(0)
        head = upload.read(16)
        upload.seek(0)
        if not any(head.startswith(m) for m in MAGIC[suffix]):
            raise ResumptionError({field_name: _("“%(name)s”的内容与扩展名不符，未上传") % {"name": name}})
        out.items.append(Upload(upload, purpose, item_id, name, suffix, KINDS[suffix], size))
    return out


def store(upload: Upload, application_id: int) -> str:
    """Save the file under MEDIA_ROOT/resumption/<application>/ with a random name; return its storage name."""
    return default_storage.save(f"{UPLOAD_DIR}/{application_id}/{secrets.token_hex(16)}{upload.suffix}", upload.file)


def discard(names: list[str]) -> None:
    """Remove files stored by a write that then failed (the database rolled back; the disk does not)."""
    for name in names:
        try:
            default_storage.delete(name)
        except OSError:
            pass


def content_type(kind: str, suffix: str) -> str:
    return {
        ".jpg": "image/jpeg",
        ".jpeg": "image/jpeg",
        ".png": "image/png",
        ".pdf": "application/pdf",
        ".doc": "application/msword",
        ".xls": "application/vnd.ms-excel",
        ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    }.get(suffix, "application/octet-stream")


def describe(evidence: Any) -> str:
    return f"{evidence.original_name}（{max(1, evidence.size // 1024)} KB）"
