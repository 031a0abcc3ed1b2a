"""The real URL map plus stand-ins for navigation names other apps have not mounted yet."""

from django.http import HttpResponse
from django.urls import NoReverseMatch, include, path, reverse

from tierdesk.core.permissions import public_view
from tierdesk.urls import urlpatterns as real_patterns


@public_view
def _stub(request):
    return HttpResponse("stub")


def _complete(namespace: str, names: list[str]) -> bool:
    for view_name in names:
        try:
            reverse(f"{namespace}:{view_name}", urlconf="tierdesk.urls")
        except NoReverseMatch:
            return False
    return True


_STUBS = {
    "clients": ["dashboard", "client_list", "agreement_list"],
    "plans": ["plan_list", "comparison"],
}
# Of two includes with one namespace, reverse() uses the first, so the stand-ins go first
# and an incomplete namespace is stood in for as a whole.
urlpatterns = [
    path(f"__stub__/{ns}/", include(
        ([path(f"{n}/", _stub, name=n) for n in names], ns), namespace=ns))
    for ns, names in _STUBS.items() if not _complete(ns, names)
] + list(real_patterns)
