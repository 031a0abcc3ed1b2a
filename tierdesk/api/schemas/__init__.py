"""Request and response schemas of the API, one module per domain. Response schemas are
the contract: add fields freely, never rename or remove one without a new API version."""
