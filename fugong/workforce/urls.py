from django.urls import path

from . import views, views_import

app_name = "workforce"
urlpatterns = [
    path("", views.roster_home, name="roster_home"),
    path("totals/", views.district_totals, name="district_totals"),
    path("enterprise/<int:enterprise_id>/", views.roster, name="roster"),
    path("enterprise/<int:enterprise_id>/batches/", views.batch_summary, name="batch_summary"),
    path("enterprise/<int:enterprise_id>/new/", views.employee_create, name="employee_create"),
    path("enterprise/<int:enterprise_id>/export/", views.roster_export, name="export"),
    path("<int:pk>/", views.archive_card, name="employee"),
    path("<int:pk>/edit/", views.employee_edit, name="employee_edit"),
    path("<int:pk>/reveal/", views.employee_reveal, name="reveal"),
    path("<int:pk>/stays/new/", views.stay_add, name="stay_add"),
    path("<int:pk>/tests/new/", views.test_add, name="test_add"),
    path("<int:pk>/quarantines/new/", views.quarantine_add, name="quarantine_add"),
    path("<int:pk>/readings/new/", views.reading_add, name="reading_add"),
    # Roster import (views_import.py)
    path("import/", views_import.roster_import, name="import"),
    path("import/template.xlsx", views_import.import_template, name="import_template"),
    path("import/<int:job_id>/", views_import.import_job, name="import_job"),
    path("import/<int:job_id>/errors.xlsx", views_import.import_errors, name="import_errors"),
]
