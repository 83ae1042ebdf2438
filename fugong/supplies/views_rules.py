"""Pages of the rules (rules as data): the catalogue with its norms and threshold, their history and new
versions (district admin), and an enterprise's own settings and norms."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from fugong.accounts import roles

from . import permissions as p
from . import selectors, services
from .forms import EnterpriseNormForm, NormVersionForm, ProfileForm, ThresholdForm
from .services.rules import ConcurrentEditError
from .views import enterprise_for, require


@login_required
def norms(request: HttpRequest) -> HttpResponse:
    require(request.user, p.VIEW_SUPPLIES)
    today = timezone.localdate()
    current = selectors.norms_on(today)
    context = {
        "items": [{"item": i, "norm": current.get(i.pk)} for i in selectors.items()],
        "history": selectors.norm_history(),
        "thresholds": selectors.threshold_history(),
        "threshold": selectors.threshold_on(today),
        "can_configure": roles.can(request.user, p.CONFIGURE),
        "today": today,
    }
    return render(request, "supplies/norms.html", context)


@login_required
def norm_new(request: HttpRequest) -> HttpResponse:
    require(request.user, p.CONFIGURE)
    initial = {"valid_from": timezone.localdate(), "spare": 0}
    item_id = request.GET.get("item", "")
    if item_id.isdigit():
        initial["item"] = int(item_id)
    form = NormVersionForm(request.POST if request.method == "POST" else None, initial=initial)
    if form.is_bound and form.is_valid():
        data = dict(form.cleaned_data)
        item = data.pop("item")
        data["spare"] = data.get("spare") or 0
        try:
            norm = services.check_add_norm_version(request.user, item, data)
        except services.SupplyValidationError as exc:
            form.add_service_errors(exc.errors)
        else:
            messages.success(
                request,
                _("已新增%(item)s的定额版本，自%(d)s起执行")
                % {"item": norm.item.name, "d": norm.valid_from.isoformat()},
            )
            return redirect("supplies:norms")
    title = _("新增定额版本")
    return render(
        request, "supplies/rule_form.html", {"form": form, "title": title}, status=400 if form.errors else 200
    )


@login_required
def threshold_new(request: HttpRequest) -> HttpResponse:
    require(request.user, p.CONFIGURE)
    current = selectors.threshold_on()
    initial = {"valid_from": timezone.localdate(), "days": current.days, "critical_days": current.critical_days}
    form = ThresholdForm(request.POST if request.method == "POST" else None, initial=initial)
    if form.is_bound and form.is_valid():
        try:
            row = services.check_add_threshold_version(request.user, form.cleaned_data)
        except services.SupplyValidationError as exc:
            form.add_service_errors(exc.errors)
        else:
            messages.success(
                request,
                _("保障天数标准调整为%(days)d天，自%(d)s起执行") % {"days": row.days, "d": row.valid_from.isoformat()},
            )
            return redirect("supplies:norms")
    title = _("调整保障天数标准")
    return render(
        request, "supplies/rule_form.html", {"form": form, "title": title}, status=400 if form.errors else 200
    )


@login_required
def enterprise_settings(request: HttpRequest, enterprise_id: int) -> HttpResponse:
    """Two forms on one page: the enterprise's settings (entrances, hours, reported headcount) and a new
    version of one of its own norms; `form` in the POST says which."""
    e = enterprise_for(request, enterprise_id, p.EDIT_SETTINGS)
    profile = selectors.profile_of(e)
    today = timezone.localdate()
    which = request.POST.get("form") if request.method == "POST" else None
    profile_form = ProfileForm(
        request.POST if which == "profile" else None,
        initial={
            "entrances": profile.entrances,
            "shift_hours": profile.shift_hours,
            "on_duty_reported": profile.on_duty_reported,
            "version": profile.version,
        },
    )
    norm_form = EnterpriseNormForm(request.POST if which == "norm" else None, initial={"valid_from": today})
    status = 200
    if which == "profile" and profile_form.is_valid():
        data = {k: v for k, v in profile_form.cleaned_data.items() if k != "version"}
        try:
            services.check_update_profile(request.user, e, data, profile_form.cleaned_data.get("version"))
        except services.SupplyValidationError as exc:
            profile_form.add_service_errors(exc.errors)
        except ConcurrentEditError:
            profile_form.add_error(None, _("物资参数已被他人修改，请刷新后重试"))
            status = 409
        else:
            messages.success(request, _("已保存物资参数"))
            return redirect("supplies:enterprise", enterprise_id=e.pk)
    if which == "norm" and norm_form.is_valid():
        data = dict(norm_form.cleaned_data)
        item = data.pop("item")
        try:
            services.check_set_enterprise_norm(request.user, e, item, data)
        except services.SupplyValidationError as exc:
            norm_form.add_service_errors(exc.errors)
        else:
            messages.success(request, _("已设置%(item)s的企业定额") % {"item": item.name})
            return redirect("supplies:enterprise", enterprise_id=e.pk)
    if status == 200 and (profile_form.errors or norm_form.errors):
        status = 400
    context = {
        "e": e,
        "profile": profile,
        "profile_form": profile_form,
        "norm_form": norm_form,
        "own_norms": list(e.supply_norms.select_related("item").order_by("item__sort", "-valid_from")),
        "today": today,
    }
    return render(request, "supplies/settings.html", context, status=status)
