"""Files out: the self-declaration QR code (segno, SVG for the poster and PNG for download) and the masked
"who passed through X?" list."""

from __future__ import annotations

import io
from typing import Any

import segno
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fugong.core import audit, excel
from fugong.core.masking import mask_id_number, mask_name

from . import selectors

EXPORT_LIMIT = 200_000


def qr_svg(url: str) -> str:
    """An inline <svg> (no XML declaration), scalable for printing."""
    buffer = io.BytesIO()
    segno.make(url, error="m").save(
        buffer, kind="svg", scale=8, border=2, xmldecl=False, svgns=True, svgclass="qr", lineclass=None, omitsize=True
    )
    return buffer.getvalue().decode()


def qr_png(url: str) -> bytes:
    buffer = io.BytesIO()
    segno.make(url, error="m").save(buffer, kind="png", scale=12, border=2)
    return buffer.getvalue()


class TraceExport:
    """Everyone in the exporter's scope who passed through the region in the window: names and ID numbers
    masked (only the first character of a name, the first 6 and last 4 of an ID), the file stamped with its
    exporter, the export written to the access log."""

    HEADERS = (
        gettext_lazy("姓名"),
        gettext_lazy("身份证号码"),
        gettext_lazy("企业"),
        gettext_lazy("镇（街道）"),
        gettext_lazy("驻企联络员"),
        gettext_lazy("到达"),
        gettext_lazy("离开"),
        gettext_lazy("上岗状态"),
        gettext_lazy("隔离/观察截止"),
    )

    def __init__(self, user: Any, query: dict[str, Any], region_name: str) -> None:
        self.user = user
        self.query = query
        self.region_name = region_name

    def rows(self) -> list[list[Any]]:
        grouped = list(
            selectors.trace(self.user, self.query["code"], self.query["since"], self.query["until"])[:EXPORT_LIMIT]
        )
        out: list[list[Any]] = []
        for start in range(0, len(grouped), 900):
            for r in selectors.trace_rows(grouped[start : start + 900], self.query["as_of"], with_ids=True):
                e = r.employee
                out.append(
                    [
                        mask_name(e.name),
                        mask_id_number(e.id_number),
                        e.enterprise.name,
                        e.enterprise.town.name,
                        "、".join(r.liaisons),
                        r.date_from,
                        r.date_to,
                        e.get_clearance_display(),
                        e.clearance_until,
                    ]
                )
        return out

    def write(self, target: Any) -> int:
        rows = self.rows()
        title = _("%(name)s（%(code)s）%(since)s至%(until)s途经人员") % {
            "name": self.region_name or self.query["code"],
            "code": self.query["code"],
            "since": self.query["since"],
            "until": self.query["until"],
        }
        meta = excel.meta_for(self.user, title, _("姓名、身份证号码已脱敏"))
        count = excel.write_xlsx(target, [str(h) for h in self.HEADERS], rows, sheet_title=_("途经人员"), meta=meta)
        audit.log_access(
            self.user,
            "export",
            subject_type="screening.trace",
            subject_repr=self.query["code"],
            fields=["name_masked", "id_number_masked", "trajectory", "clearance"],
            purpose=title,
            record_count=count,
        )
        return count
