from django.urls import path

from . import views, views_procurement, views_rules

app_name = "supplies"
urlpatterns = [
    path("", views.home, name="home"),
    path("overview/", views.overview, name="overview"),
    path("enterprise/<int:enterprise_id>/", views.enterprise, name="enterprise"),
    path("enterprise/<int:enterprise_id>/movements/", views.movements, name="movements"),
    path("enterprise/<int:enterprise_id>/movements/new/", views.movement_add, name="movement_add"),
    path("enterprise/<int:enterprise_id>/consumption/", views.consumption, name="consumption"),
    path("enterprise/<int:enterprise_id>/consumption/import/", views.consumption_import, name="consumption_import"),
    path("consumption/template.xlsx", views.consumption_template, name="consumption_template"),
    path("enterprise/<int:enterprise_id>/settings/", views_rules.enterprise_settings, name="settings"),
    path("enterprise/<int:enterprise_id>/requests/new/", views_procurement.request_new, name="request_new"),
    # Procurement matchmaking and doorstep delivery (views_procurement.py)
    path("requests/", views_procurement.requests, name="requests"),
    path("requests/<int:pk>/cancel/", views_procurement.request_cancel, name="request_cancel"),
    path("orders/", views_procurement.orders, name="orders"),
    path("orders/<int:pk>/", views_procurement.order, name="order"),
    path("orders/<int:pk>/cancel/", views_procurement.order_cancel, name="order_cancel"),
    path("deliveries/", views_procurement.deliveries, name="deliveries"),
    path("deliveries/<int:pk>/", views_procurement.delivery, name="delivery"),
    path("suppliers/", views_procurement.suppliers, name="suppliers"),
    # Rules as data (views_rules.py)
    path("norms/", views_rules.norms, name="norms"),
    path("norms/new/", views_rules.norm_new, name="norm_new"),
    path("norms/threshold/", views_rules.threshold_new, name="threshold_new"),
]
