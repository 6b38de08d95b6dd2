"""An organisation's members keep its profile up to date."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from .. import db
from ..errors import ValidationError
from ..forms import OrganisationProfileForm, apply_errors
from ..i18n import _, current_language
from ..models import Organisation
from ..services import organisations

bp = Blueprint("organisations", __name__, url_prefix="/organisations")


@bp.route("/<int:org_id>/profile", methods=["GET", "POST"])
@login_required
def edit_profile(org_id: int):
    session = db.session()
    org = session.get(Organisation, org_id)
    if org is None:
        abort(404)
    if not organisations.can_edit_profile(current_user, org):
        abort(403)
    form = OrganisationProfileForm(obj=org, lang=current_language())
    if not form.is_submitted():
        form.size_class.data = org.size_class.value
    if form.validate_on_submit():
        data = {k: form.data[k] for k in organisations.EDITABLE}
        try:
            organisations.update_profile(session, current_user, org_id, data)
        except ValidationError as exc:
            apply_errors(form, exc.fields)
        else:
            flash(_("The profile has been saved."), "success")
            return redirect(url_for("main.dashboard"))
    return render_template("organisations/profile.html", form=form, org=org), (422 if form.errors else 200)
