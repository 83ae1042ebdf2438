from django.urls import path

from . import views, views_visits

app_name = "liaison"
urlpatterns = [
    path("coverage/", views.coverage, name="coverage"),
    path("coverage/pair/", views.pair, name="pair"),
    path("cadres/", views.cadre_list, name="cadre_list"),
    path("cadres/new/", views.cadre_form, name="cadre_create"),
    path("cadres/<int:pk>/", views.cadre_detail, name="cadre_detail"),
    path("cadres/<int:pk>/edit/", views.cadre_form, name="cadre_edit"),
    path("cadres/<int:pk>/reveal/", views.cadre_reveal, name="cadre_reveal"),
    path("cadres/<int:pk>/assign/", views.assign, name="assign"),
    path("assignments/<int:pk>/end/", views.assignment_end, name="assignment_end"),
    path("proposal/", views.proposal, name="proposal"),
    path("rules/", views.rules, name="rules"),
    # Visits, help teams and the phone page (views_visits.py)
    path("my/", views_visits.my_page, name="my"),
    path("visits/", views_visits.visit_list, name="visit_list"),
    path("visits/new/", views_visits.visit_new, name="visit_new"),
    path("visits/coverage/", views_visits.visit_coverage, name="visit_coverage"),
    path("teams/", views_visits.team_list, name="team_list"),
    path("teams/new/", views_visits.team_form, name="team_create"),
    path("teams/<int:pk>/", views_visits.team_detail, name="team_detail"),
    path("teams/<int:pk>/edit/", views_visits.team_form, name="team_edit"),
]
