"""Permission-matrix fragment: workforce. See fugong/core/matrix.py."""

from __future__ import annotations

from typing import Any

from fugong.core.matrix import (  # noqa: F401
    ADMIN_ONLY,
    ALL,
    AUDIT,
    ENTERPRISE_VIEWERS,
    GOVERNMENT_FIGURES,
    REGISTRY_EDITORS,
    REVEAL_X,
    ROSTER_X,
    SEE_P,
    SEE_X,
    Case,
    api,
    page,
    record,
)


def objects(world: Any) -> dict[str, Any]:
    from fugong.core.identifiers import id_check_char
    from fugong.core.models_jobs import ImportJob
    from fugong.workforce import services as workforce
    from fugong.workforce.models import Employee

    body = "43100319900101001"
    rec = workforce.clean_employee({"name": "矩阵员工", "id_number": body + id_check_char(body)})
    workforce.do_upsert_employees(None, world.x, [rec])
    job = ImportJob.objects.create(
        kind="employees", created_by=world.town_a_officer, file_name="花名册.xlsx", status="done"
    )
    return {"x": world.x.pk, "e": Employee.objects.get(enterprise=world.x).pk, "job_w": job.pk}


def cases(o: dict[str, Any]) -> dict[str, Case]:
    x, e = o["x"], o["e"]
    # An import job is seen by its creator (town A's officer) and the district admin only.
    job_viewers = frozenset({"district_admin", "town_a_officer"})
    return {
        # An enterprise admin is sent straight to their own roster.
        "workforce:roster_home": page(
            "/workforce/",
            ROSTER_X | {"enterprise_admin_y"},
            overrides={"enterprise_admin_x": 302, "enterprise_admin_y": 302},
        ),
        "workforce:district_totals": page("/workforce/totals/", GOVERNMENT_FIGURES),
        "workforce:roster": record(f"/workforce/enterprise/{x}/", ROSTER_X, SEE_X),
        "workforce:batch_summary": record(f"/workforce/enterprise/{x}/batches/", ROSTER_X, SEE_X),
        "workforce:employee_create": record(f"/workforce/enterprise/{x}/new/", ROSTER_X, SEE_X),
        "workforce:export": record(f"/workforce/enterprise/{x}/export/", REVEAL_X, SEE_X),
        "workforce:employee": record(f"/workforce/{e}/", ROSTER_X, SEE_X),
        "workforce:employee_edit": record(f"/workforce/{e}/edit/", ROSTER_X, SEE_X),
        "workforce:reveal": record(
            f"/workforce/{e}/reveal/",
            REVEAL_X,
            SEE_X,
            method="post",
            data={"fields": ["id_number"], "reason": "核对身份"},
        ),
        "workforce:stay_add": record(f"/workforce/{e}/stays/new/", ROSTER_X, SEE_X),
        "workforce:test_add": record(f"/workforce/{e}/tests/new/", ROSTER_X, SEE_X),
        "workforce:quarantine_add": record(f"/workforce/{e}/quarantines/new/", ROSTER_X, SEE_X),
        "workforce:reading_add": record(f"/workforce/{e}/readings/new/", ROSTER_X, SEE_X),
        "workforce:import": page("/workforce/import/", ROSTER_X | {"enterprise_admin_y"}),
        "workforce:import_template": page("/workforce/import/template.xlsx", ROSTER_X | {"enterprise_admin_y"}),
        "workforce:import_job": record(f"/workforce/import/{o['job_w']}/", job_viewers, job_viewers),
        "workforce:import_errors": record(f"/workforce/import/{o['job_w']}/errors.xlsx", job_viewers, job_viewers),
        "api:list_employees": api(record(f"/api/v1/enterprises/{x}/employees", ROSTER_X, SEE_X)),
        "api:get_employee": api(record(f"/api/v1/employees/{e}", ROSTER_X, SEE_X)),
        "api:reveal_employee": api(
            record(
                f"/api/v1/employees/{e}/reveal",
                REVEAL_X,
                SEE_X,
                method="post",
                data={"fields": ["id_number"], "reason": "核对身份"},
            )
        ),
    }


CASE_NAMES = [
    "workforce:roster_home",
    "workforce:district_totals",
    "workforce:roster",
    "workforce:batch_summary",
    "workforce:employee_create",
    "workforce:export",
    "workforce:employee",
    "workforce:employee_edit",
    "workforce:reveal",
    "workforce:stay_add",
    "workforce:test_add",
    "workforce:quarantine_add",
    "workforce:reading_add",
    "workforce:import",
    "workforce:import_template",
    "workforce:import_job",
    "workforce:import_errors",
    "api:list_employees",
    "api:get_employee",
    "api:reveal_employee",
]
