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
- exceptions in actions are swallowed into the state: our actions only record, and any
  `exception` in the returned state is raised as a BackendError;
- a ruleset name cannot be registered twice: names come from a process-wide counter;
- the stock Host runs background threads that dispatch pending actions: our host disables them,
  so actions run only inside our own call.
"""

from __future__ import annotations

import itertools
import threading
from dataclasses import dataclass
from typing import Any, Mapping, Optional, Sequence

from ..conditions.kleene import compile_condition
from ..errors import BackendError
from ..rulesets.catalog import ActiveRules
from .durable_compile import GUARD, MAX_MESSAGE_FIELDS, Compiler, FieldNames, conjunction_json, encode

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


if _durable_engine is not None:
    class _QuietHost(_durable_engine.Host):
        """A Host without the background dispatch threads of the stock one."""

        def _run(self) -> None:
            return None


@dataclass
class _Compiled:
    name: str
    names: FieldNames
    terms: list[tuple[str, Any, Mapping[str, Any]]]  # (field, compiled term, params of its funder)
    rules: dict[str, tuple[str, str, Optional[bool]]]  # rule name -> (funder, criterion key, outcome)
    # criteria compiled as "false" and "true" rules: unknown when neither fires
    by_truth: dict[str, tuple[str, ...]]


class DurableBackend:
    name = "durable"

    def __init__(self) -> None:
        if _durable_engine is None:
            raise BackendError(f"durable-rules n'est pas disponible ({IMPORT_ERROR})")
        self._host = _QuietHost()
        self._lock = threading.Lock()
        self._compiled: dict[tuple, _Compiled] = {}
        self._fired: list[str] = []

    # -- compilation -----------------------------------------------------------------------

    def _compile(self, actives: Sequence[ActiveRules]) -> _Compiled:
        key = tuple(a.key for a in actives)
        compiled = self._compiled.get(key)
        if compiled is not None:
            return compiled
        names = FieldNames()
        by_truth: dict[str, list[str]] = {}
        definition: dict[str, dict] = {}
        rules: dict[str, tuple[str, str, Optional[bool]]] = {}
        for active in actives:
            compiler = Compiler(names, active.param_values())
            for criterion in active.criteria:
                tri = compiler.compile(criterion.condition)
                # Fire on "false" and on the smaller of "unknown" and "true": an "or" of n facts is
                # unknown in about 2**n ways but true in n; "unknown" is then "neither fired".
                if len(tri.true) < len(tri.unknown):
                    by_truth.setdefault(active.funder.id, []).append(criterion.key)
                    pairs = ((False, tri.false), (True, tri.true))
                else:
                    pairs = ((False, tri.false), (None, tri.unknown))
                for outcome, formula in pairs:
                    for conjunction in formula:
                        rule = f"r{len(rules)}"
                        rules[rule] = (active.funder.id, criterion.key, outcome)
                        definition[rule] = {"all": [{"m": conjunction_json(conjunction)}],
                                            "run": self._recorder(rule)}
        terms = [(field_name, compile_condition(node), dict(params))
                 for field_name, node, params in names.terms.values()]
        if len(names.facts) + len(names.terms) + 2 > MAX_MESSAGE_FIELDS:
            raise BackendError(f"trop de faits et de termes calculés pour durable-rules "
                               f"({len(names.facts) + len(names.terms)}, au plus {MAX_MESSAGE_FIELDS - 2})")
        for rule in definition.values():  # the guard is what keeps state documents out
            if rule["all"][0]["m"]["$and"][0] != {"$ex": {GUARD: 1}}:
                raise BackendError("règle durable-rules sans garde : refusée")
        name = f"fundrules_{next(_names)}"
        if definition:
            self._host.register_rulesets({name: definition})
        compiled = _Compiled(name, names, terms, rules,
                             {fid: tuple(keys) for fid, keys in by_truth.items()})
        self._compiled[key] = compiled
        return compiled

    def _recorder(self, rule: str):
        fired = self._fired

        def record(c) -> None:
            fired.append(rule)
        return record

    # -- evaluation ------------------------------------------------------------------------

    def _message(self, compiled: _Compiled, facts: Mapping[str, Any]) -> dict:
        message: dict[str, Any] = {"sid": SESSION, GUARD: 1}
        for path, field_name in compiled.names.facts.items():
            if path in facts:
                message[field_name] = encode(facts[path])
        for field_name, term, params in compiled.terms:
            value = term(facts, params)
            if value is not None:
                message[field_name] = encode(value)
        return message

    def _retract(self, compiled: _Compiled, message: dict) -> None:
        try:
            self._host.retract_fact(compiled.name, message)
        except _durable_engine.MessageNotHandledException:
            pass
        except Exception as error:
            # The session may hold a stale fact: never reuse it.
            self._compiled = {k: v for k, v in self._compiled.items() if v is not compiled}
            raise BackendError(f"durable-rules n'a pas pu retirer le fait évalué : {error}") from error
        if self._host.get_facts(compiled.name, SESSION):
            self._compiled = {k: v for k, v in self._compiled.items() if v is not compiled}
            raise BackendError("durable-rules a gardé un fait après l'évaluation : session écartée")

    def _fire(self, compiled: _Compiled, facts: Mapping[str, Any]) -> list[str]:
        """Assert the case as one fact, collect the rules that fired, retract it in `finally`."""
        message = self._message(compiled, facts)
        self._fired.clear()
        try:
            try:
                state = self._host.assert_fact(compiled.name, message)
            except _durable_engine.MessageNotHandledException:
                state = None
            except Exception as error:
                raise BackendError(f"durable-rules a échoué : {error}") from error
            if isinstance(state, dict) and "exception" in state:
                raise BackendError(f"une action durable-rules a levé une exception : {state['exception']}")
            return list(self._fired)
        finally:
            self._fired.clear()
            self._retract(compiled, message)

    def run(self, actives: Sequence[ActiveRules], facts: Mapping[str, Any]) -> dict[str, dict[str, Optional[bool]]]:
        results: dict[str, dict[str, Optional[bool]]] = {a.funder.id: {} for a in actives}
        with self._lock:
            compiled = self._compile(actives)
            fired = self._fire(compiled, facts) if compiled.rules else []
        seen: dict[tuple[str, str], Optional[bool]] = {}
        for rule in fired:
            funder, key, outcome = compiled.rules[rule]
            previous = seen.setdefault((funder, key), outcome)
            if previous is not outcome:
                raise BackendError(f"critère {funder}/{key} : règles contradictoires (durable-rules)")
        for (funder, key), outcome in seen.items():
            if outcome is not True:
                results[funder][key] = outcome
        for funder, keys in compiled.by_truth.items():
            for key in keys:
                if (funder, key) not in seen:
                    results[funder][key] = None  # neither "false" nor "true" fired
        return results
