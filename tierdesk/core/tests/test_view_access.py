"""Every view of tierdesk declares who may use it (core/permissions.py)."""

from django.urls import URLPattern, URLResolver, get_resolver

# Third-party views that enforce their own access rules.
SELF_GUARDED_PREFIXES = (
    "ninja.",
    "django.contrib.auth.views.LogoutView",
)


def _walk(patterns, prefix=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), entry.callback


def _declared(callback) -> bool:
    if hasattr(callback, "tierdesk_access"):
        return True
    view_class = getattr(callback, "view_class", None)
    return view_class is not None and hasattr(view_class.dispatch, "tierdesk_access")


def _qualname(callback) -> str:
    target = getattr(callback, "view_class", callback)
    target = getattr(target, "func", target)  # functools.partial (django-ninja's docs views)
    return f"{target.__module__}.{target.__qualname__}"


def test_every_tierdesk_view_declares_its_audience():
    undeclared = [
        f"{route} -> {_qualname(cb)}"
        for route, cb in _walk(get_resolver().url_patterns)
        if not route.startswith("admin/")  # the admin checks is_staff itself
        and not _qualname(cb).startswith(SELF_GUARDED_PREFIXES)
        and not _declared(cb)
    ]
    assert undeclared == []


def test_the_check_itself_notices_an_undeclared_view():
    def naked_view(request):
        return None

    assert not _declared(naked_view)
