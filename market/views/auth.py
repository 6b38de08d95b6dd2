"""Registration, login, logout, passwords and API tokens."""
from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user

from .. import db
from ..errors import ValidationError
from ..extensions import limiter
from ..forms import (ChangePasswordForm, ForgotPasswordForm, LoginForm, RegisterForm, ResetPasswordForm,
                     TokenForm, apply_errors)
from ..i18n import _, current_language
from ..services import accounts

bp = Blueprint("auth", __name__, url_prefix="/account")


@bp.route("/register", methods=["GET", "POST"])
def register():
    form = RegisterForm(lang=current_language())
    if form.validate_on_submit():
        try:
            user = accounts.register(db.session(), form.data)
        except ValidationError as exc:
            apply_errors(form, exc.fields)
        else:
            login_user(user)
            flash(_("Welcome! Your organisation will be verified by an administrator."), "success")
            return redirect(url_for("main.dashboard"))
    return render_template("auth/register.html", form=form), (422 if form.errors else 200)


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], methods=["POST"])
def login():
    form = LoginForm()
    if form.validate_on_submit():
        user = accounts.authenticate(db.session(), form.email.data, form.password.data)
        if user is not None:
            login_user(user)
            flash(_("You are logged in."), "success")
            nxt = request.args.get("next", "")
            return redirect(nxt if nxt.startswith("/") and not nxt.startswith("//") else url_for("main.dashboard"))
        form.form_errors.append(_("Email or password is not correct."))
    return render_template("auth/login.html", form=form), (401 if form.form_errors else 200)


@bp.post("/logout")
@login_required
def logout():
    logout_user()
    flash(_("You are logged out."), "info")
    return redirect(url_for("main.index"))


@bp.route("/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            accounts.change_password(db.session(), current_user, form.current_password.data, form.new_password.data)
        except ValidationError as exc:
            apply_errors(form, exc.fields)
        else:
            flash(_("Your password has been changed."), "success")
            return redirect(url_for("main.dashboard"))
    return render_template("auth/change_password.html", form=form), (422 if form.errors else 200)


@bp.route("/forgot", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], methods=["POST"])
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        accounts.request_password_reset(
            db.session(), form.email.data, current_app.config["SECRET_KEY"],
            lambda token: url_for("auth.reset_password", token=token, _external=True))
        flash(_("If that address has an account, we have sent it a link to reset the password."), "info")
        return redirect(url_for("auth.login"))
    return render_template("auth/forgot.html", form=form)


@bp.route("/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            accounts.reset_password(db.session(), token, form.password.data, current_app.config["SECRET_KEY"],
                                    current_app.config["PASSWORD_RESET_MAX_AGE"])
        except ValidationError as exc:
            apply_errors(form, exc.fields)
        else:
            flash(_("Your password has been reset. Please log in."), "success")
            return redirect(url_for("auth.login"))
    return render_template("auth/reset.html", form=form), (422 if form.errors else 200)


@bp.route("/tokens", methods=["GET", "POST"])
@login_required
def tokens():
    form = TokenForm()
    new_token = None
    if form.validate_on_submit():
        _token, new_token = accounts.issue_token(db.session(), current_user, form.name.data,
                                                 current_app.config["TOKEN_TTL_DAYS"])
    return render_template("auth/tokens.html", form=form, new_token=new_token,
                           tokens=accounts.list_tokens(db.session(), current_user))


@bp.post("/tokens/<int:token_id>/revoke")
@login_required
def revoke_token(token_id: int):
    accounts.revoke_token(db.session(), current_user, token_id)
    flash(_("Token revoked."), "info")
    return redirect(url_for("auth.tokens"))
