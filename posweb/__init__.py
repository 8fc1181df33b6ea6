"""posweb: the project wiring (settings, ASGI routing, URLs, the API assembly)."""
