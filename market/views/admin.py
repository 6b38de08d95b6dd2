"""Administrator pages: organisation verification, email outbox, audit log."""
from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from .. import authz, db
from ..forms import EmptyForm
from ..i18n import _
from ..models import AuditEntry, EmailMessage
from ..services import accounts
from ..services.audit import verify_chain

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.get("/organisations")
@login_required
def organisations():
    authz.require(authz.can_verify_organisation(current_user))
    return render_template("admin/organisations.html", form=EmptyForm(),
                           organisations=accounts.list_organisations(db.session()))


@bp.post("/organisations/<int:org_id>/verify")
@login_required
def verify(org_id: int):
    form = EmptyForm()
    if form.validate_on_submit():
        org = accounts.verify_organisation(db.session(), current_user, org_id)
        flash(_("%(name)s is verified.", name=org.name), "success")
    return redirect(url_for("admin.organisations"))


@bp.get("/outbox")
@login_required
def outbox():
    authz.require(authz.can_read_outbox(current_user, current_app.config["SHOW_OUTBOX"]))
    messages = db.session().scalars(select(EmailMessage).order_by(EmailMessage.id.desc()).limit(200))
    return render_template("admin/outbox.html", messages=list(messages))


@bp.get("/audit")
@login_required
def audit():
    authz.require(authz.can_view_audit_log(current_user))
    s = db.session()
    entries = s.scalars(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(200))
    return render_template("admin/audit.html", entries=list(entries), report=verify_chain(s))
