"""Permission-matrix fragment: screening. See fugong/core/matrix.py."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fugong.core.matrix import ALL, SEE_X, Case, api, page, record

# Who may do what in screening (fugong/screening/permissions.py), by persona.
VIEW = frozenset(
    {
        "district_admin",
        "hrss_officer",
        "leader_of_x",
        "town_a_officer",
        "liaison_of_x",
        "enterprise_admin_x",
        "enterprise_admin_y",
    }
)
MANAGE = frozenset({"district_admin"})
TRACE = frozenset({"district_admin", "hrss_officer", "town_a_officer", "liaison_of_x"})
ALERTS = frozenset(
    {
        "district_admin",
        "hrss_officer",
        "leader_of_x",
        "town_a_officer",
        "liaison_of_x",
        "enterprise_admin_x",
        "enterprise_admin_y",
    }
)
RESOLVE = frozenset({"district_admin", "town_a_officer", "liaison_of_x", "enterprise_admin_x", "enterprise_admin_y"})
CHECKIN = frozenset({"district_admin", "town_a_officer", "liaison_of_x", "enterprise_admin_x", "enterprise_admin_y"})
ALERTS_X = ALERTS - {"enterprise_admin_y"}
CHECKIN_X = CHECKIN - {"enterprise_admin_y"}
RESOLVE_X = RESOLVE - {"enterprise_admin_y"}


def objects(world: Any) -> dict[str, Any]:
    from fugong.core.identifiers import id_check_char
    from fugong.screening import services
    from fugong.screening.models import Alert, RescreenJob
    from fugong.workforce import services as workforce
    from fugong.workforce.models import Employee

    body = "43100319900101003"
    rec = workforce.clean_employee({"name": "矩阵员工", "id_number": body + id_check_char(body)})
    workforce.do_upsert_employees(None, world.x, [rec])
    emp = Employee.objects.get(enterprise=world.x)
    alert = Alert.objects.create(
        enterprise=world.x,
        employee=emp,
        kind="fever",
        day=dt.date(2020, 3, 1),
        message="矩* 体温异常",
        key=f"matrix:{emp.pk}",
    )
    job = RescreenJob.objects.create(
        trigger="matrix", as_of=dt.date(2020, 3, 2), status="done", created_by=world.district_admin
    )
    point = services.do_ensure_checkin_point(None, world.x)
    return {"x": world.x.pk, "alert": alert.pk, "job": job.pk, "token": point.token}


def cases(o: dict[str, Any]) -> dict[str, Case]:
    x = o["x"]
    enterprise_admins = {"enterprise_admin_x": 302, "enterprise_admin_y": 302}
    return {
        # An enterprise admin is sent to their own enterprise's page.
        "screening:overview": page("/screening/", VIEW, overrides=enterprise_admins),
        "screening:enterprise": record(f"/screening/enterprise/{x}/", ALERTS_X, SEE_X),
        "screening:poster": record(f"/screening/enterprise/{x}/poster/", CHECKIN_X, SEE_X),
        "screening:qr_png": record(f"/screening/enterprise/{x}/qr.png", CHECKIN_X, SEE_X),
        "screening:rotate": record(
            f"/screening/enterprise/{x}/rotate/", CHECKIN_X, SEE_X, method="post", ok_status=302
        ),
        "screening:gate_upload": record(f"/screening/enterprise/{x}/readings/", CHECKIN_X, SEE_X),
        "screening:gate_template": page("/screening/readings/template.xlsx", CHECKIN),
        "screening:alerts": page("/screening/alerts/", ALERTS),
        # The alert is X's: resolving it is 302 (back to the list) for whoever may, 404 outside X.
        "screening:alert_resolve": record(
            f"/screening/alerts/{o['alert']}/resolve/",
            RESOLVE_X,
            SEE_X,
            method="post",
            data={"resolution": "已处理"},
            ok_status=302,
        ),
        "screening:trace": page("/screening/trace/?code=420106", TRACE),
        "screening:trace_export": page("/screening/trace/export.xlsx?code=420106", TRACE),
        "screening:rescreen": page("/screening/rescreen/", MANAGE),
        # Jobs are the district admin's: anyone else gets the 404 of a missing job.
        "screening:job": Case(f"/screening/jobs/{o['job']}/", MANAGE),
        "screening:risk_areas": page("/screening/risk-areas/", VIEW),
        "screening:risk_area_new": page("/screening/risk-areas/new/", MANAGE),
        "screening:risk_import": page("/screening/risk-areas/import/", MANAGE),
        "screening:risk_template": page("/screening/risk-areas/template.xlsx", MANAGE),
        "screening:rules": page("/screening/rules/", VIEW),
        "screening:rule_new": page("/screening/rules/new/", MANAGE),
        # The phone page: no account needed, the same page for everyone.
        "screening:checkin": Case(f"/screening/d/{o['token']}/", ALL, anonymous=200),
        "api:list_risk_areas": api(page("/api/v1/risk-areas", VIEW)),
        "api:create_risk_area": api(
            page(
                "/api/v1/risk-areas",
                MANAGE,
                method="post",
                ok_status=201,
                data={
                    "region_code": "420106",
                    "region_name": "武昌区",
                    "level": "高",
                    "effective_from": "2020-03-02",
                    "source": "矩阵测试",
                },
            )
        ),
        "api:trace": api(page("/api/v1/screening/trace?code=420106", TRACE)),
        "api:list_alerts": api(page("/api/v1/alerts", ALERTS)),
    }


CASE_NAMES = [
    "screening:overview",
    "screening:enterprise",
    "screening:poster",
    "screening:qr_png",
    "screening:rotate",
    "screening:gate_upload",
    "screening:gate_template",
    "screening:alerts",
    "screening:alert_resolve",
    "screening:trace",
    "screening:trace_export",
    "screening:rescreen",
    "screening:job",
    "screening:risk_areas",
    "screening:risk_area_new",
    "screening:risk_import",
    "screening:risk_template",
    "screening:rules",
    "screening:rule_new",
    "screening:checkin",
    "api:list_risk_areas",
    "api:create_risk_area",
    "api:trace",
    "api:list_alerts",
]
