"""Intake webhooks: the phone (Twilio voice) and monitoring alerts (RMM tools).

These endpoints take no bearer token: each authenticates its caller by a signature over the
request (tierdesk/desk/intake/signatures.py) and stores every request before anything else
(desk/intake/webhooks.py). They parse the request, call one intake function and render its
answer; they never answer 500 — a failure is stored and held for triage.
"""

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from ninja import Router

from tierdesk.desk.intake import rmm, voice

router = Router(tags=["intake webhooks"])

FORM = "application/x-www-form-urlencoded"
TWIML_RESPONSE = {"description": "TwiML", "content": {"text/xml": {"schema": {"type": "string"}}}}
VOICE_FORM = {
    "requestBody": {
        "required": True,
        "content": {FORM: {"schema": {
            "type": "object",
            "required": ["CallSid", "From", "To"],
            "properties": {
                "CallSid": {"type": "string", "description": "Twilio's id of the call; "
                            "the dedupe key (a replay creates nothing)"},
                "From": {"type": "string", "description": "the caller, E.164"},
                "To": {"type": "string", "description": "the number called: the hotline "
                       "(TIERDESK_HOTLINE) or the attendant line"},
                "CallStatus": {"type": "string", "example": "ringing"},
                "AccountSid": {"type": "string"},
            },
        }}},
    },
    "parameters": [{"in": "header", "name": "X-Twilio-Signature", "required": True,
                    "schema": {"type": "string"},
                    "description": "base64 HMAC-SHA1 (TWILIO_AUTH_TOKEN) of the URL followed "
                                   "by the POST parameters sorted by name, name+value"}],
    "responses": {200: TWIML_RESPONSE, 403: {"description": "bad signature (stored, "
                                                            "REJECTED)"}},
}
DIAL_FORM = {
    "requestBody": {"required": True, "content": {FORM: {"schema": {
        "type": "object",
        "properties": {"CallSid": {"type": "string"},
                       "DialCallStatus": {"type": "string", "example": "completed"},
                       "DialCallDuration": {"type": "string", "example": "42"}},
    }}}},
    "parameters": VOICE_FORM["parameters"],
    "responses": {200: TWIML_RESPONSE},
}
ALERT_RESULT = {"description": "stored and processed", "content": {"application/json": {
    "schema": {"type": "object", "properties": {
        "status": {"type": "string", "enum": ["ticketed", "folded", "recorded", "held",
                                              "rejected"]},
        "reason": {"type": "string"}, "ticket": {"type": "string", "nullable": True},
        "inbound": {"type": "integer"}, "duplicate": {"type": "boolean"},
    }}}}}
RMM_HEADERS = [
    {"in": "header", "name": "X-Tierdesk-Timestamp", "required": True,
     "schema": {"type": "string"}, "description": "Unix seconds; more than 300 s off is refused"},
    {"in": "header", "name": "X-Tierdesk-Signature", "required": True,
     "schema": {"type": "string"}, "description": "sha256=<hex HMAC-SHA256 (TIERDESK_RMM_SECRET) "
                                                  "of timestamp + '.' + body>"},
]
GENERIC_ALERT = {"type": "object", "required": ["device", "check"], "properties": {
    "alert_id": {"type": "string"}, "client_id": {"type": "integer"},
    "client": {"type": "string", "description": "client name (instead of client_id)"},
    "domain": {"type": "string", "description": "client e-mail domain (instead of client_id)"},
    "site": {"type": "string"}, "device": {"type": "string"}, "check": {"type": "string"},
    "service": {"type": "string", "description": "catalog service slug, default "
                                                 "event-log-monitoring"},
    "severity": {"type": "string", "enum": ["critical", "error", "warning", "info"]},
    "status": {"type": "string", "enum": ["triggered", "resolved"]},
    "message": {"type": "string"}, "occurred_at": {"type": "string", "format": "date-time"},
}}
TACTICAL_ALERT = {"type": "object", "properties": {
    name: {"type": "string"} for name in ("event", "agent_id", "hostname", "client", "site",
                                          "alert_type", "check", "task", "severity", "message",
                                          "alert_time", "alert_id", "service")
}}


def _alert_doc(schema: dict) -> dict:
    return {
        "requestBody": {"required": True, "content": {"application/json": {"schema": schema}}},
        "parameters": RMM_HEADERS,
        "responses": {200: ALERT_RESULT, 202: {"description": "stored, processing failed: "
                                                              "held for triage"},
                      400: {"description": "not JSON or invalid fields (stored, REJECTED)"},
                      403: {"description": "bad signature or stale timestamp (stored, "
                                           "REJECTED)"}},
    }


def _signed_urls(request: HttpRequest) -> list[str]:
    # Twilio signs the URL it was configured with. Behind a proxy that is SITE_URL + path,
    # which may differ from what Django sees; either spelling is accepted.
    return [settings.SITE_URL.rstrip("/") + request.get_full_path(),
            request.build_absolute_uri()]


def _form_params(request: HttpRequest) -> list[tuple[str, str]]:
    return [(name, value) for name in request.POST for value in request.POST.getlist(name)]


def _twiml(reply: voice.VoiceReply) -> HttpResponse:
    return HttpResponse(reply.twiml, status=reply.status_code,
                        content_type="text/xml; charset=utf-8")


@router.post("/intake/voice", auth=None, url_name="intake_voice", include_in_schema=True,
             openapi_extra=VOICE_FORM, summary="Twilio voice webhook (incoming call)")
def intake_voice(request: HttpRequest):
    """Point the Twilio number's "A call comes in" webhook here (HTTP POST). Answers TwiML:
    <Dial> to the on-call technician for a hotline caller whose tier includes the hotline,
    the tier's channel instructions and a callback ticket otherwise, a callback ticket on
    the attendant line, a polite message (call held for triage) for an unknown number."""
    body = request.body
    reply = voice.voice_call_receive(
        body=body, params=_form_params(request),
        signature=request.headers.get("X-Twilio-Signature", ""),
        urls=_signed_urls(request), dial_action=reverse("api:intake_voice_dial"))
    return _twiml(reply)


@router.post("/intake/voice/dial", auth=None, url_name="intake_voice_dial",
             openapi_extra=DIAL_FORM, summary="Twilio <Dial> result for a hotline call")
def intake_voice_dial(request: HttpRequest, ticket: str = ""):
    """Set by tierdesk itself as the <Dial action>: an answered forward logs the call on
    the ticket (its first response); an unanswered one alerts the dispatchers."""
    body = request.body
    reply = voice.voice_dial_receive(
        body=body, params=_form_params(request),
        signature=request.headers.get("X-Twilio-Signature", ""),
        urls=_signed_urls(request), reference=ticket[:16])
    return _twiml(reply)


def _alert(request: HttpRequest, fmt: str) -> JsonResponse:
    result = rmm.rmm_alert_receive(
        body=request.body, fmt=fmt,
        timestamp=request.headers.get("X-Tierdesk-Timestamp", ""),
        signature=request.headers.get("X-Tierdesk-Signature", ""))
    return JsonResponse(result.body, status=result.status_code)


@router.post("/intake/rmm", auth=None, url_name="intake_rmm",
             openapi_extra=_alert_doc(GENERIC_ALERT), summary="Monitoring alert (generic JSON)")
def intake_rmm(request: HttpRequest):
    """One alert in tierdesk's generic format. Repeats of a device+check fold into the open
    ticket (counter); "resolved" auto-resolves it; a monitored-only tier marks remediation
    billable. A replay returns the stored result with `"duplicate": true`."""
    return _alert(request, "generic")


@router.post("/intake/rmm/tactical", auth=None, url_name="intake_rmm_tactical",
             openapi_extra=_alert_doc(TACTICAL_ALERT),
             summary="Monitoring alert (Tactical RMM webhook body)")
def intake_rmm_tactical(request: HttpRequest):
    """One alert as sent by a Tactical RMM alert-template webhook with tierdesk's body
    template (see the README); processed like the generic format."""
    return _alert(request, "tactical")
