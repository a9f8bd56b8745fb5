"""codelists: clinical codelists from terminology to publication.

The public API is re-exported here; see docs/reference/api.md.
"""

from codelists.errors import CodelistsError, Problem, UserError

__all__ = ["CodelistsError", "Problem", "UserError"]
