from django.urls import path

from . import views, views_excel

app_name = "enterprises"
urlpatterns = [
    path("", views.enterprise_list, name="list"),
    path("new/", views.enterprise_create, name="create"),
    path("<int:pk>/", views.enterprise_detail, name="detail"),
    path("<int:pk>/edit/", views.enterprise_edit, name="edit"),
    path("<int:pk>/history/", views.enterprise_history, name="history"),
    path("<int:pk>/reveal-contact/", views.enterprise_reveal_contact, name="reveal_contact"),
    path("projects/", views.project_list, name="project_list"),
    path("projects/new/", views.project_create, name="project_create"),
    path("projects/<int:pk>/", views.project_detail, name="project_detail"),
    path("projects/<int:pk>/edit/", views.project_edit, name="project_edit"),
    # Excel round trip (views_excel.py)
    path("export/", views_excel.enterprise_export, name="export"),
    path("import/", views_excel.enterprise_import, name="import"),
    path("import/template.xlsx", views_excel.import_template, name="import_template"),
    path("import/<int:job_id>/", views_excel.import_job, name="import_job"),
    path("import/<int:job_id>/errors.xlsx", views_excel.import_errors, name="import_errors"),
]
