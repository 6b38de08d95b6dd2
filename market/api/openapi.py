"""The OpenAPI 3 document, built from the routes' own declarations."""
from __future__ import annotations

import re

from flask import jsonify

from . import ROUTES, bp, route

ERROR_SCHEMA = {
    "type": "object",
    "properties": {"error": {"type": "object", "properties": {
        "code": {"type": "string"}, "message": {"type": "string"},
        "fields": {"type": "object", "additionalProperties": {"type": "string"}}}}},
}


def _openapi_path(rule: str) -> tuple[str, list[dict]]:
    params = []

    def repl(m: re.Match) -> str:
        conv, name = (m.group(1) or "string"), m.group(2)
        params.append({"name": name, "in": "path", "required": True,
                       "schema": {"type": "integer" if conv == "int" else "string"}})
        return "{" + name + "}"

    return re.sub(r"<(?:(\w+):)?(\w+)>", repl, rule), params


def build_document() -> dict:
    """Return the OpenAPI document for every registered API route."""
    paths: dict[str, dict] = {}
    for doc in ROUTES:
        path, params = _openapi_path(bp.url_prefix + doc.rule)
        for method in doc.methods:
            op: dict = {
                "summary": doc.summary,
                "operationId": f"{method.lower()}_{re.sub(r'[^a-z0-9]+', '_', path.lower()).strip('_')}",
                "tags": list(doc.tags) or ["general"],
                "parameters": params + [{"name": n, "in": "query", "required": False, "description": d,
                                         "schema": {"type": "string"}} for n, d in doc.query.items()],
                "responses": {str(code): {"description": text} for code, text in
                              ({200: "OK"} | doc.responses).items()},
            }
            for code in (400, 401, 403, 404, 409, 422, 429):
                if code in (401, 403) and not doc.auth:
                    continue
                op["responses"].setdefault(str(code), {"description": "Error",
                                                       "content": {"application/json": {"schema": ERROR_SCHEMA}}})
            if doc.auth:
                op["security"] = [{"bearer": []}]
            if doc.body is not None:
                op["requestBody"] = {"required": True, "content": {"application/json": {"schema": doc.body}}}
            paths.setdefault(path, {})[method.lower()] = op
    return {
        "openapi": "3.1.0",
        "info": {"title": "Vietnam Environmental Industry Marketplace API", "version": "1"},
        "servers": [{"url": "/"}],
        "components": {"securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}},
        "paths": dict(sorted(paths.items())),
    }


@route("/openapi.json", summary="This OpenAPI document", tags=("system",))
def openapi_document():
    return jsonify(build_document())
