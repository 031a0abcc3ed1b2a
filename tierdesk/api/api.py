"""The REST API: one NinjaAPI instance; routers live in api/routers/ by domain."""

from ninja import NinjaAPI

api = NinjaAPI(
    title="tierdesk API",
    version="1",
    urls_namespace="api",
    description="Tiers, clients and agreements of a tierdesk installation.",
)
