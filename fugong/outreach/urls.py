from django.urls import path

from . import views

app_name = "outreach"
urlpatterns = [
    path("", views.coverage, name="coverage"),
    path("teams/<int:pk>/", views.team_detail, name="team_detail"),
    path("teams/<int:pk>/plan/", views.plan, name="plan"),
    path("teams/<int:pk>/visits/new/", views.visit_new, name="visit_new"),
    path("rules/", views.rules, name="rules"),
    path("tcm/", views.tcm_list, name="tcm_list"),
    path("tcm/new/", views.tcm_create, name="tcm_create"),
    path("tcm/<int:pk>/", views.tcm_detail, name="tcm_detail"),
]
