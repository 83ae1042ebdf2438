import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection

# Synthetic, valid ID numbers (GB 11643 check digits computed, not real people).
from fugong.core.identifiers import id_check_char
from fugong.core.models import AccessLog, AuditLog
from fugong.workforce import services
from fugong.workforce.models import Employee
from fugong.workforce.selectors import batch_summary, employees_for_user, get_employee_for_user


def synthetic_id(seq: int, birth: str = "19900101") -> str:
    body = f"431003{birth}{seq:03d}"
    return body + id_check_char(body)


def record(seq: int, **fields):
    data = {"name": f"测试员工{seq}", "id_number": synthetic_id(seq), "phone": f"1390000{seq:04d}"}
    data.update(fields)
    return services.clean_employee(data, today=dt.date(2020, 3, 2))


def test_clean_employee_derives_gender_and_birth_date_from_the_id_number():
    rec = record(1)  # sequence 001: odd → male
    assert rec.gender == "M"
    assert rec.birth_date == dt.date(1990, 1, 1)
    assert rec.id_hash == services.id_hash(rec.id_number)


def test_clean_employee_reports_each_bad_field_with_a_code():
    with pytest.raises(services.EmployeeValidationError) as exc:
        services.clean_employee({"name": "", "id_number": "431003199001010011", "phone": "12345"})
    assert set(exc.value.errors) == {"name", "id_number", "phone"}
    assert exc.value.errors["id_number"][0] == "checksum"


def test_upsert_creates_then_reports_unchanged_then_updates_only_what_changed(world):
    recs = [record(i, batch_number=1, resident=i % 2 == 0) for i in range(1, 6)]
    first = services.do_upsert_employees(world.district_admin, world.x, recs)
    assert (first.created, first.updated, first.unchanged) == (5, 0, 0)
    audit_rows = AuditLog.objects.filter(action="employee.create").count()
    assert audit_rows == 5

    again = services.do_upsert_employees(
        world.district_admin, world.x, [record(i, batch_number=1, resident=i % 2 == 0) for i in range(1, 6)]
    )
    assert (again.created, again.updated, again.unchanged) == (0, 0, 5)
    assert AuditLog.objects.filter(action__startswith="employee.").count() == audit_rows

    changed = services.do_upsert_employees(
        world.district_admin, world.x, [record(1, batch_number=2, workshop="一车间")]
    )
    assert (changed.created, changed.updated) == (0, 1)
    emp = Employee.objects.get(id_hash=services.id_hash(synthetic_id(1)))
    assert emp.workshop == "一车间" and emp.batch.number == 2 and emp.version == 2
    log = AuditLog.objects.get(action="employee.update")
    assert "workshop" in log.changes
    assert "测试员工1" not in log.object_repr  # masked name


def test_the_database_holds_no_plaintext_id_number_or_phone(world):
    services.do_upsert_employees(None, world.x, [record(7)])
    with connection.cursor() as cur:
        cur.execute("SELECT id_number, phone, id_hash FROM workforce_employee")
        raw = " ".join(str(v) for v in cur.fetchone())
    assert synthetic_id(7) not in raw
    assert "13900000007" not in raw
    assert Employee.objects.get().id_number == synthetic_id(7)


def test_reveal_needs_permission_and_a_reason_and_is_logged(world):
    services.do_upsert_employees(None, world.x, [record(3)])
    emp = Employee.objects.get()
    with pytest.raises(PermissionDenied):
        services.do_reveal_employee(world.liaison_of_x, emp, ["id_number"], "核查")
    with pytest.raises(services.EmployeeValidationError):
        services.do_reveal_employee(world.district_admin, emp, ["id_number"], " ")
    shown = services.do_reveal_employee(world.district_admin, emp, ["id_number", "phone"], "核对返岗信息")
    assert shown == {"id_number": synthetic_id(3), "phone": "13900000003"}
    log = AccessLog.objects.get(kind="reveal")
    assert log.fields == ["id_number", "phone"] and log.purpose == "核对返岗信息"


def test_employees_are_scoped_through_their_enterprise(world):
    services.do_upsert_employees(None, world.x, [record(1)])
    services.do_upsert_employees(None, world.y, [record(2)])
    x_emp = Employee.objects.get(enterprise=world.x)
    assert set(employees_for_user(world.town_a_officer).values_list("enterprise_id", flat=True)) == {world.x.pk}
    assert employees_for_user(world.enterprise_admin_y).count() == 1
    assert employees_for_user(world.auditor).count() == 0
    from django.http import Http404

    with pytest.raises(Http404):
        get_employee_for_user(world.enterprise_admin_y, x_emp.pk)
    assert get_employee_for_user(world.enterprise_admin_x, x_emp.pk) == x_emp


def test_batch_summary_counts_employees_non_residents_and_tested_non_residents(world):
    from fugong.workforce.models import HealthTest

    recs = [record(i, batch_number=1, resident=i <= 2) for i in range(1, 6)] + [
        record(i, batch_number=2) for i in range(6, 9)
    ]
    services.do_upsert_employees(None, world.x, recs)
    for emp in Employee.objects.filter(resident=False, batch__number=1)[:2]:
        HealthTest.objects.create(employee=emp, kind="nat", sample_date=dt.date(2020, 2, 10), result="negative")
    rows = {r["batch__number"]: r for r in batch_summary(world.district_admin, world.x.pk)}
    assert (rows[1]["employees"], rows[1]["non_resident"], rows[1]["non_resident_tested"]) == (5, 3, 2)
    assert (rows[2]["employees"], rows[2]["non_resident"], rows[2]["non_resident_tested"]) == (3, 3, 0)
