"""Machine-checked derivations: check every equation step of a Markdown page.

The pipeline is extract -> parse -> translate -> decide -> report; `check_paths`
and `check_page` run it and are what the command line, the MkDocs plugin and
the pytest plugin call.
"""

from verify.model import Location, Page, PageReport, Pair, Result, Status
from verify.running.check import CheckOptions, check_page, check_paths, find_pages

__version__ = "0.1.0"

__all__ = [
    "CheckOptions",
    "Location",
    "Page",
    "PageReport",
    "Pair",
    "Result",
    "Status",
    "check_page",
    "check_paths",
    "find_pages",
    "__version__",
]
