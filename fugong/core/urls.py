from django.urls import path

from . import views

app_name = "core"
urlpatterns = [
    path("log/", views.audit_log, name="audit_log"),
    path("access/", views.access_log, name="access_log"),
]
