"""Server-rendered pages of the repository (reads only; writes go through actions)."""

from django.shortcuts import render


def home(request):
    return render(request, "repository/home.html", {})
