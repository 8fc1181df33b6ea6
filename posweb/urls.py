from django.contrib import admin
from django.urls import path
from django.views.generic import RedirectView

from kitchen import views as kitchen_views
from posweb.api import api
from registers import views as register_views
from registers import views_money
from security import views as security_views

urlpatterns = [
    path("", RedirectView.as_view(url="/register/", permanent=False)),
    path("register/", register_views.register_page, name="register"),
    path("register/manager/", views_money.manager_page, name="manager"),
    path("register/receipt/<uuid:order_id>/", views_money.receipt_page, name="receipt"),
    path("sw.js", register_views.service_worker, name="service-worker"),
    path("manifest.webmanifest", register_views.manifest, name="manifest"),
    path("kitchen/", kitchen_views.kitchen_page, name="kitchen"),
    path("pair/", security_views.pair_page, name="pair"),
    path("api/", api.urls),
    path("admin/", admin.site.urls),
]
