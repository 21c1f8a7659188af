"""Finding children by any part of a name or an alias's name, fast at a million children.

`find_by_name` is the way `people.queries.search_children` searches (scoped and audited
there). Each word of a name must be in the child's given or family name or in one of their
aliases' (`icontains`: case aside). Two ways to the same answer, chosen by how common the
words are; both give the same children in the same order (family name, given name, id).
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.db import OperationalError, connection, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Exists, F, Lookup, OuterRef, Q, QuerySet
from django.db.models.sql.compiler import SQLCompiler

from safehub.people.models import Child, ChildAlias

SEARCH_LIMIT = 50
CANDIDATE_LIMIT = 3000  # more candidates than this: walk the names in order instead
TRIGRAM = 3  # neither engine's trigram index can look up anything shorter
ORDER = ("family_name", "given_name", "pk")
# The longest a walk through the names may take: words common one by one but rare together
# ("zel ton ash bur" at a million children) would otherwise read every name, for seconds.
WALK_SECONDS = 1.0
_SQLITE_STEPS = 10_000  # SQLite's virtual machine steps between looks at the clock
_QUERY_CANCELED = "57014"  # PostgreSQL's SQLSTATE for a statement that ran out of time


class SearchTooBroadError(Exception):
    """Too many children have names with these words to search them in time."""

    message = (
        "Too many children have names with these letters to search quickly. Enter more of "
        "the name, or add a date of birth"
    )


def find_by_name(scope: QuerySet[Child], name: str, query: Q | None = None) -> list[Child]:
    """The first `SEARCH_LIMIT` children of `scope` matching `query` and every word of `name`.

    Not audited: `search_children` is the way in. The name indexes (migration people 0009:
    trigram GIN indexes on PostgreSQL, FTS5 trigram tables on SQLite) give, in one query, the
    children with each word in an alias's name, and at most `CANDIDATE_LIMIT` children with
    every word in their own names or one in an alias (and any word shorter than a trigram
    somewhere, which that query checks on the rows it reads anyway). When that is all of
    them, only those are filtered and sorted, however deep in the alphabet they lie. Words
    more common than that (or only words shorter than a trigram, which the indexes cannot
    look up) have matches all through the list, so walking the name index in order finds the
    first `SEARCH_LIMIT` soon.
    Either way a word whose aliases the indexes found is matched to them by id, not by
    looking up each child's aliases.
    """
    query = Q() if query is None else query
    words = name.split()
    found = _look_up(words)
    for word in words:
        query &= _name_part(word, found.aliased.get(word))
    if found.candidates == []:
        return []
    if found.candidates is not None:
        query &= Q(Among(F("pk"), found.candidates))
        return list(scope.filter(query).order_by(*ORDER)[:SEARCH_LIMIT])
    with time_limit(WALK_SECONDS):
        return list(scope.filter(query).order_by(*ORDER)[:SEARCH_LIMIT])


@contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Raise `SearchTooBroadError` when the queries inside take longer than `seconds`: PostgreSQL's
    `statement_timeout` for the savepoint around them, SQLite's progress handler. The
    savepoint keeps the request's transaction usable after a statement is cancelled."""
    with transaction.atomic():
        try:
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("SHOW statement_timeout")
                    (before,) = cursor.fetchone()
                    cursor.execute(
                        "SELECT set_config('statement_timeout', %s, true)",
                        [str(max(1, round(seconds * 1000)))],
                    )
                yield
                with connection.cursor() as cursor:
                    cursor.execute("SELECT set_config('statement_timeout', %s, true)", [before])
            else:
                deadline = time.monotonic() + seconds
                raw = connection.connection  # opened by the atomic block
                raw.set_progress_handler(lambda: time.monotonic() > deadline, _SQLITE_STEPS)
                try:
                    yield
                finally:
                    raw.set_progress_handler(None, 0)
        except OperationalError as error:
            cause = error.__cause__
            if getattr(cause, "sqlstate", None) == _QUERY_CANCELED or "interrupted" in str(cause):
                raise SearchTooBroadError from error
            raise


class Among(Lookup[bool]):
    """`lhs` is one of a list of ids, sent as one parameter however long the list: an array
    on PostgreSQL, a JSON list read by `json_each` on SQLite. (`__in` sends a parameter an id,
    which for thousands of ids costs more to build, send and plan than the search itself.)"""

    lookup_name = "among"
    prepare_rhs = False

    def as_sql(
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper
    ) -> tuple[str, list[Any]]:
        lhs, params = self.process_lhs(compiler, connection)
        ids = [int(pk) for pk in self.rhs]
        if connection.vendor == "postgresql":
            return f"{lhs} = ANY(%s)", [*params, ids]
        return f"{lhs} IN (SELECT value FROM json_each(%s))", [*params, json.dumps(ids)]  # noqa: S608


def _name_part(word: str, aliased: list[int] | None) -> Q:
    """The children with `word` in a name or in an alias's name.

    `aliased`, when the indexes found every alias with the word, is their children (those
    with every short word too: the others fail the search anyway); else each
    child found is looked up in the aliases, by a range of one id, not `=`: PostgreSQL would
    turn `=` into a hash of every alias with the word, read from the whole alias table however
    few children the query then looks at; this way it looks up each child's aliases by index.
    """
    own = Q(given_name__icontains=word) | Q(family_name__icontains=word)
    if aliased is not None:
        return (own | Q(Among(F("pk"), aliased))) if aliased else own
    in_alias = ChildAlias.objects.filter(
        Q(given_name__icontains=word) | Q(family_name__icontains=word),
        child_id__gte=OuterRef("pk"),
        child_id__lte=OuterRef("pk"),
    )
    return own | Q(Exists(in_alias))


@dataclass
class _Found:
    """What the name indexes found: `candidates`, the children to filter and sort (None: too
    many, or no word long enough: walk the names instead); `aliased`, for each word long
    enough whose aliases were not too many, the children with it in an alias's name (and
    every short word somewhere in their names: the others cannot match anyway)."""

    candidates: list[int] | None = None
    aliased: dict[str, list[int]] = field(default_factory=dict)


def _look_up(words: list[str]) -> _Found:
    """One query through the name indexes: for each word (three letters or more), the
    children with it in an alias's name, exactly as `icontains` has it, unless more than
    `CANDIDATE_LIMIT` aliases have it (as the index counts them): then only a mark that the
    word was cut; and, unless a word was cut (the candidates would be too many), the children
    with every word in their own names, cut the same way (on SQLite a few more than
    `icontains` finds, as FTS5 folds case beyond ASCII: the filter that follows puts that
    right). Each row is tagged with its part: n the n-th word's aliases, n + 1 the own
    names, -n the mark of part n's cut. A part is judged by the rows the index found (an
    alias part counts a child once per alias), so the cost is bounded, and only then are
    its children kept who have every shorter word too (in a name or an alias's name, as
    `icontains` has it): they read the rows anyway, and a short word such as "ur" beside a
    common long word would leave thousands of candidates that fail it.
    """
    short = [word for word in words if len(word) < TRIGRAM]
    words = [word for word in words if len(word) >= TRIGRAM]
    if not words:
        return _Found()
    over = CANDIDATE_LIMIT + 1
    with connection.cursor() as cursor:
        cursor.execute(*_statement(words, short, over))
        rows = cursor.fetchall()
    own = len(words) + 1
    by_part: dict[int, list[int]] = {part: [] for part in range(-own, own + 1)}
    for part, child_id in rows:
        by_part[part].append(child_id)
    cut = {part for part in range(1, own + 1) if by_part[-part]}
    aliased = {word: by_part[part] for part, word in enumerate(words, start=1) if part not in cut}
    if cut:
        return _Found(None, aliased)
    ids = {child_id for part, child_id in rows if part > 0}
    return _Found(sorted(ids) if len(ids) <= CANDIDATE_LIMIT else None, aliased)


def _like(word: str) -> str:
    return f"%{connection.ops.prep_for_like_query(word)}%"


def _phrase(word: str) -> str:
    return '"' + word.replace('"', '""') + '"'


# Fixed statements: the words and limits are parameters, the text only numbers the parts and
# names the tables (S608). A limit of 0 skips a part once a word was cut: unlike a WHERE,
# which SQLite checks only after reading the index, it stops both engines before they read it.
_MATCH = {  # `icontains` as Django writes it on each engine
    "postgresql": "(UPPER({t}.given_name::text) LIKE UPPER(%s)"
    " OR UPPER({t}.family_name::text) LIKE UPPER(%s))",
    "sqlite": "({t}.given_name LIKE %s ESCAPE '\\' OR {t}.family_name LIKE %s ESCAPE '\\')",
}
# A range of one id, not `=`, for the reason `_name_part` gives.
_HAS = (
    "({own} OR EXISTS (SELECT 1 FROM people_childalias AS s"
    " WHERE s.child_id >= c.id AND s.child_id <= c.id AND {alias}))"
)
_PG_ALIASES = (
    "a{n} AS MATERIALIZED (SELECT child_id FROM people_childalias AS alias WHERE {match} LIMIT %s)"
)
_PG_FOUND = "SELECT {n}, child_id FROM a{n}"
_PG_FOUND_SHORT = (
    "SELECT {n}, c.id FROM a{n} JOIN people_child AS c ON c.id = a{n}.child_id WHERE {has}"
)
# PostgreSQL checks `NOT {cut}` once, before reading anything; a constant limit (not the
# CASE SQLite needs) lets its planner judge the index worth using on a small table too: with
# a limit it cannot know, it assumes a tenth of the rows are read and walks the table.
_PG_OWN = (
    "own AS MATERIALIZED (SELECT id, given_name, family_name FROM people_child AS c"
    " WHERE NOT ({cut}) AND {match} LIMIT %s)"
)
_PG_OWN_FOUND = "SELECT {n}, id FROM own AS c"
_SQLITE_ALIASES = (
    "a{n} AS MATERIALIZED (SELECT rowid AS alias_id FROM people_childalias_names"
    " WHERE people_childalias_names MATCH %s LIMIT %s)"
)
_SQLITE_FOUND = (
    "SELECT {n}, alias.child_id FROM a{n}"
    " JOIN people_childalias AS alias ON alias.id = a{n}.alias_id WHERE {match}"
)
_SQLITE_FOUND_SHORT = (
    "SELECT {n}, alias.child_id FROM a{n}"
    " JOIN people_childalias AS alias ON alias.id = a{n}.alias_id"
    " JOIN people_child AS c ON c.id = alias.child_id WHERE {match} AND {has}"
)
_SQLITE_OWN = (
    "own AS MATERIALIZED (SELECT rowid AS id FROM people_child_names"
    " WHERE people_child_names MATCH %s LIMIT (SELECT CASE WHEN {cut} THEN 0 ELSE %s END))"
)
_SQLITE_OWN_FOUND = "SELECT {n}, own.id FROM own"
_SQLITE_OWN_FOUND_SHORT = "SELECT {n}, c.id FROM own JOIN people_child AS c ON c.id = own.id"
_CUT = "EXISTS (SELECT 1 FROM {part} LIMIT 1 OFFSET %s)"
_PART = "SELECT * FROM ({found} LIMIT (SELECT CASE WHEN {cut} THEN 0 ELSE {all} END)) AS p{n}"
_MARK = "SELECT -{n}, 0 WHERE {cut}"


def _match(table: str, word: str) -> tuple[str, list[Any]]:
    return _MATCH[connection.vendor].format(t=table), [_like(word), _like(word)]


def _has(short: list[str]) -> tuple[str, list[Any]]:
    """The child `c` has every short word in a name or in one of its aliases' names (no
    short words: nothing to check, and no parameters)."""
    sql, params = [], []
    for word in short:
        (own, own_params), (alias, alias_params) = _match("c", word), _match("s", word)
        sql.append(_HAS.format(own=own, alias=alias))
        params += [*own_params, *alias_params]
    return " AND ".join(sql), params


def _statement(words: list[str], short: list[str], over: int) -> tuple[str, list[Any]]:
    """The words' aliases `a1`…`an`, each cut at `over` rows (PostgreSQL: the aliases with the
    word; SQLite: those FTS5 finds, matched to `icontains` as they are read), and the own
    names' `own`, cut the same way; then the part read from each, kept to the children with
    the `short` words, and the mark of each cut."""
    postgres = connection.vendor == "postgresql"
    has, has_params = _has(short)
    ctes: list[tuple[str, list[Any]]] = []  # each with its parameters
    selects: list[tuple[str, list[Any]]] = []
    for n, word in enumerate(words, start=1):
        cut = _CUT.format(part=f"a{n}")
        match, params = _match("alias", word)
        if postgres:
            ctes.append((_PG_ALIASES.format(n=n, match=match), [*params, over]))
            found, params = (_PG_FOUND_SHORT if short else _PG_FOUND), []
        else:
            ctes.append((_SQLITE_ALIASES.format(n=n), [_phrase(word), over]))
            found = _SQLITE_FOUND_SHORT if short else _SQLITE_FOUND
        found = found.format(n=n, match=match, has=has)
        part = _PART.format(n=n, found=found, cut=cut, all="NULL" if postgres else "-1")
        selects.append((part, [*params, *has_params, over - 1]))
        selects.append((_MARK.format(n=n, cut=cut), [over - 1]))
    n = len(words) + 1
    cut_any = " OR ".join(_CUT.format(part=f"a{part}") for part in range(1, n))
    cut_params = [over - 1] * len(words)
    if postgres:
        matches = [_match("c", word) for word in words]
        match = " AND ".join(sql for sql, _ in matches)
        params = [param for _, word_params in matches for param in word_params]
        ctes.append((_PG_OWN.format(match=match, cut=cut_any), [*cut_params, *params, over]))
        found = _PG_OWN_FOUND
    else:
        phrase = " AND ".join(_phrase(word) for word in words)
        ctes.append((_SQLITE_OWN.format(cut=cut_any), [phrase, *cut_params, over]))
        found = _SQLITE_OWN_FOUND_SHORT if short else _SQLITE_OWN_FOUND
    selects.append((found.format(n=n) + (f" WHERE {has}" if short else ""), has_params))
    selects.append((_MARK.format(n=n, cut=_CUT.format(part="own")), [over - 1]))
    sql = f"WITH {', '.join(sql for sql, _ in ctes)} " + " UNION ALL ".join(
        sql for sql, _ in selects
    )
    return sql, [param for _, params in [*ctes, *selects] for param in params]
