"""URLs of the Delphi review (filled in by the review issue)."""

app_name = "review"
urlpatterns: list = []
