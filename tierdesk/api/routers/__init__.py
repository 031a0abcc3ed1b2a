"""API endpoints, one router per domain. Each endpoint parses input, fetches the object
through a scoped query, calls one service of the owning app and renders the result."""
