"""JSON API under /api/v1: one blueprint, a route decorator that documents and validates, JSON errors."""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from typing import Any, Callable

from flask import Blueprint, g, request
from flask_login import current_user
from jsonschema import Draft202012Validator

from .. import db
from ..errors import NotAuthenticated, NotAuthorized, ValidationError
from ..services import accounts

bp = Blueprint("api", __name__, url_prefix="/api/v1")


@dataclass
class RouteDoc:
    rule: str
    methods: tuple[str, ...]
    summary: str
    auth: bool
    body: dict | None
    query: dict[str, str] = field(default_factory=dict)
    tags: tuple[str, ...] = ()
    responses: dict[int, str] = field(default_factory=dict)


ROUTES: list[RouteDoc] = []
_TYPE_NAMES = {"string": "text", "integer": "a whole number", "number": "a number", "boolean": "true or false",
               "array": "a list", "object": "an object"}


def schema_errors(schema: dict, data: Any) -> dict[str, str]:
    """Validate data against a JSON schema and return one plain message per field."""
    fields: dict[str, str] = {}
    for err in sorted(Draft202012Validator(schema).iter_errors(data), key=lambda e: list(e.path)):
        if err.validator == "required":
            name = re.search(r"'([^']+)'", err.message).group(1)
            path = ".".join(str(p) for p in [*err.path, name])
            fields.setdefault(path, "This field is required.")
            continue
        path = ".".join(str(p) for p in err.path) or "_body"
        if err.validator == "type":
            msg = f"Must be {_TYPE_NAMES.get(str(err.validator_value), err.validator_value)}."
        elif err.validator == "enum":
            msg = "Must be one of: " + ", ".join(map(str, err.validator_value)) + "."
        elif err.validator in ("minLength", "maxLength", "minimum", "maximum", "pattern", "format",
                               "minItems", "maxItems", "exclusiveMinimum"):
            msg = f"Does not meet the rule {err.validator}={err.validator_value}."
        elif err.validator == "additionalProperties":
            msg = "Unknown field(s): " + ", ".join(sorted(set(err.instance) - set(err.schema.get("properties", {})))) + "."
        else:
            msg = err.message
        fields.setdefault(path, msg)
    return fields


def api_user(optional: bool = False):
    """Return the caller: a bearer token, or the browser session for safe methods; raise 401 when required."""
    if "api_user" in g:
        return g.api_user
    user = None
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("bearer "):
        user = accounts.user_for_token(db.session(), header[7:].strip())
        if user is None:
            raise NotAuthenticated("The bearer token is invalid, expired or revoked.")
    elif request.method in ("GET", "HEAD") and current_user.is_authenticated:
        # Cookie sessions only for reads: writes need a token, so no cross-site request can forge one.
        user = current_user._get_current_object()
    if user is None and not optional:
        raise NotAuthenticated("Send 'Authorization: Bearer <token>' (get one from POST /api/v1/auth/token).")
    g.api_user = user
    return user


def route(rule: str, methods: tuple[str, ...] = ("GET",), *, summary: str, auth: bool = False,
          body: dict | None = None, query: dict[str, str] | None = None, tags: tuple[str, ...] = (),
          responses: dict[int, str] | None = None, gate: tuple[Callable[[Any], bool], Any] | None = None) -> Callable:
    """Register an API view, document it for OpenAPI, and validate its JSON body against `body`.

    Args:
        gate: (who may call, message): a role check made before the body is read, so a caller without the
            role gets 403 whatever they send, never a field error that reveals the schema.
    """

    def decorate(fn: Callable) -> Callable:
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            if auth or gate:
                user = api_user()
                if gate and not gate[0](user):
                    raise NotAuthorized(str(gate[1]))
            if body is not None:
                data = request.get_json(silent=True)
                if data is None:
                    raise ValidationError({"_body": "Send a JSON object with Content-Type: application/json."})
                if errors := schema_errors(body, data):
                    raise ValidationError(errors)
                kwargs["data"] = data
            return fn(*args, **kwargs)

        bp.add_url_rule(rule, endpoint=fn.__name__, view_func=wrapper, methods=list(methods))
        ROUTES.append(RouteDoc(rule, tuple(methods), summary, auth, body, dict(query or {}), tags,
                               dict(responses or {})))
        return wrapper

    return decorate


def register_modules() -> None:
    """Import the API modules so their routes register on the blueprint."""
    from . import alerts, auth, catalog, matching, ocds, openapi, orders, procurement, stats, system, techtransfer  # noqa: F401
