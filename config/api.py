"""The JSON API (django-ninja): one NinjaAPI, one router per app, schema at /api/v1/openapi.json."""

from ninja import NinjaAPI

from homestays.api import router as homestays_router
from orders.api import router as orders_router

api = NinjaAPI(title="Tianyuan API", version="1", urls_namespace="api")
api.add_router("/homestays/", homestays_router)
api.add_router("/", orders_router)
