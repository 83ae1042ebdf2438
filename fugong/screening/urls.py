from django.urls import path

from . import views, views_checkin, views_rules

app_name = "screening"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("enterprise/<int:enterprise_id>/", views.enterprise, name="enterprise"),
    path("enterprise/<int:enterprise_id>/poster/", views.poster, name="poster"),
    path("enterprise/<int:enterprise_id>/qr.png", views.qr_png, name="qr_png"),
    path("enterprise/<int:enterprise_id>/rotate/", views.rotate, name="rotate"),
    path("enterprise/<int:enterprise_id>/readings/", views.gate_upload, name="gate_upload"),
    path("readings/template.xlsx", views.gate_template, name="gate_template"),
    path("alerts/", views.alerts, name="alerts"),
    path("alerts/<int:pk>/resolve/", views.alert_resolve, name="alert_resolve"),
    path("trace/", views.trace, name="trace"),
    path("trace/export.xlsx", views.trace_export, name="trace_export"),
    path("rescreen/", views.rescreen, name="rescreen"),
    path("jobs/<int:pk>/", views.job, name="job"),
    # Rule data (views_rules.py)
    path("risk-areas/", views_rules.risk_areas, name="risk_areas"),
    path("risk-areas/new/", views_rules.risk_area_new, name="risk_area_new"),
    path("risk-areas/import/", views_rules.risk_import, name="risk_import"),
    path("risk-areas/template.xlsx", views_rules.risk_template, name="risk_template"),
    path("rules/", views_rules.rule_versions, name="rules"),
    path("rules/new/", views_rules.rule_new, name="rule_new"),
    # The phone page behind the QR code: no account (views_checkin.py)
    path("d/<str:token>/", views_checkin.declare, name="checkin"),
]
