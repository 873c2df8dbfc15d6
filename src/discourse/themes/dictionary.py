"""Theme dictionaries: the YAML format of discourse, quanteda YAML and LIWC ``.dic`` files.

A :class:`Dictionary` is an ordered set of themes, each with an id, a label, a
description, patterns, optional exclude patterns and an optional parent (group). Every
pattern is parsed when the dictionary is built, so a bad dictionary fails at load time
with a :class:`~discourse.errors.DictionaryError` naming the file, the line and the
theme. The formats and the pattern language are described in ``docs/dictionaries.md``.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from discourse.errors import DictionaryError
from discourse.text import HAN_CHAR, NON_TOKEN_CHAR, TOKEN_CHAR
from discourse.themes._patterns import (
    Pattern,
    PatternSyntaxError,
    glob_regex,
    is_segmented,
    parse_pattern,
    parse_zh_pattern,
)

__all__ = ["Theme", "Group", "LanguagePatterns", "Dictionary", "load_dictionary", "default_dictionary"]

_TOP_KEYS = ("name", "description", "version", "language", "groups", "themes", "languages")
_THEME_KEYS = ("label", "description", "parent", "patterns", "exclude", "languages")
_LANGUAGE_KEYS = ("patterns", "exclude")
_LANGUAGE_RE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
#: The language of a dictionary's own (unmarked) patterns when it does not say.
DEFAULT_LANGUAGE = "en"
_GROUP_KEYS = ("label", "description")
_ID_RE = re.compile(r"^[A-Za-z0-9][\w.\-]*$")
_HAN_RE = re.compile(HAN_CHAR)

#: Limits on a dictionary file, checked before anything expands: its size in bytes, how
#: deep its mappings and lists nest, and how many YAML nodes it holds once every alias
#: is expanded (an "alias bomb" or "billion laughs" holds billions in a few lines).
MAX_DICTIONARY_BYTES = 10_000_000
MAX_YAML_DEPTH = 32
MAX_YAML_NODES = 200_000


@dataclass(frozen=True)
class Group:
    """A parent of themes (e.g. "challenges")."""

    id: str
    label: str
    description: str = ""


@dataclass(frozen=True)
class LanguagePatterns:
    """The patterns of a theme in one more language (the ``languages:`` section of a theme).

    Attributes
    ----------
    language : str
        ISO 639-1 code ("zh", "fr"...; "zh" patterns are matched on segmented words).
    patterns, exclude : tuple of str
        As written.
    """

    language: str
    patterns: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    compiled: tuple[Pattern, ...] = field(default=(), repr=False, compare=False)
    compiled_exclude: tuple[Pattern, ...] = field(default=(), repr=False, compare=False)


@dataclass(frozen=True)
class Theme:
    """One theme of a dictionary.

    Attributes
    ----------
    id, label, description : str
    patterns : tuple of str
        The patterns as written.
    exclude : tuple of str
        Exclude patterns as written: a match overlapping one of their matches is dropped.
    parent : str or None
        Group id.
    languages : tuple of LanguagePatterns
        Patterns in other languages than the dictionary's own, one entry per language.
    """

    id: str
    label: str
    description: str = ""
    patterns: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    parent: str | None = None
    compiled: tuple[Pattern, ...] = field(default=(), repr=False, compare=False)
    compiled_exclude: tuple[Pattern, ...] = field(default=(), repr=False, compare=False)
    languages: tuple[LanguagePatterns, ...] = ()

    def pattern_lists(self) -> Iterator[tuple[str, tuple[Pattern, ...]]]:
        """``(role, compiled patterns)``: its own, its excludes, then each language's two."""
        yield "pattern", self.compiled
        yield "exclude", self.compiled_exclude
        for lang in self.languages:
            yield "pattern", lang.compiled
            yield "exclude", lang.compiled_exclude


class Dictionary:
    """An ordered collection of themes.

    Build one with :func:`load_dictionary` (from a file or a mapping) or
    :func:`default_dictionary`; the constructor takes already-built :class:`Theme`
    objects.

    Parameters
    ----------
    themes : sequence of Theme
    groups : sequence of Group, optional
    name : str, default "dictionary"
    description : str, default ""
    source : str, optional
        Where it was read from.
    language : str, default "en"
        The language of the themes' own patterns (the YAML ``language:`` key); patterns
        in other languages are in each theme's ``languages`` (:class:`LanguagePatterns`).

    Examples
    --------
    >>> d = load_dictionary({"themes": {"divide": {"patterns": ["digital divide"]}}})
    >>> d.theme_ids
    ['divide']
    """

    def __init__(self, themes, groups=(), *, name="dictionary", description="", source=None,
                 language: str = DEFAULT_LANGUAGE):
        self.themes: tuple[Theme, ...] = tuple(themes)
        self.language = language
        self.groups: dict[str, Group] = {g.id: g for g in groups}
        self.name = name
        self.description = description
        self.source = source
        self._by_id = {t.id: t for t in self.themes}
        if len(self._by_id) != len(self.themes):
            seen: set[str] = set()
            for t in self.themes:
                if t.id in seen:
                    raise DictionaryError(
                        "duplicated theme id", path=source, item=f"theme {t.id!r}",
                        hint="Give every theme its own id",
                    )
                seen.add(t.id)

    # -- access ------------------------------------------------------------------
    @property
    def theme_ids(self) -> list[str]:
        """Theme ids in dictionary order."""
        return [t.id for t in self.themes]

    def __len__(self) -> int:
        return len(self.themes)

    @property
    def languages(self) -> list[str]:
        """The languages the dictionary *speaks*: those it has patterns in, sorted.

        Its own language (:attr:`language`) when a theme has patterns of its own, and each
        language of the themes' ``languages:`` sections. Documents in another language are
        left out of theme shares and rates (``docs/dictionaries.md``, "Languages").
        """
        out = {self.language} if any(t.patterns for t in self.themes) else set()
        out.update(lang.language for t in self.themes for lang in t.languages if lang.patterns)
        return sorted(out)

    def __iter__(self) -> Iterator[Theme]:
        return iter(self.themes)

    def __contains__(self, theme_id: object) -> bool:
        return theme_id in self._by_id

    def __getitem__(self, theme_id: str) -> Theme:
        try:
            return self._by_id[theme_id]
        except KeyError:
            raise KeyError(
                f"no theme {theme_id!r} in dictionary {self.name!r}; themes are: "
                + ", ".join(self.theme_ids)
            ) from None

    def __repr__(self) -> str:
        return f"<Dictionary {self.name!r}: {len(self)} themes, {len(self.groups)} groups>"

    def terms(self, theme_id: str) -> list[str]:
        """Literal words and phrases of a theme, for guiding topic models.

        The plain phrases of its patterns and every expansion of their alternatives
        (``(digital|technological) divide`` gives "digital divide" and "technological
        divide"), both parts of ``near()`` patterns; globs and regexes give none.
        Lower-case, tokens joined by one space, first-seen order, no duplicates.
        """
        theme = self[theme_id]
        out: dict[str, None] = {}
        for p in theme.compiled + tuple(p for lang in theme.languages for p in lang.compiled):
            for term in p.terms():
                out.setdefault(term, None)
        return list(out)

    def subset(self, theme_ids) -> Dictionary:
        """A dictionary with only the given themes (in the given order)."""
        if isinstance(theme_ids, str):
            theme_ids = [theme_ids]
        themes = [self[t] for t in theme_ids]
        return Dictionary(themes, self.groups.values(), name=self.name,
                          description=self.description, source=self.source, language=self.language)

    def to_dict(self, language: str | None = None) -> dict[str, Any]:
        """The dictionary as a plain mapping in discourse's YAML layout.

        ``language`` keeps only the patterns of one language (e.g. "en": the themes' own
        patterns and no ``languages:`` sections); default: all of them.
        """
        themes = {}
        own = language is None or language == self.language
        for t in self.themes:
            entry: dict[str, Any] = {"label": t.label, "description": t.description}
            if t.parent is not None:
                entry["parent"] = t.parent
            entry["patterns"] = list(t.patterns) if own else []
            if t.exclude and own:
                entry["exclude"] = list(t.exclude)
            langs = {}
            for lang in t.languages:
                if language is not None and lang.language != language:
                    continue
                sect: dict[str, Any] = {"patterns": list(lang.patterns)}
                if lang.exclude:
                    sect["exclude"] = list(lang.exclude)
                langs[lang.language] = sect
            if langs:
                entry["languages"] = langs
            themes[t.id] = entry
        out: dict[str, Any] = {"name": self.name, "description": self.description}
        if self.language != DEFAULT_LANGUAGE:
            out["language"] = self.language
        if self.groups:
            out["groups"] = {g.id: {"label": g.label, "description": g.description}
                             for g in self.groups.values()}
        out["themes"] = themes
        return out

    def fingerprint(self, language: str | None = None) -> str:
        """SHA-256 (hex) of the content: themes, patterns, excludes, parents, groups.

        ``language`` fingerprints only what counts in that language (:meth:`to_dict`):
        figures measured on English texts (the shipped validation) stay valid when
        patterns of another language are added, and ``fingerprint("en")`` says so. A
        dictionary without ``languages:`` sections has the fingerprint it always had.
        """
        blob = json.dumps(self.to_dict(language), sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(blob.encode("utf-8")).hexdigest()

    def to_frame(self) -> pd.DataFrame:
        """One row per pattern: theme, label, parent, role ("pattern"/"exclude"), pattern,
        kind, language (the dictionary's own, or that of the ``languages:`` section)."""
        rows = []
        for t in self.themes:
            sections = [(self.language, t.patterns, t.compiled, t.exclude, t.compiled_exclude)]
            sections += [(lg.language, lg.patterns, lg.compiled, lg.exclude, lg.compiled_exclude)
                         for lg in t.languages]
            for language, pats, comp, excl, comp_excl in sections:
                for role, texts, cps in (("pattern", pats, comp), ("exclude", excl, comp_excl)):
                    for i, (text, p) in enumerate(zip(texts, cps, strict=True)):
                        rows.append({"theme": t.id, "label": t.label, "parent": t.parent,
                                     "description": t.description, "role": role,
                                     "pattern_index": i, "pattern": text, "kind": p.kind,
                                     "language": language})
        cols = ["theme", "label", "parent", "description", "role", "pattern_index", "pattern", "kind",
                "language"]
        return pd.DataFrame(rows, columns=cols)


# --- YAML with line numbers and duplicate keys ------------------------------------------

#: The loader of the built-in dictionaries: libyaml's when PyYAML was built with it (about
#: 20x faster than the pure-Python one: 0.09 s of the default dictionary's 0.23 s load; the
#: same nodes, tested). Users' files keep the pure-Python loader, whose errors and
#: acceptance the hostile-input tests pin (libyaml refuses some escapes it reads).
_BUILT_IN_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _check_depth(text: str, path, loader=yaml.SafeLoader) -> None:
    """Refuse YAML nested deeper than MAX_YAML_DEPTH, from the event stream (no recursion)."""
    depth = 0
    for ev in yaml.parse(text, Loader=loader):
        if isinstance(ev, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            depth += 1
            if depth > MAX_YAML_DEPTH:
                raise DictionaryError(
                    f"the YAML nests more than {MAX_YAML_DEPTH} levels deep", path=path,
                    line=ev.start_mark.line + 1 if ev.start_mark else None,
                    hint="A dictionary needs a few levels (themes, a theme, its patterns); flatten it",
                )
        elif isinstance(ev, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            depth -= 1


def _children(node: yaml.Node) -> list:
    if isinstance(node, yaml.MappingNode):
        return [n for pair in node.value for n in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def _check_expansion(root: yaml.Node, path) -> None:
    """Refuse recursive aliases and YAML holding more than MAX_YAML_NODES nodes once expanded.

    Aliases share nodes, so composing is cheap; walking the themes would not be. The
    expanded size is counted once per distinct node (memoised), without recursion.
    """
    size: dict[int, int] = {}
    on_path: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        k = id(node)
        if done:
            on_path.discard(k)
            total = 1 + sum(size[id(c)] for c in _children(node))
            if total > MAX_YAML_NODES:
                raise DictionaryError(
                    f"the YAML expands to more than {MAX_YAML_NODES:,} values once its aliases "
                    "(*name) are replaced by what they stand for", path=path, line=_line(node),
                    hint="This looks like an alias bomb; a dictionary repeats a few patterns with "
                         "aliases at most. Write the patterns out, or split the dictionary",
                )
            size[k] = total
            continue
        if k in size:
            continue
        on_path.add(k)
        stack.append((node, True))
        for c in _children(node):
            if id(c) in on_path:
                raise DictionaryError(
                    "a YAML alias refers to a value that contains it (a recursive alias)",
                    path=path, line=_line(c), hint="Remove the recursive alias (*name)",
                )
            if id(c) not in size:
                stack.append((c, False))


def _compose(text: str, path, loader=yaml.SafeLoader) -> yaml.Node | None:
    try:
        _check_depth(text, path, loader)
        root = yaml.compose(text, Loader=loader)
        if root is not None:
            _check_expansion(root, path)
        return root
    except RecursionError:
        raise DictionaryError("the YAML nests too deeply to read", path=path,
                              hint="Flatten the dictionary") from None
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        line = mark.line + 1 if mark is not None else None
        problem = err.problem or str(err)
        raise DictionaryError(
            f"YAML syntax error: {problem}", path=path, line=line,
            hint="Check indentation, colons and quotes (quote patterns that contain ': ' or start with a special character)",
        ) from None
    except yaml.YAMLError as err:
        raise DictionaryError(f"YAML error: {err}", path=path,
                              hint="Fix the YAML syntax") from None


def _line(node: yaml.Node) -> int:
    return node.start_mark.line + 1


def _mapping_items(node: yaml.Node, path, what: str, item: str | None = None):
    if not isinstance(node, yaml.MappingNode):
        raise DictionaryError(f"{what} must be a mapping (key: value lines)", path=path,
                              line=_line(node), item=item, hint="See docs/dictionaries.md for the layout")
    seen: dict[str, int] = {}
    out = []
    for knode, vnode in node.value:
        if not isinstance(knode, yaml.ScalarNode):
            raise DictionaryError(f"a key of {what} is not a plain name", path=path,
                                  line=_line(knode), item=item)
        key = knode.value
        if key in seen:
            kind = "theme id" if what == "themes" else "key"
            raise DictionaryError(
                f"duplicated {kind} {key!r} (first on line {seen[key]})", path=path,
                line=_line(knode), item=item if what != "themes" else f"theme {key!r}",
                hint="YAML keeps only the last of duplicated keys; rename or merge them",
            )
        seen[key] = _line(knode)
        out.append((key, knode, vnode))
    return out


def _scalar(node: yaml.Node, path, what: str, item: str | None) -> str:
    if isinstance(node, yaml.ScalarNode):
        if node.tag == "tag:yaml.org,2002:null":
            return ""
        return str(node.value)
    raise DictionaryError(f"{what} must be a single value", path=path, line=_line(node), item=item)


def _pattern_list(node: yaml.Node, path, what: str, item: str) -> list[tuple[str, int]]:
    if isinstance(node, yaml.ScalarNode):
        if node.tag == "tag:yaml.org,2002:null" or not node.value.strip():
            return []
        return [(node.value, _line(node))]
    if not isinstance(node, yaml.SequenceNode):
        raise DictionaryError(f"{what} must be a list of patterns", path=path, line=_line(node),
                              item=item, hint="Write one pattern per line, each starting with '- '")
    out = []
    for n in node.value:
        if not isinstance(n, yaml.ScalarNode) or n.tag == "tag:yaml.org,2002:null":
            raise DictionaryError(f"an entry of {what} is not a pattern string", path=path,
                                  line=_line(n), item=item, hint="Quote the pattern")
        out.append((n.value, _line(n)))
    return out


def _compile_all(texts: list[tuple], path, theme_id: str, role: str, engine: str = "re2",
                 language: str | None = None) -> tuple[Pattern, ...]:
    """Parse ``(text, line)`` or ``(text, line, engine)`` entries; errors name file, line, theme.

    ``language`` is that of a theme's ``languages:`` section (None: its own patterns).
    """
    out = []
    for text, line, *own in texts:
        use = own[0] if own else engine
        if use == "re2" and text.startswith("re:") and text in _shipped_regexes():
            use = "re"  # a regex we ship and measured, copied into a user's dictionary: kept as is
        try:
            if language is not None and is_segmented(language):
                out.append(parse_zh_pattern(text, language))
            elif language is not None:
                p = parse_pattern(text, use)
                out.append(replace(p, language=language))
            else:
                out.append(parse_pattern(text, use))
        except PatternSyntaxError as err:
            raise DictionaryError(f"invalid {role} {text!r}: {err}", path=path, line=line,
                                  item=f"theme {theme_id!r}",
                                  hint="See docs/dictionaries.md for the pattern language") from None
    return tuple(out)


def _from_discourse_yaml(root: yaml.MappingNode, path, default_name: str, engine: str = "re2") -> Dictionary:
    top = _mapping_items(root, path, "the dictionary")
    keys = {k: (kn, vn) for k, kn, vn in top}
    for k, kn, _ in top:
        if k not in _TOP_KEYS:
            raise DictionaryError(f"unknown key {k!r}", path=path, line=_line(kn),
                                  hint="Top-level keys are: " + ", ".join(_TOP_KEYS))
    name = _scalar(keys["name"][1], path, "name", None) if "name" in keys else default_name
    language = DEFAULT_LANGUAGE
    if "language" in keys:
        language = (_scalar(keys["language"][1], path, "language", None) or DEFAULT_LANGUAGE).strip()
        language = _check_language(language, path, _line(keys["language"][1]), None)
    description = _scalar(keys["description"][1], path, "description", None) if "description" in keys else ""
    groups: list[Group] = []
    if "groups" in keys and not (isinstance(keys["groups"][1], yaml.ScalarNode) and keys["groups"][1].tag.endswith(":null")):
        for gid, _gkn, gvn in _mapping_items(keys["groups"][1], path, "groups"):
            item = f"group {gid!r}"
            label, desc = gid, ""
            if isinstance(gvn, yaml.ScalarNode):
                label = _scalar(gvn, path, "a group", item) or gid
            else:
                for k, kn, vn in _mapping_items(gvn, path, "a group", item):
                    if k not in _GROUP_KEYS:
                        raise DictionaryError(f"unknown key {k!r}", path=path, line=_line(kn), item=item,
                                              hint="A group has: " + ", ".join(_GROUP_KEYS))
                    if k == "label":
                        label = _scalar(vn, path, "label", item)
                    else:
                        desc = _scalar(vn, path, "description", item)
            groups.append(Group(gid, label, desc))
    if "themes" not in keys:
        raise DictionaryError("no 'themes' key", path=path, line=1,
                              hint="List the themes under 'themes:' (see docs/dictionaries.md)")
    group_ids = {g.id for g in groups}
    top_languages = (_top_languages(keys["languages"][1], path, engine, language)
                     if "languages" in keys else {})
    own_zh = language if is_segmented(language) else None  # a Chinese dictionary: Chinese patterns
    themes = []
    for tid, tkn, tvn in _mapping_items(keys["themes"][1], path, "themes"):
        item = f"theme {tid!r}"
        if not _ID_RE.match(tid):
            raise DictionaryError(f"invalid theme id {tid!r}", path=path, line=_line(tkn), item=item,
                                  hint="Use letters, digits and underscores (e.g. digital_divide)")
        if isinstance(tvn, yaml.ScalarNode):
            raise DictionaryError("empty theme: no patterns", path=path, line=_line(tkn), item=item,
                                  hint="Give the theme a 'patterns:' list")
        entry = {}
        for k, kn, vn in _mapping_items(tvn, path, "a theme", item):
            if k not in _THEME_KEYS:
                raise DictionaryError(f"unknown key {k!r}", path=path, line=_line(kn), item=item,
                                      hint="A theme has: " + ", ".join(_THEME_KEYS))
            entry[k] = (kn, vn)
        pats = _pattern_list(entry["patterns"][1], path, "patterns", item) if "patterns" in entry else []
        languages = (_languages(entry["languages"][1], path, item, tid, engine, language)
                     if "languages" in entry else ())
        for lp, line in top_languages.pop(tid, []):
            if lp.language in {x.language for x in languages}:
                raise DictionaryError(
                    f"the theme has {lp.language!r} patterns twice: in its own 'languages:' and in the "
                    "top-level 'languages:' block", path=path, line=line, item=item,
                    hint="Keep them in one place",
                )
            languages += (lp,)
        if not pats and not any(lg.patterns for lg in languages):
            raise DictionaryError("empty theme: no patterns", path=path, line=_line(tkn), item=item,
                                  hint="Give the theme at least one pattern under 'patterns:' "
                                       "(or under 'languages:')")
        excl = _pattern_list(entry["exclude"][1], path, "exclude", item) if "exclude" in entry else []
        parent = None
        if "parent" in entry:
            parent = _scalar(entry["parent"][1], path, "parent", item) or None
            if parent is not None and groups and parent not in group_ids:
                raise DictionaryError(f"unknown parent {parent!r}", path=path,
                                      line=_line(entry["parent"][1]), item=item,
                                      hint="Declare it under 'groups:' (known: " + ", ".join(sorted(group_ids)) + ")")
        themes.append(Theme(
            id=tid,
            label=_scalar(entry["label"][1], path, "label", item) if "label" in entry else tid,
            description=_scalar(entry["description"][1], path, "description", item) if "description" in entry else "",
            patterns=tuple(t for t, _ in pats),
            exclude=tuple(t for t, _ in excl),
            parent=parent,
            compiled=_compile_all(pats, path, tid, "pattern", engine, own_zh),
            compiled_exclude=_compile_all(excl, path, tid, "exclude pattern", engine, own_zh),
            languages=languages,
        ))
    if not themes:
        raise DictionaryError("the dictionary has no themes", path=path, line=_line(keys["themes"][0]),
                              hint="Add themes under 'themes:'")
    for tid, entries in top_languages.items():
        raise DictionaryError(
            f"no theme {tid!r} for its {entries[0][0].language!r} patterns", path=path, line=entries[0][1],
            item=f"theme {tid!r}", hint="Patterns under the top-level 'languages:' belong to a theme "
                                        "declared under 'themes:' (themes: " + ", ".join(t.id for t in themes) + ")",
        )
    # parents without a declared group become groups labelled by their id
    for t in themes:
        if t.parent is not None and t.parent not in group_ids:
            groups.append(Group(t.parent, t.parent, ""))
            group_ids.add(t.parent)
    return Dictionary(themes, groups, name=name, description=description, source=path, language=language)


#: Names of languages written out (the ``language:`` key was free text before it meant
#: something): read as their ISO 639-1 code.
_LANGUAGE_NAMES = {"english": "en", "chinese": "zh", "french": "fr", "spanish": "es", "arabic": "ar",
                   "russian": "ru", "german": "de", "portuguese": "pt"}


def _check_language(code: str, path, line: int, item: str | None) -> str:
    """The language code, checked (an English name of a common language is accepted)."""
    code = _LANGUAGE_NAMES.get(code.strip().lower(), code.strip())
    if not _LANGUAGE_RE.match(code):
        raise DictionaryError(
            f"invalid language code {code!r}", path=path, line=line, item=item,
            hint="Use an ISO 639-1 code in lower case, as the corpus's 'language' column does "
                 "(en, zh, fr, es...)",
        )
    return code


def _languages(node: yaml.Node, path, item: str, tid: str, engine: str,
               own: str) -> tuple[LanguagePatterns, ...]:
    """A theme's ``languages:`` section: ``{code: {patterns: [...], exclude: [...]}}``."""
    out = []
    if isinstance(node, yaml.ScalarNode) and node.tag.endswith(":null"):
        return ()
    for code, kn, vn in _mapping_items(node, path, "languages", item):
        code = _check_language(code, path, _line(kn), item)
        out.append(_language_entry(code, kn, vn, path, item, tid, engine, own))
    return tuple(out)


def _top_languages(node: yaml.Node, path, engine: str, own: str) -> dict[str, list]:
    """The top-level ``languages:`` block: ``{code: {theme_id: patterns or {patterns, exclude}}}``.

    Returns ``{theme_id: [(LanguagePatterns, line of its key), ...]}``.
    """
    out: dict[str, list] = {}
    if isinstance(node, yaml.ScalarNode) and node.tag.endswith(":null"):
        return out
    for code, kn, vn in _mapping_items(node, path, "languages"):
        code = _check_language(code, path, _line(kn), None)
        for tid, tkn, tvn in _mapping_items(vn, path, f"languages: {code}"):
            item = f"theme {tid!r}"
            out.setdefault(tid, []).append((_language_entry(code, kn, tvn, path, item, tid, engine, own),
                                            _line(tkn)))
    return out


def _language_entry(code: str, kn, vn, path, item: str, tid: str, engine: str, own: str) -> LanguagePatterns:
    """One theme's patterns in one language: a list, or ``{patterns: [...], exclude: [...]}``."""
    if code == own:
        raise DictionaryError(
            f"the language {code!r} is the dictionary's own", path=path, line=_line(kn), item=item,
            hint="Write its patterns under the theme's 'patterns:' (the dictionary's 'language:' "
                 f"is {own!r})",
        )
    if isinstance(vn, yaml.SequenceNode):  # a bare list: the patterns
        entry = {"patterns": (kn, vn)}
    else:
        entry = {}
        for k, kkn, kvn in _mapping_items(vn, path, f"languages: {code}", item):
            if k not in _LANGUAGE_KEYS:
                raise DictionaryError(f"unknown key {k!r} under languages: {code}", path=path,
                                      line=_line(kkn), item=item,
                                      hint="A language has: " + ", ".join(_LANGUAGE_KEYS))
            entry[k] = (kkn, kvn)
    pats = _pattern_list(entry["patterns"][1], path, "patterns", item) if "patterns" in entry else []
    excl = _pattern_list(entry["exclude"][1], path, "exclude", item) if "exclude" in entry else []
    if not pats:
        raise DictionaryError(f"no patterns under languages: {code}", path=path, line=_line(kn),
                              item=item, hint="List the theme's patterns in that language under 'patterns:'")
    return LanguagePatterns(
        language=code,
        patterns=tuple(t for t, _ in pats),
        exclude=tuple(t for t, _ in excl),
        compiled=_compile_all(pats, path, tid, "pattern", engine, code),
        compiled_exclude=_compile_all(excl, path, tid, "exclude pattern", engine, code),
    )


# --- quanteda YAML --------------------------------------------------------------------


def _chinese_terms(terms: list[tuple[str, int]], path, tid: str, role: str,
                   engine: str) -> tuple[list[tuple[str, int]], tuple[LanguagePatterns, ...]]:
    """Split the terms of a quanteda or LIWC theme: those with a Chinese character become its
    Chinese patterns (these formats have no language sections; quanteda segments Chinese)."""
    zh = [(t, line) for t, line in terms if _HAN_RE.search(t)]
    if not zh:
        return terms, ()
    rest = [(t, line) for t, line in terms if not _HAN_RE.search(t)]
    lp = LanguagePatterns("zh", tuple(t.strip() for t, _ in zh),
                          compiled=_compile_all(zh, path, tid, role, engine, "zh"))
    return rest, (lp,)



def _quanteda_term(term: str) -> tuple[str, str]:
    """Translate a quanteda glob term to a pattern ("?" = one letter or digit) and its engine.

    A term with "?" becomes a regex we write (escaped words, token classes, lookarounds
    at its ends): it runs on Python's ``re``; any other term is a pattern of the user's.
    """
    term = term.strip()
    if "?" in term:
        parts = []
        for tok in re.split(r"[^\w*?]+|_", term):
            if tok:
                parts.append(glob_regex([re.escape(seg).replace(r"\?", TOKEN_CHAR) for seg in tok.split("*")]))
        return f"re:(?<!{TOKEN_CHAR})" + (NON_TOKEN_CHAR + "+").join(parts) + f"(?!{TOKEN_CHAR})", "re"
    return re.sub(r"[()|]", " ", term), "re2"


def _from_quanteda(root: yaml.MappingNode, path, default_name: str, engine: str = "re2") -> Dictionary:
    themes: list[Theme] = []
    groups: list[Group] = []

    def walk(node, prefix: list[str]):
        for key, kn, vn in _mapping_items(node, path, "a dictionary level", ".".join(prefix) or None):
            tid = ".".join(prefix + [key])
            if isinstance(vn, yaml.MappingNode):
                if not prefix:
                    groups.append(Group(key, key, ""))
                walk(vn, prefix + [key])
                continue
            item = f"theme {tid!r}"
            terms = _pattern_list(vn, path, "the terms", item)
            if not terms:
                raise DictionaryError("empty theme: no terms", path=path, line=_line(kn), item=item,
                                      hint="List at least one term")
            terms, langs = _chinese_terms(terms, path, tid, "term", engine)
            pats = [(*_quanteda_term(t), line) for t, line in terms]
            pats = [(p, line, eng) for p, eng, line in pats]
            themes.append(Theme(
                id=tid, label=key, patterns=tuple(p for p, *_ in pats),
                parent=prefix[0] if prefix else None,
                compiled=_compile_all(pats, path, tid, "term", engine),
                languages=langs,
            ))

    walk(root, [])
    if not themes:
        raise DictionaryError("the dictionary has no themes", path=path, line=1)
    return Dictionary(themes, groups, name=default_name, source=path)


# --- LIWC .dic ------------------------------------------------------------------------


def _from_liwc(text: str, path, default_name: str, engine: str = "re2") -> Dictionary:
    lines = text.splitlines()
    i = 0
    while i < len(lines) and not lines[i].strip():
        i += 1
    if i >= len(lines) or lines[i].strip() != "%":
        raise DictionaryError("a LIWC .dic file must start with a '%' line", path=path, line=i + 1,
                              hint="The header lists 'id<TAB>category' between two '%' lines")
    i += 1
    categories: dict[str, tuple[str, int]] = {}
    while i < len(lines) and lines[i].strip() != "%":
        raw = lines[i].strip()
        if raw:
            parts = raw.split(None, 1)
            if len(parts) != 2:
                raise DictionaryError(f"bad category line {raw!r}", path=path, line=i + 1,
                                      hint="Write 'id<TAB>name'")
            cid, cname = parts
            if cid in categories:
                raise DictionaryError(f"duplicated category id {cid!r}", path=path, line=i + 1,
                                      item=f"theme {cname.strip()!r}")
            if cname.strip() in {n for n, _ in categories.values()}:
                raise DictionaryError(f"duplicated theme id {cname.strip()!r}", path=path, line=i + 1,
                                      item=f"theme {cname.strip()!r}")
            categories[cid] = (cname.strip(), i + 1)
        i += 1
    if i >= len(lines):
        raise DictionaryError("the category header is not closed by a second '%' line", path=path,
                              line=len(lines))
    i += 1
    words: dict[str, list[tuple[str, int]]] = {cid: [] for cid in categories}
    for j in range(i, len(lines)):
        raw = lines[j].rstrip()
        if not raw.strip():
            continue
        fields = raw.split("\t") if "\t" in raw else raw.split()
        fields = [f.strip() for f in fields if f.strip()]
        if len(fields) < 2:
            raise DictionaryError(f"the word {fields[0]!r} has no category", path=path, line=j + 1,
                                  hint="Write 'word<TAB>id [id...]'")
        word = fields[0]
        for cid in " ".join(fields[1:]).split():
            if cid not in categories:
                raise DictionaryError(f"unknown category id {cid!r} for {word!r}", path=path, line=j + 1,
                                      hint="Declare it in the '%' header")
            words[cid].append((re.sub(r"[()|]", " ", word), j + 1))
    themes = []
    for cid, (cname, line) in categories.items():
        if not words[cid]:
            raise DictionaryError("empty theme: no word has this category", path=path, line=line,
                                  item=f"theme {cname!r}")
        own, langs = _chinese_terms(words[cid], path, cname, "word", engine)
        themes.append(Theme(id=cname, label=cname, patterns=tuple(w for w, _ in own),
                            compiled=_compile_all(own, path, cname, "word", engine), languages=langs))
    return Dictionary(themes, (), name=default_name, source=path)


# --- entry points ---------------------------------------------------------------------


def _from_mapping(mapping: Mapping, source=None) -> Dictionary:
    where = source or "<mapping>"
    try:
        text = yaml.safe_dump(_plain(mapping), sort_keys=False, allow_unicode=True)
    except RecursionError:
        raise DictionaryError("the mapping nests too deeply, or contains itself", path=where,
                              hint="Give themes -> theme -> patterns, a few levels deep") from None
    except yaml.YAMLError as err:
        raise DictionaryError(f"the mapping holds a value that is not text, a number, a list or a mapping ({err})",
                              path=where, hint="Give patterns as strings") from None
    root = _compose(text, where)
    if root is None or not isinstance(root, yaml.MappingNode):
        raise DictionaryError("the dictionary must be a mapping of themes", path=where,
                              hint="See docs/dictionaries.md for the layout")
    name = "dictionary"
    if "themes" in mapping:
        return _from_discourse_yaml(root, source or "<mapping>", name)
    return _from_quanteda(root, source or "<mapping>", name)


def _plain(obj):
    if isinstance(obj, Mapping):
        return {str(k): _plain(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_plain(v) for v in obj]
    return obj


_BUILT_IN = Path(__file__).resolve().parent / "data"


@functools.lru_cache(maxsize=1)
def _shipped_regexes() -> frozenset[str]:
    """The ``re:`` patterns of the dictionaries shipped in ``discourse/themes/data``.

    They run on Python's ``re`` (some use lookaheads, which RE2 lacks); they were written
    and measured by us, so a user's dictionary that copies one of them verbatim (a copy
    of the default dictionary, edited) keeps it on Python's ``re`` too. Any other regex of
    a user's dictionary runs on RE2.
    """
    found: set[str] = set()
    for path in sorted(_BUILT_IN.glob("*.yaml")):
        for line in path.read_text(encoding="utf-8").splitlines():
            item = line.strip()
            if not item.startswith("- "):
                continue
            item = item[2:].strip()
            if item.startswith("&") or item.startswith("*"):
                item = item.split(" ", 1)[1].strip() if " " in item else ""
            if len(item) >= 2 and item[0] == item[-1] and item[0] in "'\"":
                try:
                    value = yaml.safe_load(item)
                except yaml.YAMLError:
                    continue
                if isinstance(value, str) and value.startswith("re:"):
                    found.add(value)
    return frozenset(found)


def _built_in(path: Path) -> bool:
    """Whether a file is one of the dictionaries shipped in ``discourse/themes/data``."""
    try:
        return path.resolve().parent == _BUILT_IN
    except OSError:
        return False


def load_dictionary(source) -> Dictionary:
    """Read a theme dictionary, detecting its format.

    Parameters
    ----------
    source : str, path-like, mapping or Dictionary
        A ``.yaml``/``.yml`` file in discourse's layout (a top-level ``themes:`` key) or
        quanteda's (nested keys whose leaves are lists of terms; the id of a nested
        theme joins its keys with dots and its parent is the top-level key), a LIWC
        ``.dic`` file (a ``%`` header of categories, then ``word<TAB>ids``), a mapping
        in either YAML layout, or a :class:`Dictionary` (returned as is). Its ``re:``
        patterns run on RE2 (linear time), except in the dictionaries shipped in
        ``discourse/themes/data``, which keep Python's ``re``.

    Returns
    -------
    Dictionary

    Raises
    ------
    DictionaryError
        Naming the file, the line and the theme: YAML syntax errors, unknown keys,
        empty themes, invalid patterns, duplicated theme ids, a ``re:`` regex RE2
        cannot run in linear time (lookarounds, backreferences), a file over
        ``MAX_DICTIONARY_BYTES`` (10 MB), YAML nested over 32 levels or expanding (through
        aliases) to over 200,000 values.
    FileNotFoundError
        When the file does not exist.
    """
    if not isinstance(source, (Dictionary, Mapping)) and _built_in(Path(os.fspath(source))):
        return _load(source, engine="re")
    return _load(source)


def _load(source, engine: str = "re2") -> Dictionary:
    """:func:`load_dictionary` with the engine of ``re:`` patterns (``"re"``: built-in only)."""
    if isinstance(source, Dictionary):
        return source
    if isinstance(source, Mapping):
        return _from_mapping(source)
    path = Path(os.fspath(source))
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no such dictionary file")
    size = path.stat().st_size
    if size > MAX_DICTIONARY_BYTES:
        raise DictionaryError(
            f"the file is {size:,} bytes, more than the {MAX_DICTIONARY_BYTES:,} a dictionary may have",
            path=path, hint="Check that this is the dictionary meant; split a genuine one into several",
        )
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as err:
        raise DictionaryError(f"not UTF-8 text ({err.reason} at byte {err.start})", path=path,
                              hint="Save the dictionary as UTF-8") from None
    stem = path.stem
    if path.suffix.lower() == ".dic" or text.lstrip().startswith("%"):
        return _from_liwc(text, str(path), stem, engine)
    root = _compose(text, str(path), _BUILT_IN_LOADER if engine == "re" else yaml.SafeLoader)
    if root is None:
        raise DictionaryError("the dictionary file is empty", path=path, line=1,
                              hint="See docs/dictionaries.md for the layout")
    if isinstance(root, yaml.MappingNode) and any(
        isinstance(k, yaml.ScalarNode) and k.value == "themes" for k, _ in root.value
    ):
        return _from_discourse_yaml(root, str(path), stem, engine)
    if isinstance(root, yaml.MappingNode):
        return _from_quanteda(root, str(path), stem, engine)
    raise DictionaryError("the dictionary must be a mapping of themes", path=path, line=1,
                          hint="See docs/dictionaries.md for the layout")


_DEFAULT: Dictionary | None = None


def default_dictionary() -> Dictionary:
    """The dictionary shipped with discourse (``discourse/themes/data/default.yaml``).

    Its themes (parents ``challenges`` and ``remedies``) are described in
    ``docs/default-dictionary.md``. It is read once per process. Its ``re:`` patterns
    (written and measured by us; some use lookaheads) run on Python's ``re``; those of
    every other dictionary run on RE2, in linear time.
    """
    global _DEFAULT
    if _DEFAULT is None:
        ref = resources.files("discourse.themes") / "data" / "default.yaml"
        with resources.as_file(ref) as p:
            _DEFAULT = _load(p, engine="re")  # ours, measured: Python's re (lookaheads)
    return _DEFAULT
