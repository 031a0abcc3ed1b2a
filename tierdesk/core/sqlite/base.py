"""Django's SQLite backend with one change: the rewrite of each statement's `%s`
placeholders into SQLite's `?` is remembered.

Django's SQLite cursor rewrites every statement it runs with a regular expression over the
whole text (SQLiteCursorWrapper.convert_query), every time. The texts repeat — the ORM and
core/rows.py write the same few hundred statements with different parameters — and on the
API's ticket opening the rewrite cost about a thirtieth of the request's CPU
(bench/bench_api_tickets.py). The settings name this backend as the SQLite ENGINE.
"""

import functools

from django.db.backends.sqlite3 import base


@functools.lru_cache(maxsize=4096)
def _qmark(query: str) -> str:
    return base.FORMAT_QMARK_REGEX.sub("?", query).replace("%%", "%")


class SQLiteCursorWrapper(base.SQLiteCursorWrapper):
    def convert_query(self, query, *, param_names=None):
        if param_names is None:
            return _qmark(query)
        return super().convert_query(query, param_names=param_names)


class DatabaseWrapper(base.DatabaseWrapper):
    def create_cursor(self, name=None):
        return self.connection.cursor(factory=SQLiteCursorWrapper)
