"""The REST API: one NinjaAPI instance; routers live in api/routers/ by domain.

Mounted at /api/ (tierdesk/urls.py). OpenAPI at /api/openapi.json, interactive docs at
/api/docs (served from local assets, see docs.py). Authentication: a personal bearer token
(api/auth.py) or the browser session with CSRF. Errors: api/errors.py.
"""

from ninja import NinjaAPI

from tierdesk.api import errors
from tierdesk.api.auth import BearerTokenAuth, SessionCookieAuth
from tierdesk.api.docs import LocalSwagger
from tierdesk.api.renderers import APIJSONRenderer
from tierdesk.api.routers import agreements, calendars, catalog, clients, plans, tickets
from tierdesk.core.permissions import public_view

api = NinjaAPI(
    title="tierdesk API",
    version="1",
    urls_namespace="api",
    description=(
        "Tiers, clients, agreements, tickets, calendars and the intake webhooks of a "
        "tierdesk installation.\n\n"
        "Authenticate with `Authorization: Bearer <token>`; create a token on the API tokens "
        "page. Read tokens may only GET. Lists take `limit` and `offset` and return "
        "`{items, count}`. Errors are `{\"detail\": ...}`; invalid input is 422 with "
        "`{\"detail\": [{\"field\", \"message\"}]}`."
    ),
    auth=[BearerTokenAuth(), SessionCookieAuth()],
    docs=LocalSwagger(),
    renderer=APIJSONRenderer(),
    # The docs page and schema describe the API to anyone; every endpoint checks its caller.
    docs_decorator=public_view,
)
errors.install(api)

# Django tries URL patterns in order, about a microsecond each: the desk's routes, the
# busiest (ticket intake from scripts and RMM tools), come first.
api.add_router("", tickets.router)
api.add_router("", catalog.router)
api.add_router("", plans.router)
api.add_router("", clients.router)
api.add_router("", agreements.router)
api.add_router("", calendars.router)
api.add_router("", "tierdesk.api.routers.intake.router")  # intake webhooks (signed)
api.add_router("", "tierdesk.api.routers.billing.router")  # sessions, items, invoices
api.add_router("", "tierdesk.api.routers.maintenance.router")  # schedules, work orders, audits
api.add_router("", "tierdesk.api.routers.reports.router")  # monthly value reports
