"""Recursive-descent parser for conditions. Nothing from a file is ever passed to eval/exec.

Grammar (lowest precedence first):
    expr       := and_expr ("or" and_expr)*
    and_expr   := not_expr ("and" not_expr)*
    not_expr   := "not" not_expr | comparison
    comparison := sum (("=="|"!="|"<"|"<="|">"|">=") sum | "not"? "in" list)?
    sum        := product (("+"|"-") product)*
    product    := atom ("*" atom)*
    atom       := NUMBER | DATE | STRING | "true" | "false" | NAME | NAME "(" args ")" | "(" expr ")"
    list       := "[" literal ("," literal)* "]"
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from ..errors import InputError
from .ast import And, Arith, Call, Compare, In, Literal, Name, Node, Not, Or

MAX_LENGTH = 2000
MAX_DEPTH = 30

_TOKEN = re.compile(
    r"""
    (?P<space>\s+)
  | (?P<date>\d{4}-\d{2}-\d{2}(?![\d.]))
  | (?P<number>\d+(?:\.\d+)?(?![\w.]))
  | (?P<string>"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')
  | (?P<name>[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)
  | (?P<op>==|!=|<=|>=|<|>|\+|-|\*|\(|\)|\[|\]|,)
""",
    re.VERBOSE,
)

KEYWORDS = {"and", "or", "not", "in", "true", "false"}


@dataclass(frozen=True)
class Token:
    kind: str
    text: str
    column: int  # 1-based


class ConditionSyntaxError(InputError):
    pass


def _error(message: str, column: int) -> ConditionSyntaxError:
    return ConditionSyntaxError(f"condition invalide, colonne {column} : {message}")


def tokenize(source: str) -> list[Token]:
    tokens: list[Token] = []
    position = 0
    while position < len(source):
        match = _TOKEN.match(source, position)
        if not match:
            raise _error(f"caractère inattendu {source[position]!r}", position + 1)
        kind = match.lastgroup or ""
        text = match.group()
        if kind != "space":
            if kind == "name" and text in KEYWORDS:
                kind = "keyword"
            tokens.append(Token(kind, text, position + 1))
        position = match.end()
    tokens.append(Token("end", "", len(source) + 1))
    return tokens


class _Parser:
    def __init__(self, source: str):
        self.tokens = tokenize(source)
        self.index = 0
        self.depth = 0

    @property
    def current(self) -> Token:
        return self.tokens[self.index]

    def advance(self) -> Token:
        token = self.current
        self.index += 1
        return token

    def accept(self, kind: str, text: str | None = None) -> Token | None:
        token = self.current
        if token.kind == kind and (text is None or token.text == text):
            return self.advance()
        return None

    def expect(self, kind: str, text: str, what: str) -> Token:
        token = self.accept(kind, text)
        if token is None:
            found = self.current.text or "la fin de la condition"
            raise _error(f"{what} attendu, trouvé {found!r}", self.current.column)
        return token

    def nested(self):
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise _error("condition trop imbriquée", self.current.column)

    def parse(self) -> Node:
        if self.current.kind == "end":
            raise _error("condition vide", 1)
        node = self.expr()
        if self.current.kind != "end":
            raise _error(f"{self.current.text!r} inattendu", self.current.column)
        return node

    def expr(self) -> Node:
        items = [self.and_expr()]
        while self.accept("keyword", "or"):
            items.append(self.and_expr())
        return items[0] if len(items) == 1 else Or(tuple(items))

    def and_expr(self) -> Node:
        items = [self.not_expr()]
        while self.accept("keyword", "and"):
            items.append(self.not_expr())
        return items[0] if len(items) == 1 else And(tuple(items))

    def not_expr(self) -> Node:
        if self.accept("keyword", "not"):
            self.nested()
            node = Not(self.not_expr())
            self.depth -= 1
            return node
        return self.comparison()

    def comparison(self) -> Node:
        left = self.sum()
        token = self.current
        if token.kind == "op" and token.text in ("==", "!=", "<", "<=", ">", ">="):
            self.advance()
            return Compare(token.text, left, self.sum(), token.column)
        if token.kind == "keyword" and token.text == "in":
            self.advance()
            return In(left, self.literal_list(), token.column)
        if token.kind == "keyword" and token.text == "not" and self.tokens[self.index + 1].text == "in":
            self.advance()
            self.advance()
            return Not(In(left, self.literal_list(), token.column))
        return left

    def sum(self) -> Node:
        node = self.product()
        while self.current.kind == "op" and self.current.text in ("+", "-"):
            op = self.advance().text
            node = Arith(op, node, self.product())
        return node

    def product(self) -> Node:
        node = self.atom()
        while self.accept("op", "*"):
            node = Arith("*", node, self.atom())
        return node

    def literal_list(self) -> tuple[Literal, ...]:
        self.expect("op", "[", "'['")
        items = []
        while True:
            token = self.current
            node = self.atom()
            if not isinstance(node, Literal):
                raise _error("une liste ne contient que des valeurs littérales", token.column)
            items.append(node)
            if not self.accept("op", ","):
                break
        self.expect("op", "]", "']'")
        return tuple(items)

    def atom(self) -> Node:
        token = self.current
        if token.kind == "op" and token.text == "-" and self.tokens[self.index + 1].kind == "number":
            self.advance()
            number = self.advance().text
            return Literal(-(float(number) if "." in number else int(number)))
        if token.kind == "number":
            self.advance()
            return Literal(float(token.text) if "." in token.text else int(token.text))
        if token.kind == "date":
            self.advance()
            try:
                return Literal(dt.date.fromisoformat(token.text))
            except ValueError:
                raise _error(f"date impossible {token.text}", token.column) from None
        if token.kind == "string":
            self.advance()
            body = token.text[1:-1]
            return Literal(re.sub(r"\\(.)", r"\1", body))
        if token.kind == "keyword" and token.text in ("true", "false"):
            self.advance()
            return Literal(token.text == "true")
        if token.kind == "name":
            self.advance()
            if self.accept("op", "("):
                self.nested()  # f(f(f(…))) nests like parentheses
                args = []
                if not self.accept("op", ")"):
                    while True:
                        args.append(self.sum())
                        if not self.accept("op", ","):
                            break
                    self.expect("op", ")", "')'")
                self.depth -= 1
                return Call(token.text, tuple(args), token.column)
            return Name(token.text, token.column)
        if self.accept("op", "("):
            self.nested()
            node = self.expr()
            self.depth -= 1
            self.expect("op", ")", "')'")
            return node
        found = token.text or "la fin de la condition"
        raise _error(f"valeur, fait ou '(' attendu, trouvé {found!r}", token.column)


def parse(source: str) -> Node:
    """Parse a condition; raises ConditionSyntaxError (an InputError) with the column."""
    if not isinstance(source, str):
        raise ConditionSyntaxError("condition invalide : texte attendu")
    if len(source) > MAX_LENGTH:
        raise ConditionSyntaxError(f"condition trop longue (au plus {MAX_LENGTH} caractères)")
    node = _Parser(source).parse()
    if tree_depth(node) > MAX_TREE_DEPTH:
        raise ConditionSyntaxError(
            f"condition trop imbriquée (au plus {MAX_TREE_DEPTH} niveaux d'opérations "
            "les unes dans les autres) : découpez-la en plusieurs critères"
        )
    return node


MAX_TREE_DEPTH = 100  # every later pass (type check, evaluation, durable compile) recurses once per level


def _children(node: Node) -> tuple:
    if isinstance(node, (And, Or)):
        return node.items
    if isinstance(node, Not):
        return (node.item,)
    if isinstance(node, (Arith, Compare)):
        return (node.left, node.right)
    if isinstance(node, In):
        return (node.left,)
    if isinstance(node, Call):
        return node.args
    return ()


def tree_depth(node: Node) -> int:
    """Depth of a condition's tree, without recursion (a*1*1*1… is a left-deep chain)."""
    deepest, stack = 0, [(node, 1)]
    while stack:
        current, depth = stack.pop()
        deepest = max(deepest, depth)
        stack.extend((child, depth + 1) for child in _children(current))
    return deepest
