"""State changes of the Delphi review: the only place that writes review models."""
