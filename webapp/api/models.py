"""The API app has no models of its own."""
