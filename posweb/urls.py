from django.contrib import admin
from django.urls import path
from django.views.generic import RedirectView

from hq import views as hq_views
from integrations import views as channel_views
from kitchen import views as kitchen_views
from posweb.api import api
from registers import views as register_views
from registers import views_money, views_tables
from security import views as security_views

urlpatterns = [
    path("", RedirectView.as_view(url="/register/", permanent=False)),
    path("register/", register_views.register_page, name="register"),
    path("register/manager/", views_money.manager_page, name="manager"),
    path("register/receipt/<uuid:order_id>/", views_money.receipt_page, name="receipt"),
    path("tables/", views_tables.tables_page, name="tables"),
    path("tables/qr/", views_tables.qr_sheet, name="tables-qr"),
    path("r/<str:token>/", views_money.e_receipt_page, name="e-receipt"),
    path("sw.js", register_views.service_worker, name="service-worker"),
    path("manifest.webmanifest", register_views.manifest, name="manifest"),
    path("kitchen/", kitchen_views.kitchen_page, name="kitchen"),
    path("kiosk/", channel_views.kiosk_page, name="kiosk"),
    path("order/", channel_views.qr_order_page, name="qr-order"),
    path("order/sw.js", channel_views.qr_service_worker, name="qr-order-sw"),
    path("board/", channel_views.board_page, name="board"),
    path("pair/", security_views.pair_page, name="pair"),
    path("api/", api.urls),
    path("admin/", admin.site.urls),
    path("hq/", hq_views.dashboard, name="hq-dashboard"),
    path("hq/sales.csv", hq_views.sales_csv, name="hq-sales-csv"),
]
