"""Request parsers that turn every malformed body into a 400, never a 500."""

from django.utils.translation import gettext as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser as BaseJSONParser


class JSONParser(BaseJSONParser):
    """DRF's JSON parser, plus: nesting deep enough to exhaust Python's stack is a 400.

    `json.load` recurses once per nesting level, so `[[[[...]]]]` a few thousand levels deep
    raises RecursionError (not a ValueError), which DRF lets through as a 500. Invalid UTF-8
    is a UnicodeDecodeError, a ValueError, so DRF already answers 400 for it.
    """

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError as exc:
            raise ParseError(_("JSON parse error - nested too deeply.")) from exc
