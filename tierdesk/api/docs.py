"""The interactive API docs (Swagger UI), served entirely from this installation.

django-ninja falls back to a template that loads Swagger UI from a CDN when "ninja" is not
in INSTALLED_APPS; tierdesk must work offline, so the page is always rendered from our own
template, which loads the assets django-ninja ships (static/ninja/). Swagger UI's online
validator badge would also call out to validator.swagger.io, so it is switched off.
"""

import json

from django.shortcuts import render
from ninja.openapi.docs import Swagger, _csrf_needed


class LocalSwagger(Swagger):
    template = "api/docs.html"
    default_settings = Swagger.default_settings | {
        "validatorUrl": None,
        "persistAuthorization": True,
    }

    def render_page(self, request, api, **kwargs):
        settings = self.settings | {"url": self.get_openapi_url(api, kwargs)}
        context = {
            "swagger_settings": json.dumps(settings, indent=1),
            "api": api,
            "add_csrf": _csrf_needed(api),
        }
        return render(request, self.template, context)
