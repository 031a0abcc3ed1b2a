from django.conf import settings


def tierdesk(request):
    return {"CURRENCY": settings.CURRENCY}
