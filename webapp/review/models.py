"""Models of the Delphi review (filled in by the review issue)."""
