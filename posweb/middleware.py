"""Language choice: a store's screens speak the store's language, not the tablet's.

A register tablet bought abroad still shows Japanese in a Japanese store; a
tablet (or an admin) that picked a language with the toggle keeps it (the
``django_language`` cookie). Django admin pages also honour the browser's
Accept-Language, for HQ staff.
"""

from __future__ import annotations

from django.conf import settings
from django.utils import translation
from django.utils.translation import get_supported_language_variant


class StoreLanguageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        try:
            language = get_supported_language_variant(chosen) if chosen else ""
        except LookupError:
            language = ""
        if not language:
            if request.path.startswith("/admin/"):
                language = translation.get_language_from_request(request)
            else:
                language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", request.LANGUAGE_CODE)
        return response
