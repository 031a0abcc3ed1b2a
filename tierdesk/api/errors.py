"""One error format for the whole API.

    400  {"detail": "Cannot parse request body"}         not JSON
    401  {"detail": "invalid or revoked API token"}      (+ WWW-Authenticate: Bearer)
    403  {"detail": "..."}                               scope or role
    404  {"detail": "Not found."}                        missing, or outside the caller's view
    409  {"detail": "...", ...}                          the state forbids it: in use, a
                                                         status that does not allow the
                                                         action, unacknowledged feasibility
                                                         warnings (listed in "warnings")
    410  {"detail": "..."}                               a signing link that is spent
    422  {"detail": [{"field": "end_date", "message": "..."}]}

422 is used both for schema validation (django-ninja's ValidationError) and for the
django ValidationError a service raises, so a client handles one shape whichever layer
caught the mistake.
"""

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import ProtectedError
from django.http import Http404
from ninja import NinjaAPI
from ninja.errors import HttpError
from ninja.errors import ValidationError as SchemaValidationError

from tierdesk.clients.services import FeasibilityError
from tierdesk.documents.access import SigningLinkUnavailable

#: The field name used for errors that concern the whole object (Django's NON_FIELD_ERRORS).
NON_FIELD = "__all__"


class Conflict(HttpError):
    """409: the request is well-formed but the object's state does not allow it. `extra`
    is merged into the body (e.g. the feasibility warnings to acknowledge)."""

    def __init__(self, message: str, **extra) -> None:
        super().__init__(409, message)
        self.extra = extra


def schema_error_fields(errors: list[dict]) -> list[dict]:
    """django-ninja/pydantic errors → [{"field", "message"}].

    `loc` is (source, [param name,] field, ...): ("body", "payload", "end_date") or
    ("query", "limit"). The source and the body parameter's name mean nothing to a client,
    so the field is what follows them, dotted for nested fields ("sla.hours.mon").
    """
    out = []
    for error in errors:
        loc = [str(part) for part in error.get("loc", ())]
        if loc and loc[0] == "body":
            loc = loc[2:] if len(loc) > 2 else loc[1:]
        elif loc and loc[0] in ("query", "path", "header", "cookie", "form"):
            loc = loc[1:]
        message = str(error.get("msg", "invalid"))
        # pydantic prefixes errors raised in validators; the rest of the text is ours.
        message = message.removeprefix("Value error, ").removeprefix("Assertion failed, ")
        out.append({"field": ".".join(loc) or NON_FIELD, "message": message})
    return out


def service_error_fields(exc: DjangoValidationError) -> list[dict]:
    """A service's ValidationError → [{"field", "message"}], one row per message."""
    if hasattr(exc, "error_dict"):
        return [
            {"field": field, "message": message}
            for field, messages in exc.message_dict.items()
            for message in messages
        ]
    return [{"field": NON_FIELD, "message": message} for message in exc.messages]


def is_state_conflict(exc: DjangoValidationError) -> bool:
    """A service error about `status` alone means the object's state forbids the action
    (sending an ended agreement, discarding a signed one, a concurrent change): the input
    is fine, so it is a 409, not a 422."""
    return hasattr(exc, "error_dict") and set(exc.error_dict) == {"status"}


def install(api: NinjaAPI) -> None:
    """Register the handlers on `api` (after django-ninja's defaults, which they replace)."""

    @api.exception_handler(SchemaValidationError)
    def schema_invalid(request, exc):
        return api.create_response(
            request, {"detail": schema_error_fields(exc.errors)}, status=422
        )

    @api.exception_handler(DjangoValidationError)
    def service_invalid(request, exc):
        if is_state_conflict(exc):
            message = "; ".join(exc.message_dict["status"])
            return api.create_response(request, {"detail": message}, status=409)
        return api.create_response(request, {"detail": service_error_fields(exc)}, status=422)

    @api.exception_handler(FeasibilityError)
    def not_feasible(request, exc):
        return api.create_response(
            request,
            {
                "detail": exc.messages[0],
                "warnings": [warning.as_json() for warning in exc.warnings],
                "hint": 'send again with "acknowledge": true and a "note" saying why',
            },
            status=409,
        )

    @api.exception_handler(SigningLinkUnavailable)
    def link_unavailable(request, exc):
        return api.create_response(request, {"detail": exc.message}, status=exc.status)

    @api.exception_handler(Http404)
    def not_found(request, exc):
        return api.create_response(request, {"detail": "Not found."}, status=404)

    @api.exception_handler(PermissionDenied)
    def forbidden(request, exc):
        return api.create_response(
            request, {"detail": str(exc) or "You may not do this."}, status=403
        )

    @api.exception_handler(ProtectedError)
    def protected(request, exc):
        names = sorted({str(obj) for obj in exc.protected_objects})[:5]
        return api.create_response(
            request,
            {"detail": f"still in use by: {', '.join(names)}", "used_by": names},
            status=409,
        )

    @api.exception_handler(HttpError)
    def http_error(request, exc):
        body = {"detail": str(exc)} | getattr(exc, "extra", {})
        response = api.create_response(request, body, status=exc.status_code)
        if exc.status_code == 401:
            response["WWW-Authenticate"] = 'Bearer realm="tierdesk"'
        return response
