"""Account pages: sign up, log in (throttled), profile, API tokens."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordResetForm
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from webapp.accounts import actions, throttle, verification
from webapp.accounts.forms import ProfileForm, SignUpForm, TokenForm
from webapp.accounts.models import ApiToken, TokenScope


def client_address(request) -> str:
    return request.META.get("REMOTE_ADDR", "")


def signup(request):
    if request.method == "POST":
        form = SignUpForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            user = actions.sign_up(
                username=data["username"], email=data["email"], password=data["password1"],
                display_name=data["display_name"], orcid=data["orcid"],
                affiliation=data["affiliation"],
            )
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            verification.send_link(request, user)
            messages.success(request, "Welcome! Your account is ready. We sent a link to "
                                      f"{user.email}: open it to confirm your address.")
            return redirect("repository:home")
    else:
        form = SignUpForm()
    return render(request, "accounts/signup.html", {"form": form})


class ThrottledLoginView(auth_views.LoginView):
    """Log in; each (username, address) pair has a few attempts per window
    (webapp.accounts.throttle), taken before the password is checked."""

    template_name = "accounts/login.html"

    def post(self, request, *args, **kwargs):
        username = request.POST.get("username", "")
        if not throttle.take_attempt(username, client_address(request)):
            form = self.get_form()
            form.add_error(None, "Too many failed attempts. Try again in a few minutes.")
            return self.render_to_response(self.get_context_data(form=form), status=429)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        throttle.clear(self.request.POST.get("username", ""), client_address(self.request))
        return super().form_valid(form)


@login_required
def profile(request):
    prof = actions.profile_of(request.user)
    if request.method == "POST":
        form = ProfileForm(request.POST)
        if form.is_valid():
            old = request.user.email
            actions.update_profile(request.user, **form.cleaned_data)
            messages.success(request, "Profile saved.")
            if request.user.email != old:
                verification.send_link(request, request.user)
                messages.info(request, f"We sent a link to {request.user.email}: open it "
                                       "to confirm your new address.")
            return redirect("accounts:profile")
    else:
        form = ProfileForm(initial={"display_name": prof.display_name, "orcid": prof.orcid,
                                    "affiliation": prof.affiliation,
                                    "email": request.user.email})
    tokens = request.user.api_tokens.filter(revoked=False)
    return render(request, "accounts/profile.html",
                  {"form": form, "email_verified": prof.email_verified(), "tokens": tokens, "token_form": TokenForm(),
                   "new_key": request.session.pop("new_token_key", None)})


@login_required
@require_POST
def token_create(request):
    form = TokenForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        _, key = actions.create_token(
            request.user, data["name"], scope=data["scope"] or TokenScope.READ,
            days=data["expires_in_days"] or actions.TOKEN_DEFAULT_DAYS)
        request.session["new_token_key"] = key
    return redirect("accounts:profile")


@login_required
@require_POST
def token_revoke(request, pk: int):
    token = ApiToken.objects.filter(pk=pk, user=request.user).first()
    if token is None:
        raise Http404("no such token")
    actions.revoke_token(token)
    messages.success(request, f"Token {token.name} revoked.")
    return redirect("accounts:profile")


def verify_email(request, token: str):
    """The link mailed by webapp.accounts.verification."""
    user = verification.confirm(token)
    if user is None:
        return render(request, "accounts/message.html", {
            "message": "This link is not valid any more (it expired, or the address "
                       "changed). Send a new one from your profile."}, status=400)
    return render(request, "accounts/message.html",
                  {"message": f"Thank you: {user.email} is confirmed."})


@login_required
@require_POST
def resend_verification(request):
    verification.send_link(request, request.user)
    messages.info(request, f"We sent a new link to {request.user.email}.")
    return redirect("accounts:profile")


class VerifiedPasswordResetForm(PasswordResetForm):
    """Reset links go only to verified addresses (an unverified address may be someone
    else's, typed into a profile)."""

    def get_users(self, email):
        for user in super().get_users(email):
            if verification.is_verified(user):
                yield user
