"""The screening demo (step_40) on the loaded 苏仙区 demo: every worker evaluated as of 2020-03-02 with real
reasons; 高斯贝尔's first batch (non-residents all tested negative after return) cleared; the two feverish last
readings 异常 with an alert each; the daily brief's status figures; a second load writes nothing."""

from __future__ import annotations

import io
import json
import os
from unittest import mock

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test.utils import override_settings

from fugong.core import figures, scoping
from fugong.demo.enterprises import AS_OF, FENGCHU, GOSPELL
from fugong.screening.models import Alert, CheckinPoint, RiskArea
from fugong.workforce.models import Employee

FAST_HASHER = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def load() -> str:
    out = io.StringIO()
    with mock.patch.dict(os.environ, {"FUGONG_DEMO_PASSWORD": ""}):
        call_command("load_demo", stdout=out)
    return out.getvalue()


@pytest.fixture(scope="module")
def demo_output(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=FAST_HASHER):
        with transaction.atomic():
            yield load()
            transaction.set_rollback(True)


@pytest.fixture
def demo(demo_output, db, settings):
    settings.PASSWORD_HASHERS = FAST_HASHER
    return demo_output


def test_gospells_first_batch_is_cleared_and_every_worker_has_a_reason(demo):
    batch_one = Employee.objects.filter(enterprise__name=GOSPELL, batch__number=1)
    assert batch_one.count() == 470
    assert set(batch_one.values_list("clearance", flat=True)) == {"cleared"}
    non_resident = batch_one.filter(resident=False)
    assert non_resident.count() == 409
    assert all("核酸检测阴性" in r for r in non_resident.values_list("clearance_reason", flat=True))
    assert not Employee.objects.filter(clearance_reason="").exists()


def test_the_two_fevers_are_abnormal_with_an_alert_each(demo):
    abnormal = Employee.objects.filter(clearance="abnormal").select_related("enterprise")
    assert sorted(e.enterprise.name for e in abnormal) == sorted([GOSPELL, FENGCHU])
    assert all("体温" in e.clearance_reason for e in abnormal)
    fevers = Alert.objects.filter(kind="fever")
    assert sorted(fevers.values_list("employee_id", flat=True)) == sorted(e.pk for e in abnormal)


def test_workers_back_from_a_rated_county_within_the_window_are_quarantined(demo):
    quarantined = Employee.objects.filter(clearance="quarantine")
    assert quarantined.exists()
    for e in quarantined:
        assert e.clearance_until >= AS_OF and "风险）返回，隔离观察至" in e.clearance_reason
    assert RiskArea.objects.filter(level="high", region_code="420106").exists()
    assert RiskArea.objects.filter(region_code="330106").count() == 2  # rated 中, then lifted: both kept


def test_the_brief_states_the_status_figures(demo):
    values = figures.compute(scoping.DISTRICT_WIDE, AS_OF)
    total = sum(
        values[k]
        for k in ("employees_cleared", "employees_test_required", "employees_quarantine", "employees_abnormal")
    )
    assert total == values["employees_total"] and values["employees_abnormal"] == 2
    out = io.StringIO()
    call_command("daily_brief", "--date", "2020-03-02", "--format", "json", stdout=out)
    keys = json.loads(out.getvalue())["figures"]
    assert keys["employees_cleared"] == values["employees_cleared"] and "screening_alerts_open" in keys


def test_a_second_load_writes_nothing_for_screening(demo):
    before = (
        Employee.objects.filter(clearance_evaluated_at__isnull=False).values_list("version", flat=True).order_by("id")
    )
    versions = list(before)
    counts = (RiskArea.objects.count(), Alert.objects.count(), CheckinPoint.objects.count())
    load()
    assert list(before) == versions
    assert (RiskArea.objects.count(), Alert.objects.count(), CheckinPoint.objects.count()) == counts
