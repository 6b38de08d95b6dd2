"""Registration, tokens and the caller's profile."""
from __future__ import annotations

from flask import current_app, jsonify

from .. import db
from ..errors import NotAuthenticated
from ..extensions import limiter
from ..models import OrgKind, Role, SizeClass
from ..provinces import PROVINCES
from ..services import accounts
from . import api_user, route, serializers

REGISTER_SCHEMA = {
    "type": "object",
    "required": ["email", "password", "name", "organisation_name", "organisation_kind", "tax_code", "province",
                 "size_class", "role"],
    "properties": {
        "email": {"type": "string", "maxLength": 254},
        "password": {"type": "string", "maxLength": 200},
        "name": {"type": "string", "maxLength": 200},
        "language": {"type": "string", "enum": ["vi", "en"]},
        "organisation_name": {"type": "string", "maxLength": 300},
        "organisation_kind": {"type": "string", "enum": [k.value for k in OrgKind]},
        "tax_code": {"type": "string", "maxLength": 14},
        "province": {"type": "string", "description": "code or name; one of " + ", ".join(c for c, _, _ in PROVINCES)},
        "size_class": {"type": "string", "enum": [s.value for s in SizeClass]},
        "domestic_manufacturer": {"type": "boolean"},
        "role": {"type": "string", "enum": [r.value for r in Role if r is not Role.ADMINISTRATOR]},
    },
    "additionalProperties": False,
}
TOKEN_SCHEMA = {
    "type": "object",
    "required": ["email", "password"],
    "properties": {"email": {"type": "string"}, "password": {"type": "string"}, "name": {"type": "string", "maxLength": 100}},
    "additionalProperties": False,
}


@route("/auth/register", ("POST",), summary="Register a user with a new organisation", body=REGISTER_SCHEMA,
       tags=("accounts",), responses={201: "Created"})
def register(data):
    user = accounts.register(db.session(), data)
    return jsonify(serializers.user(user)), 201


@route("/auth/token", ("POST",), summary="Exchange email and password for a bearer token", body=TOKEN_SCHEMA,
       tags=("accounts",), responses={201: "Created"})
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"])
def issue_token(data):
    session = db.session()
    user = accounts.authenticate(session, data["email"], data["password"])
    if user is None:
        raise NotAuthenticated("Email or password is not correct.")
    token, raw = accounts.issue_token(session, user, data.get("name", "api"), current_app.config["TOKEN_TTL_DAYS"])
    return jsonify({"token": raw, "token_id": token.id, "expires_at": token.expires_at.isoformat()}), 201


@route("/auth/tokens/<int:token_id>", ("DELETE",), summary="Revoke one of your tokens", auth=True,
       tags=("accounts",), responses={204: "Revoked"})
def revoke_token(token_id: int):
    accounts.revoke_token(db.session(), api_user(), token_id)
    return "", 204


@route("/me", summary="The calling user, their organisations and roles", auth=True, tags=("accounts",))
def me():
    return jsonify(serializers.user(api_user()))


PROFILE_SCHEMA = {
    "type": "object",
    "properties": {
        "name": {"type": "string", "maxLength": 300},
        "description": {"type": ["string", "null"], "maxLength": 4000},
        "website": {"type": ["string", "null"], "maxLength": 300},
        "province": {"type": "string"},
        "size_class": {"type": "string", "enum": [s.value for s in SizeClass]},
        "domestic_manufacturer": {"type": "boolean"},
        "tax_code": {"type": "string", "description": "cannot change; sending a different value is an error"},
    },
    "additionalProperties": False,
}


@route("/organisations/<int:org_id>", summary="An organisation's profile", tags=("accounts",))
def get_organisation(org_id: int):
    from ..errors import NotFound
    from ..models import Organisation

    org = db.session().get(Organisation, org_id)
    if org is None or (not org.is_verified and not _is_member_or_admin(org)):
        raise NotFound("No such organisation.")
    return jsonify(serializers.organisation(org) | {"description": org.description, "website": org.website})


def _is_member_or_admin(org) -> bool:
    from ..services.organisations import can_edit_profile

    user = api_user(optional=True)
    return user is not None and can_edit_profile(user, org)


@route("/organisations/<int:org_id>", ("PATCH",), summary="Update your organisation's profile", auth=True,
       body=PROFILE_SCHEMA, tags=("accounts",))
def update_organisation(org_id: int, data):
    from ..services.organisations import update_profile

    org = update_profile(db.session(), api_user(), org_id, data)
    return jsonify(serializers.organisation(org) | {"description": org.description, "website": org.website})
