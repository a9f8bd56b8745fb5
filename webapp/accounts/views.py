"""Account pages: sign up, log in (throttled), profile, API tokens."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from webapp.accounts import actions, throttle
from webapp.accounts.forms import ProfileForm, SignUpForm, TokenForm
from webapp.accounts.models import ApiToken


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
            messages.success(request, "Welcome! Your account is ready.")
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
            actions.update_profile(request.user, **form.cleaned_data)
            messages.success(request, "Profile saved.")
            return redirect("accounts:profile")
    else:
        form = ProfileForm(initial={"display_name": prof.display_name, "orcid": prof.orcid,
                                    "affiliation": prof.affiliation,
                                    "email": request.user.email})
    tokens = request.user.api_tokens.filter(revoked=False)
    return render(request, "accounts/profile.html",
                  {"form": form, "tokens": tokens, "token_form": TokenForm(),
                   "new_key": request.session.pop("new_token_key", None)})


@login_required
@require_POST
def token_create(request):
    form = TokenForm(request.POST)
    if form.is_valid():
        _, key = actions.create_token(request.user, form.cleaned_data["name"])
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
