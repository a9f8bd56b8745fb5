"""JSON request bodies under a nesting budget: ``json.loads`` of ``[[[[...`` 50,000 deep
raises RecursionError (a 500) before DRF can answer; this parser scans the depth first
(codelists.formats.limits) and answers 400 naming the limit."""

from __future__ import annotations

import io

from django.conf import settings
from rest_framework import parsers
from rest_framework.exceptions import ParseError

from codelists.errors import LimitExceeded
from codelists.formats.limits import check_json_depth


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        raw = stream.read() if stream is not None else b""
        try:
            text = raw.decode(encoding)
            check_json_depth(text, settings.CODELISTS_UPLOAD_LIMITS)
        except UnicodeDecodeError as exc:
            raise ParseError(f"JSON parse error - {exc}") from exc
        except LimitExceeded as exc:
            raise ParseError(f"{exc.message} (limit: {exc.limit})") from exc
        return super().parse(io.BytesIO(raw), media_type, parser_context)
