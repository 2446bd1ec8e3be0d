"""The one adapter between fundrules and durable-rules (a C Rete engine, last released in 2020).

It works around the engine's known traps:
- a rule matching its own state document loops forever: every rule requires a guard field
  that only our case facts carry;
- more than 1,024 live sessions per ruleset crashes, and `delete_state` itself is unsafe: in
  2.0.28 its C code (deleteStateNode) serialises the state node after freeing it, and the test
  suite saw it abort the process ("munmap_chunk(): invalid pointer"). So each compiled ruleset
  keeps exactly one session, and each evaluation's fact is retracted in `finally`: nothing of an
  evaluation outlives it, no session is ever created after the first, and calls are serialised
  by a lock. If a retraction fails, the compiled ruleset is dropped and rebuilt under a new name;
- missing fields, loose equality ("26" == 26) and the lack of a date type: facts are encoded by
  durable_compile.encode and every comparison carries an existence guard;
- its Python layer runs each matched rule's action through a Closure, a JSON dump of the state,
  `update_state` and a JSON parse of the whole fact (about 30 µs an action, 80 actions an
  evaluation), swallows exceptions raised in actions, and silently drops the actions left when
  one outlives a 10 s lease (wall clock). Our actions would only record the rule's name, so the
  evaluation calls the C engine itself (`_drain`): one JSON text per chunk, asserted, then each
  matched rule's name read from the head of the C engine's reply while the actions are completed
  in turn; no Python action, no lease clock, no state update (our rules never read the state);
- a chain left unfinished (a C error mid-way) holds the session's lease: the compiled ruleset is
  dropped, and a matched fact that yields no action (such a lease) is run once more on fresh rules;
- a ruleset name cannot be registered twice: names come from a process-wide counter;
- the stock Host runs background threads that dispatch pending actions: our host disables them;
- at most 64 rules may match one fact and 512 rules fit in one ruleset (see durable_compile):
  the rules in force on a date are split into several durable rulesets ("chunks"), each within
  those limits and with a message holding only the fields its rules read;
- a registered ruleset lives in C memory until `delete_ruleset`, and an evaluated one keeps its
  session state (~180 kB) even then, so deleting and rebuilding rules leaks (an LRU of compiled
  rules per date and region grew by about 4 MB a rebuild, without bound). So rules are compiled per
  funder and stretch of days (one `ActiveRules`), keyed by their content, once per process, shared
  by every Engine and never evicted: the memory is bounded by the distinct rules loaded (the bundled
  rulesets have 103 such sets over all dates and regions), whatever dates, regions and Engines are
  asked;
- a fork while another thread holds the durable lock would leave the child a lock nobody
  releases: `os.register_at_fork` takes the lock before a fork and releases it after, in parent
  and child.
"""

from __future__ import annotations

import itertools
import json
import os
import threading
import time
from collections.abc import Mapping, Sequence
from typing import Any, Optional

from ..conditions.kleene import compile_condition
from ..errors import BackendError
from ..rulesets.catalog import ActiveRules
from .backend import Outcomes
from .durable_check import check_catalog, kept_blueprint
from .durable_encode import GUARD, NumberNotExact, encode, guarded

try:  # durable-rules does not build on every Python (not on 3.13 today)
    from durable import engine as _durable_engine
except Exception as _error:  # pragma: no cover - depends on the interpreter
    _durable_engine = None
    IMPORT_ERROR: Optional[BaseException] = _error
else:
    IMPORT_ERROR = None

_names = itertools.count(1)
SESSION = "fundrules"  # the one session of each compiled ruleset


def available() -> bool:
    return _durable_engine is not None


# The message of a chunk as the JSON text durable-rules parses (non-ASCII kept as UTF-8, as
# durable-rules itself dumps the rules' constants, so "s:é" in a rule and in a fact are the same bytes).
_to_json = json.JSONEncoder(ensure_ascii=False).encode


if _durable_engine is not None:
    # durable-rules gives each action a 10 s lease measured with the wall clock (datetime.now):
    # a clock change (daylight saving, NTP) in the middle of an evaluation silently dropped the
    # remaining actions. Our evaluations no longer run through that layer (see `_drain`); the
    # monotonic clock still protects whatever else would use it.
    _durable_engine._unix_now = time.monotonic
    _rules_c = _durable_engine.durable_rules_engine  # the C engine's own functions

    class _QuietHost(_durable_engine.Host):
        """A Host without the background dispatch threads of the stock one."""

        def _run(self) -> None:
            return None

    class _TextRuleset(_durable_engine.Ruleset):
        """A ruleset registered from its definition's JSON text, as durable-rules' own Ruleset
        registers the text it dumps from a definition (the same C call, on the same bytes): a
        blueprint kept by the ruleset cache is handed over as it is. No Python action: `_drain`
        reads the matched rules' names."""

        def __init__(self, name: str, host, text: str) -> None:
            self._actions: dict = {}
            self._name = name
            self._host = host
            self._text = text
            self._handle = _rules_c.create_ruleset(name, text)

        def get_definition(self) -> dict:
            return json.loads(self._text)


# Plain classes, not dataclasses: a cold start with the durable engine imports this module, and a
# dataclass costs about a millisecond to create (each generated method is compiled from source).


class _Chunk:
    """One durable ruleset: at most MAX_FIRED_RULES rules can match, MAX_RULES_PER_RULESET exist."""

    __slots__ = ("name", "fields", "handle")

    def __init__(self, name: str, fields: tuple[str, ...], handle: int) -> None:
        self.name = name
        self.fields = fields  # message fields its rules read
        self.handle = handle  # the C engine's handle of the registered ruleset


class _Compiled:
    """One funder's rules in force, registered in durable-rules, and how to read what fires."""

    __slots__ = ("chunks", "facts", "terms", "rule_bits", "unknown_first", "live")

    def __init__(
        self,
        chunks: list[_Chunk],
        facts: dict[str, str],
        terms: Sequence[tuple[str, Any, Mapping[str, Any]]],
        rule_bits: dict[str, tuple[str, Optional[bool], int, int]],
        unknown_first: int,
    ) -> None:
        self.chunks = chunks
        self.facts = facts  # fact path -> message field
        self.terms = terms  # (field, compiled term, params of its funder)
        # rule name -> (criterion key, outcome, "fails" bit, "unknown" bit) of `run_coded`'s number:
        # the bits are those of `ActiveRules.bits`, the same for every ActiveRules of this content
        # (same criteria in the same order); criteria compiled as "false" and "true" rules are
        # unknown when neither fires (`unknown_first`)
        self.rule_bits = rule_bits
        self.unknown_first = unknown_first  # the number before any rule fired: criteria compiled both ways are unknown
        self.live = True  # False once dropped from the cache and its rulesets deleted


def _delete_rulesets(host, names: list[str]) -> None:
    """Free durable-rules' C memory of these rulesets and forget them in the host."""
    for name in names:
        ruleset = host._ruleset_directory.pop(name, None)
        if ruleset is None:
            continue
        try:
            host._ruleset_list.remove(ruleset)
        except ValueError:
            pass
        try:
            _durable_engine.durable_rules_engine.delete_ruleset(ruleset._handle)
        except Exception:  # pragma: no cover - nothing more can be freed
            pass


class _ActionsCut(Exception):
    """durable-rules started no action for a matched fact (a held lease): the answer would be wrong."""


_NOT_HANDLED = object()  # the fact matched no rule
_NOT_ENCODED = object()  # a fact not encoded yet for this case


class _Key:
    """A compiled-cache key that hashes its (long) tuple of condition texts once."""

    __slots__ = ("key", "hash")

    def __init__(self, key: tuple) -> None:
        self.key = key
        self.hash = hash(key)

    def __hash__(self) -> int:
        return self.hash

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Key) and self.hash == other.hash and self.key == other.key


class _Shared:
    """The process's one durable-rules host, its compiled rulesets and their lock.

    Shared by every DurableBackend: an evaluated ruleset cannot be freed whole (its session state
    outlives `delete_ruleset`, about 180 kB each, and `delete_state` is unsafe), so the rules of
    one content are compiled once and kept: reused by every Engine, never rebuilt."""

    def __init__(self) -> None:
        self.host = _QuietHost()
        self.lock = threading.Lock()
        self.compiled: dict[_Key, _Compiled] = {}  # per content of one funder's rules; never evicted
        self.registered: dict[str, None] = {}  # names of the durable rulesets registered


_shared: Optional[_Shared] = None
_shared_lock = threading.Lock()


def _get_shared() -> _Shared:
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = _Shared()
        return _shared


def _before_fork() -> None:
    """No child may inherit a held lock: hold the durable lock across the fork."""
    _shared_lock.acquire()
    if _shared is not None:
        _shared.lock.acquire()


def _after_fork() -> None:
    if _shared is not None:
        _shared.lock.release()
    _shared_lock.release()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(before=_before_fork, after_in_parent=_after_fork, after_in_child=_after_fork)


def clear_cache() -> None:
    """Delete every compiled durable ruleset of the process (tests; a long-lived service that
    reloads its rulesets may call it too: compiled rules are otherwise kept for the process). An
    Engine still in use compiles again what it needs."""
    if _shared is None:
        return
    with _shared.lock:
        for compiled in _shared.compiled.values():
            compiled.live = False  # an Engine holding it (DurableBackend._by_rules) compiles again
            _delete_rulesets(_shared.host, [c.name for c in compiled.chunks])
        _shared.compiled.clear()
        _delete_rulesets(_shared.host, list(_shared.registered))
        _shared.registered.clear()


def live_rulesets() -> int:
    """Durable rulesets registered in this process (bounded by the compiled cache)."""
    return len(_shared.registered) if _shared is not None else 0


class DurableBackend(Outcomes):
    name = "durable"

    def __init__(self) -> None:
        if _durable_engine is None:
            raise BackendError(f"durable-rules n'est pas disponible ({IMPORT_ERROR})")
        shared = _get_shared()
        self._host = shared.host
        self._lock = shared.lock
        self._compiled = shared.compiled
        self._registered = shared.registered
        # The compiled rules of this Engine's ActiveRules (the catalog keeps one per funder and stretch
        # of days): found without hashing every condition text again; dropped with the Engine.
        self._by_rules: dict[ActiveRules, _Compiled] = {}
        # blueprints kept by the ruleset cache for this Engine's catalog (durable_check.kept_blueprint):
        # what an earlier process compiled from the same content (see `check`)
        self._kept: Mapping[str, bytes] = {}

    def close(self) -> None:
        """Forget this Engine's references to compiled rules: they stay compiled for the process,
        one per content, shared by every Engine (found again by content if used again)."""
        with self._lock:
            self._by_rules.clear()

    def _forget(self, compiled: _Compiled) -> None:
        """Drop a compiled entry and free its durable rulesets."""
        for key in [k for k, v in self._compiled.items() if v is compiled]:
            del self._compiled[key]
        compiled.live = False
        names = [c.name for c in compiled.chunks]
        _delete_rulesets(self._host, names)
        for name in names:
            self._registered.pop(name, None)

    def check(self, catalog, plan_rules=()) -> None:
        """Refuse, with file and line, a ruleset durable-rules could not run (see durable_check); keep
        the blueprints the ruleset cache holds for this catalog."""
        self._kept = check_catalog(catalog, plan_rules)

    # -- compilation -----------------------------------------------------------------------

    def _compile(self, active: ActiveRules) -> _Compiled:
        """The compiled rules of one funder's rules in force: found by identity on this Engine, else
        by content among those every Engine of the process compiled, else compiled once for good."""
        compiled = self._by_rules.get(active)
        if compiled is not None and compiled.live:
            return compiled
        key = _Key(active.key)
        compiled = self._compiled.get(key)
        if compiled is None:
            compiled = self._build(key, (active,))
        self._by_rules[active] = compiled
        return compiled

    def _build(self, key: _Key, actives: Sequence[ActiveRules]) -> _Compiled:
        """Register the compiled rules of `actives`: their blueprint kept by the ruleset cache (the
        same content compiled by an earlier process), else compiled here."""
        plan = kept_blueprint(self._kept, key.key) if self._kept and len(actives) == 1 else None
        if plan is None:
            from .durable_compile import OutOfLimits, blueprint

            try:
                plan = blueprint(actives)
            except OutOfLimits as error:
                raise BackendError(
                    f"critère {error} hors des limites de durable-rules (il aurait dû être refusé au chargement)"
                ) from None
        texts, facts, terms, rule_list, by_truth = plan
        registered: list[_Chunk] = []
        for text, fields, count in texts:
            if not guarded(text, count):  # the guard is what keeps state documents out
                raise BackendError("règle durable-rules sans garde : refusée")
            name = f"fundrules_{next(_names)}"
            ruleset = _TextRuleset(name, self._host, text)
            self._host._ruleset_directory[name] = ruleset
            self._host._ruleset_list.append(ruleset)
            self._registered[name] = None
            registered.append(_Chunk(name, fields, ruleset._handle))
        bits = {key: (fails, unknown) for active in actives for key, fails, unknown in active.bits}
        rule_bits = {
            f"r{index}": (criterion, outcome, *bits[criterion])
            for index, (_funder, criterion, outcome) in enumerate(rule_list)
        }
        unknown_first = 0
        for _funder, keys in by_truth:
            for criterion_key in keys:
                unknown_first |= bits[criterion_key][1]
        compiled = _Compiled(
            registered,
            dict(facts),
            [(field_name, compile_condition(node), dict(params)) for field_name, node, params in terms],
            rule_bits,
            unknown_first,
        )
        self._compiled[key] = compiled
        return compiled

    # -- evaluation ------------------------------------------------------------------------

    def _values(self, compiled: _Compiled, facts: Mapping[str, Any], encoded: Optional[dict[str, Any]] = None) -> dict:
        """Every field's encoded value for this case (absent when the fact or term is unknown).
        `encoded` holds the case's facts already encoded for another funder's rules (one case)."""
        values: dict[str, Any] = {}
        if encoded is None:
            encoded = {}
        try:
            for path, field_name in compiled.facts.items():
                if path in facts:
                    value = encoded.get(path, _NOT_ENCODED)
                    if value is _NOT_ENCODED:
                        value = encoded[path] = encode(facts[path])
                    values[field_name] = value
            for field_name, term, params in compiled.terms:
                value = term(facts, params)
                if value is not None:
                    values[field_name] = encode(value)
        except NumberNotExact as error:
            raise BackendError(f"nombre que durable-rules ne peut comparer exactement : {error}") from error
        return values

    @staticmethod
    def _drain(chunk: _Chunk, text: str) -> list[str]:
        """Assert one chunk's fact (JSON text) and return the names of the rules it matched.

        Each reply of the C engine is `{"<rule>":{"m":{…the fact…}}}`: the rule's name is read from
        its head (our names are `r<digits>`), the fact is never parsed back. Raises _ActionsCut
        when the fact matched but no action could start (a lease held by an unfinished chain)."""
        try:
            code, state = _rules_c.assert_fact(chunk.handle, text)
        except Exception as error:
            raise BackendError(f"durable-rules a échoué : {error}") from error
        if code == 1:  # matched no rule
            return []
        if code != 0:
            raise BackendError(f"durable-rules a refusé le fait évalué (code {code})")
        started = _rules_c.start_action_for_state(chunk.handle, state)
        if started is None:
            raise _ActionsCut()
        names = []
        reply = started[1]
        try:
            while reply:
                names.append(reply[2 : reply.index('"', 2)])
                reply = _rules_c.complete_and_start_action(chunk.handle, state)
        except BaseException as error:
            _rules_c.abandon_action(chunk.handle, state)
            if isinstance(error, Exception):
                raise BackendError(f"durable-rules a échoué entre deux actions : {error}") from error
            raise
        return names

    def _retract(self, compiled: _Compiled, chunk: _Chunk, text: str) -> None:
        try:
            _rules_c.retract_fact(chunk.handle, text)
            left = _rules_c.get_facts(chunk.handle, SESSION)
        except Exception as error:
            self._forget(compiled)  # the session may hold a stale fact: never reuse it
            raise BackendError(f"durable-rules n'a pas pu retirer le fait évalué : {error}") from error
        if left != "[]" and json.loads(left):
            self._forget(compiled)
            raise BackendError("durable-rules a gardé un fait après l'évaluation : session écartée")

    def _fire(self, compiled: _Compiled, facts: Mapping[str, Any], encoded: dict[str, Any]) -> list[str]:
        """Assert the case as one fact per chunk, collect the rules that fired, retract in `finally`."""
        values = self._values(compiled, facts, encoded)
        fired: list[str] = []
        for chunk in compiled.chunks:
            message: dict[str, Any] = {"sid": SESSION, GUARD: 1}
            for field_name in chunk.fields:
                if field_name in values:
                    message[field_name] = values[field_name]
            text = _to_json(message)
            done = False
            try:
                fired.extend(self._drain(chunk, text))
                done = True
            finally:
                self._retract(compiled, chunk, text)
                if not done:  # an unfinished chain may hold the session's lease: never reuse it
                    self._forget(compiled)
        return fired

    def run_coded(self, actives: Sequence[ActiveRules], facts: Mapping[str, Any]) -> list[int]:
        """Per rules, in order, the number naming their criteria's outcomes (see engine/backend.py)."""
        encoded: dict[str, Any] = {}  # the case's facts, each encoded once for every funder's rules
        with self._lock:
            return [self._run_one(active, facts, encoded) for active in actives]

    def _run_one(self, active: ActiveRules, facts: Mapping[str, Any], encoded: dict[str, Any]) -> int:
        for attempt in (1, 2):
            compiled = self._compile(active)
            try:
                fired = self._fire(compiled, facts, encoded) if compiled.chunks else []
                break
            except _ActionsCut:
                self._forget(compiled)  # its session may hold a lease: never reuse it
                if attempt == 2:
                    raise BackendError(
                        "durable-rules n'a lancé aucune action pour un fait reconnu (session "
                        "bloquée par une évaluation interrompue) : évaluation refusée plutôt que fausse"
                    ) from None
        # A criterion compiled both ways is unknown unless its "true" or "false" rule fired; one
        # whose rule fired takes that rule's outcome (held: neither bit), and two rules of one
        # criterion that disagree are refused.
        code = compiled.unknown_first
        seen: dict[str, Optional[bool]] = {}
        rule_bits = compiled.rule_bits
        for rule in fired:
            key, outcome, fails, unknown = rule_bits[rule]
            if seen.setdefault(key, outcome) is not outcome:
                raise BackendError(f"critère {active.funder.id}/{key} : règles contradictoires (durable-rules)")
            if outcome is True:
                code &= ~(fails | unknown)
            elif outcome is False:
                code = (code & ~unknown) | fails
            else:
                code = (code & ~fails) | unknown
        return code
