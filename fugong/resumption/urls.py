from django.urls import path
from django.views.generic import RedirectView

from . import views_applications as apps
from . import views_dashboard as board
from . import views_status as status

app_name = "resumption"
urlpatterns = [
    path("", RedirectView.as_view(pattern_name="resumption:dashboard"), name="index"),
    # The dashboard (views_dashboard.py)
    path("dashboard/", board.dashboard_page, name="dashboard"),
    path("dashboard/screen/", board.big_screen, name="big_screen"),
    path("dashboard/records/", board.records, name="records"),
    path("dashboard/status/", board.snapshot_status, name="snapshot_status"),
    path("dashboard/refresh/", board.snapshot_refresh, name="snapshot_refresh"),
    # Applications (views_applications.py)
    path("applications/", apps.application_list, name="applications"),
    path("applications/new/", apps.application_new, name="application_new"),
    path("applications/<int:pk>/", apps.application_detail, name="application"),
    path("applications/<int:pk>/edit/", apps.application_edit, name="application_edit"),
    path("applications/<int:pk>/submit/", apps.application_submit, name="application_submit"),
    path("applications/<int:pk>/withdraw/", apps.application_withdraw, name="application_withdraw"),
    path("applications/<int:pk>/inspect/", apps.application_inspect, name="application_inspect"),
    path("applications/<int:pk>/rectified/", apps.application_rectified, name="application_rectified"),
    path("applications/<int:pk>/reject/", apps.application_reject, name="application_reject"),
    path("applications/<int:pk>/file/", apps.application_file, name="application_file"),
    path("files/<int:pk>/", apps.evidence_download, name="evidence"),
    # Enterprises and the checklist (views_status.py)
    path("enterprise/<int:enterprise_id>/", status.enterprise_status, name="enterprise"),
    path("enterprise/<int:enterprise_id>/status/", status.mark_status, name="mark_status"),
    path("enterprise/<int:enterprise_id>/report/", status.daily_report, name="daily_report"),
    path("checklist/", status.checklist, name="checklist"),
    path("checklist/new/", status.checklist_new, name="checklist_new"),
    path("checklist/<int:version>/", status.checklist_version, name="checklist_version"),
]
