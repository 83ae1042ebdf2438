"""Permission-matrix fragment: enterprises. See fugong/core/matrix.py."""

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
    from fugong.core.models_jobs import ImportJob

    job = ImportJob.objects.create(
        kind="enterprises", created_by=world.town_a_officer, file_name="台账.xlsx", status="done"
    )
    return {"x": world.x.pk, "p": world.project.pk, "job_e": job.pk}


def cases(o: dict[str, Any]) -> dict[str, Case]:
    x, p = o["x"], o["p"]
    # An import job is seen by its creator (town A's officer) and the district admin only.
    job_viewers = frozenset({"district_admin", "town_a_officer"})
    return {
        "enterprises:list": page("/enterprises/", ENTERPRISE_VIEWERS),
        "enterprises:create": page("/enterprises/new/", REGISTRY_EDITORS),
        "enterprises:detail": record(f"/enterprises/{x}/", SEE_X, SEE_X),
        "enterprises:edit": record(f"/enterprises/{x}/edit/", REGISTRY_EDITORS | {"enterprise_admin_x"}, SEE_X),
        "enterprises:history": record(f"/enterprises/{x}/history/", SEE_X, SEE_X),
        "enterprises:reveal_contact": record(
            f"/enterprises/{x}/reveal-contact/", REVEAL_X, SEE_X, method="post", data={"reason": "核实联系人"}
        ),
        "enterprises:project_list": page(
            "/enterprises/projects/", GOVERNMENT_FIGURES | {"enterprise_admin_x", "enterprise_admin_y"}
        ),
        "enterprises:project_create": page("/enterprises/projects/new/", REGISTRY_EDITORS),
        "enterprises:project_detail": record(f"/enterprises/projects/{p}/", SEE_P, SEE_P),
        "enterprises:project_edit": record(f"/enterprises/projects/{p}/edit/", REGISTRY_EDITORS, SEE_P),
        "enterprises:export": page(
            "/enterprises/export/",
            {
                "district_admin",
                "leader_of_x",
                "hrss_officer",
                "town_a_officer",
                "enterprise_admin_x",
                "enterprise_admin_y",
            },
        ),
        "enterprises:import": page("/enterprises/import/", REGISTRY_EDITORS),
        "enterprises:import_template": page("/enterprises/import/template.xlsx", REGISTRY_EDITORS),
        "enterprises:import_job": record(f"/enterprises/import/{o['job_e']}/", job_viewers, job_viewers),
        "enterprises:import_errors": record(f"/enterprises/import/{o['job_e']}/errors.xlsx", job_viewers, job_viewers),
        "api:list_enterprises": api(page("/api/v1/enterprises", ENTERPRISE_VIEWERS)),
        "api:get_enterprise": api(record(f"/api/v1/enterprises/{x}", SEE_X, SEE_X)),
        "api:update_enterprise": api(
            record(
                f"/api/v1/enterprises/{x}",
                REGISTRY_EDITORS | {"enterprise_admin_x"},
                SEE_X,
                method="patch",
                data={"version": "current", "contact_name": "联系人甲"},
            )
        ),
        "api:reveal_enterprise_contact": api(
            record(
                f"/api/v1/enterprises/{x}/reveal",
                REVEAL_X,
                SEE_X,
                method="post",
                data={"fields": ["contact_phone"], "reason": "核实联系人"},
            )
        ),
        # --- admin: the non-staff are sent to the admin login, like anonymous users ---
        "admin:enterprises_enterprise_change": Case(
            f"/admin/enterprises/enterprise/{x}/change/",
            frozenset({"district_admin"}),
            overrides={p: 302 for p in ALL - {"district_admin", "auditor"}},
        ),
        # …and made staff, every persona meets the same scoping in the admin as on the pages.
        "admin:enterprise_change_as_staff": Case(
            f"/admin/enterprises/enterprise/{x}/change/",
            SEE_X,
            as_staff=True,
        ),
    }


CASE_NAMES = [
    "enterprises:list",
    "enterprises:create",
    "enterprises:detail",
    "enterprises:edit",
    "enterprises:history",
    "enterprises:reveal_contact",
    "enterprises:project_list",
    "enterprises:project_create",
    "enterprises:project_detail",
    "enterprises:project_edit",
    "enterprises:export",
    "enterprises:import",
    "enterprises:import_template",
    "enterprises:import_job",
    "enterprises:import_errors",
    "api:list_enterprises",
    "api:get_enterprise",
    "api:update_enterprise",
    "api:reveal_enterprise_contact",
    "admin:enterprises_enterprise_change",
    "admin:enterprise_change_as_staff",
]
