"""Free-text search across the marketplace, and the matching helpers that listing pages use."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from .. import db
from ..i18n import _, _l, current_language
from ..models import Role
from ..templating import DASHBOARD_PANELS, PUBLIC_NAVIGATION

bp = Blueprint("matching", __name__)

PUBLIC_NAVIGATION.append(("matching.search", _l("Search")))
DASHBOARD_PANELS.append(("matching/_for_you_panel.html",
                         (Role.SUPPLIER_REPRESENTATIVE, Role.TECHNOLOGY_HOLDER, Role.EXPERT)))

KIND_LABELS = {
    "tender": _l("Tender"), "order": _l("Direct order"), "organisation": _l("Enterprise"), "product": _l("Product"),
    "patent": _l("Technology offer"), "technology_need": _l("Technology need"), "expert": _l("Expert"),
    "course": _l("Training course"), "personnel_need": _l("Personnel need"),
}
SEARCH_KINDS = ("tender", "organisation", "product", "patent", "technology_need", "expert", "course")


@bp.route("/search")
def search():
    """Search every published listing by meaning, in Vietnamese or English."""
    from matching.engine import MAX_QUERY_CHARS

    from ..api.matching import _as_row
    from ..services import matching as matching_service
    from ..services.match_views import present

    q = (request.args.get("q") or "").strip()
    kind = request.args.get("kind") or ""
    kinds = [kind] if kind in SEARCH_KINDS else list(SEARCH_KINDS)
    items, error = [], None
    if q:
        session = db.session()
        try:
            found = matching_service.runtime_for(current_app.config).search(
                session, q[:MAX_QUERY_CHARS], kinds=kinds, k=20)
            items = present(session, [_as_row(m) for m in found], current_language())
        except Exception:  # the site keeps working when the index cannot be built; say so instead of failing
            current_app.logger.exception("search failed")
            error = _l("Search is not available right now. Please try again in a minute.")
    return render_template("matching/search.html", q=q, kind=kind, items=items, error=error,
                           kinds=[(k, KIND_LABELS[k]) for k in SEARCH_KINDS], too_long=len(q) > MAX_QUERY_CHARS)


def _matches_for(ref: str, kinds=None, limit: int = 8):
    from ..services.match_views import matches_for

    return matches_for(db.session(), ref, current_language(), kinds=kinds, limit=limit)


def _recommendations_for_me(limit: int = 6):
    from ..services.recommendations import recommendations

    if not current_user.is_authenticated:
        return []
    return recommendations(db.session(), current_user._get_current_object(), current_language(), limit=limit)


@bp.record_once
def _register_template_globals(state) -> None:
    # Globals, not a context processor: imported macros (match lists on other areas' pages) see them too.
    state.app.jinja_env.globals.update(matches_for=_matches_for, recommendations_for_me=_recommendations_for_me,
                                       match_kind_label=lambda k: KIND_LABELS.get(k, k),
                                       invited_org_ids=_invited_org_ids)


@bp.post("/tenders/<int:tender_id>/invite")
@login_required
def invite(tender_id: int):
    """Invite a matched enterprise to bid (buyer's procurement officers only)."""
    from ..errors import DomainError, ValidationError
    from ..services.invitations import invite as invite_supplier

    try:
        org_id = int(request.form.get("organisation_id", ""))
    except ValueError:
        abort(400)
    back = url_for("procurement.workspace", tender_id=tender_id) if "procurement.workspace" in current_app.view_functions \
        else request.referrer or url_for("main.dashboard")
    try:
        invite_supplier(db.session(), current_user, tender_id, org_id,
                        tender_url=url_for("procurement.notice", tender_id=tender_id, _external=True)
                        if "procurement.notice" in current_app.view_functions else None)
    except ValidationError as exc:
        for message in exc.fields.values():
            flash(message, "error")
    except DomainError as exc:
        if exc.status in (401, 403, 404):
            abort(exc.status)
        raise
    else:
        flash(_("The supplier has been invited to bid."), "success")
    return redirect(back)


def _invited_org_ids(tender_id: int) -> set[int]:
    from ..services.invitations import invited_ids

    return invited_ids(db.session(), tender_id)
