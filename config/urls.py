from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from config.api import api
from fugong.core import views as core_views

urlpatterns = [
    path("", core_views.home, name="home"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("fugong.accounts.urls")),
    path("enterprises/", include("fugong.enterprises.urls")),
    path("workforce/", include("fugong.workforce.urls")),
    path("screening/", include("fugong.screening.urls")),
    path("resumption/", include("fugong.resumption.urls")),
    path("liaison/", include("fugong.liaison.urls")),
    path("outreach/", include("fugong.outreach.urls")),
    path("supplies/", include("fugong.supplies.urls")),
    path("audit/", include("fugong.core.urls")),
    path("reports/", include("fugong.reports.urls")),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
