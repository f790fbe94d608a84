"""Helpers shared by the server-rendered pages: role decorators and form-error plumbing.

Pages follow the API's rules: anonymous visitors go to the login page, a signed-in user without the
role gets 403 (``PermissionDenied`` renders templates/403.html), someone else's object is 404.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _

from swingtrade.accounts import roles
from swingtrade.errors import DomainError

View = Callable[..., HttpResponse]


def _role_required(check: Callable[[Any], bool], message: Any) -> Callable[[View], View]:
    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not check(request.user):
                raise PermissionDenied(message)
            return view(request, *args, **kwargs)

        return login_required(wrapped)

    return decorator


analyst_required = _role_required(roles.is_analyst, _("This page is for analysts and administrators."))
admin_required = _role_required(roles.is_admin, _("This action is for administrators."))


def add_domain_error(form: forms.Form, error: DomainError) -> None:
    """Show a service's refusal on the form, next to the field it names, else above the form.

    Services name fields in ``details`` (``{"price": ["<= 0"]}`` or ``{"field": "price"}``); the
    message shown is always the service's sentence, once, on the first named field of this form.
    """
    details = error.details if isinstance(error.details, dict) else {}
    named = [details["field"]] if isinstance(details.get("field"), str) else list(details)
    field = next((name for name in named if name in form.fields), None)
    form.add_error(field, error.message)
