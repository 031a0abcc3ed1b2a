"""Django tries URL patterns one after another: the API's busiest route, ticket intake, is
found among the first (tierdesk/urls.py, api/api.py), not after a hundred others."""

from django.urls import get_resolver


def _patterns_tried_before(path: str) -> int:
    """How many URL patterns Django tries and rejects before the one serving `path`."""
    tried = 0

    def walk(patterns, rest):
        nonlocal tried
        for pattern in patterns:
            match = pattern.pattern.match(rest)
            if match is None:
                tried += 1
                continue
            if hasattr(pattern, "url_patterns"):
                if walk(pattern.url_patterns, match[0]):
                    return True
                continue
            return True
        return False

    assert walk(get_resolver().url_patterns, path.lstrip("/"))
    return tried


def test_opening_a_ticket_resolves_at_once():
    assert _patterns_tried_before("/api/tickets") <= 2
    assert _patterns_tried_before("/api/services") > 2  # the count sees other routes
