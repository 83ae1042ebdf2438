"""The root API at /api/v1/. Each app adds a router in <app>/api.py."""

from ninja import NinjaAPI

api = NinjaAPI(title="fugong API", version="1", urls_namespace="api")
