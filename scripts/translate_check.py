"""Check and fill the English catalogue (locale/en/LC_MESSAGES/django.po) without extra dependencies.

The UI's msgids are Chinese; English is the translation. Usage (from the repository root):

    python scripts/translate_check.py                # counts; lists untranslated and placeholder mismatches
    python scripts/translate_check.py --strict       # same, exit 1 unless every msgid is translated and consistent
    python scripts/translate_check.py dump OUT.json  # untranslated msgids as a JSON table to fill in
    python scripts/translate_check.py apply T.json…  # write the tables' translations into the .po
    python scripts/translate_check.py export T.json  # merge the .po's translations into table T (keeps its other keys)
    python scripts/translate_check.py scan           # UI text makemessages cannot extract (see below)

A table is a JSON object {msgid: "English"}; a plural entry takes ["singular", "plural"]; an entry with a
context is keyed "context\\u0004msgid" (gettext's own convention). `apply` clears the "fuzzy" flag of every
entry it fills, so a re-run after `makemessages` (which marks changed strings fuzzy) settles them again.

`scan` lists Chinese text that can never be translated because it is not marked the way makemessages needs:
an f-string, a concatenation or a .format() call inside _(), and Chinese template text outside
{% translate %} / {% blocktranslate %} (comments excluded). Those need a source fix, not a catalogue entry.

The parser is deliberately tiny (no polib): it understands exactly what `makemessages` writes.
"""

from __future__ import annotations

import ast
import datetime as dt
import json
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PO_PATH = ROOT / "locale" / "en" / "LC_MESSAGES" / "django.po"
SCAN_SKIP = {".venv", "static", "staticfiles", "var", "node_modules", ".git", "locale", "migrations"}
GETTEXT_NAMES = {"_", "gettext", "gettext_lazy", "ngettext", "ngettext_lazy", "pgettext", "pgettext_lazy"}
# What makemessages tells xgettext to extract (xgettext's Python defaults plus Django's keywords). A gettext
# function imported under any other name (`gettext_lazy as _lazy`) works at run time but is never extracted.
EXTRACTED_NAMES = GETTEXT_NAMES | {"gettext_noop", "npgettext", "npgettext_lazy", "dgettext", "dngettext"}
HAN_RE = re.compile(r"[\u3400-\u9fff]")

# %(name)s / %(n)d / %s / %d and {name} / {0} — what Python formats at run time. %% is a literal percent.
PERCENT_RE = re.compile(r"%(?:\([^)]+\))?[-#0 +]*\d*(?:\.\d+)?[sdifgeExXrc%]")
BRACE_RE = re.compile(r"(?<!\{)\{[A-Za-z_0-9.\[\]]*(?:![rsa])?(?::[^{}]*)?\}(?!\})")
TAG_RE = re.compile(r"</?[a-zA-Z][^>]*>")


@dataclass
class Entry:
    msgctxt: str | None = None
    msgid: str = ""
    msgid_plural: str | None = None
    msgstr: list[str] = field(default_factory=list)  # one item, or one per plural form
    flags: set[str] = field(default_factory=set)
    comments: list[str] = field(default_factory=list)  # every "#" line as written (refs, flags, previous)
    raw_keys: list[str] = field(default_factory=list)  # msgctxt/msgid/msgid_plural lines as written

    @property
    def key(self) -> str:
        return f"{self.msgctxt}\x04{self.msgid}" if self.msgctxt is not None else self.msgid

    @property
    def translated(self) -> bool:
        return bool(self.msgstr) and all(s.strip() for s in self.msgstr) and "fuzzy" not in self.flags


def _unquote(s: str) -> str:
    s = s.strip()
    assert s.startswith('"') and s.endswith('"'), s
    body = s[1:-1]
    return re.sub(r"\\(.)", lambda m: {"n": "\n", "t": "\t", '"': '"', "\\": "\\"}.get(m[1], m[0]), body)


def _quote(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t") + '"'


def parse(text: str) -> list[Entry]:
    """Entries in file order, the header (msgid "") first. Obsolete ("#~") entries are ignored."""
    entries: list[Entry] = []
    for block in re.split(r"\n\s*\n", text.strip("\n")):
        e = Entry()
        current: str | None = None  # which field continuation lines extend
        plural_index = 0
        for line in block.splitlines():
            if line.startswith("#~"):
                continue
            if line.startswith("#"):
                e.comments.append(line)
                if line.startswith("#,"):
                    e.flags |= {f.strip() for f in line[2:].split(",") if f.strip()}
                continue
            if line.startswith('"'):
                value = _unquote(line)
                if current == "msgstr":
                    e.msgstr[plural_index] += value
                elif current is not None:
                    setattr(e, current, (getattr(e, current) or "") + value)
                    e.raw_keys.append(line)
                continue
            keyword, _, rest = line.partition(" ")
            m = re.fullmatch(r"msgstr\[(\d+)\]", keyword)
            if m:
                current, plural_index = "msgstr", int(m[1])
                while len(e.msgstr) <= plural_index:
                    e.msgstr.append("")
                e.msgstr[plural_index] = _unquote(rest)
            elif keyword == "msgstr":
                current, plural_index = "msgstr", 0
                e.msgstr = [_unquote(rest)]
            elif keyword in ("msgctxt", "msgid", "msgid_plural"):
                current = keyword
                setattr(e, keyword, _unquote(rest))
                e.raw_keys.append(line)
        if e.raw_keys:
            entries.append(e)
    return entries


def render(entries: list[Entry]) -> str:
    out = []
    for e in entries:
        lines = []
        for c in e.comments:
            if c.startswith("#,"):
                flags = sorted(e.flags)
                if flags:
                    lines.append("#, " + ", ".join(flags))
            elif c.startswith("#|") and "fuzzy" not in e.flags:
                continue  # the previous msgid only matters while the entry is still fuzzy
            else:
                lines.append(c)
        lines += e.raw_keys
        if e.msgid_plural is not None:
            lines += [f"msgstr[{i}] {_quote(s)}" for i, s in enumerate(e.msgstr)]
        elif e.msgid == "" and e.msgctxt is None:  # the header keeps one line per field
            lines.append('msgstr ""')
            lines += [_quote(h + "\n") for h in e.msgstr[0].split("\n") if h]
        else:
            lines.append(f"msgstr {_quote(e.msgstr[0] if e.msgstr else '')}")
        out.append("\n".join(lines))
    return "\n\n".join(out) + "\n"


def placeholders(s: str) -> tuple[list[str], list[str]]:
    # Width and precision may differ ("%(month)02d" for an ISO date); the name and the conversion may not.
    percents = sorted(re.sub(r"[-#0 +]*\d*(?:\.\d+)?(?=[a-zA-Z]$)", "", p) for p in PERCENT_RE.findall(s) if p != "%%")
    braces = sorted(BRACE_RE.findall(s))
    return percents, braces


def problems(e: Entry) -> list[str]:
    """Placeholder or tag differences between the msgid(s) and the translation(s)."""
    if not e.translated or e.msgid == "":
        return []
    found = []
    sources = [e.msgid] if e.msgid_plural is None else [e.msgid] + [e.msgid_plural] * (len(e.msgstr) - 1)
    for i, (src, dst) in enumerate(zip(sources, e.msgstr, strict=False)):
        sp, sb = placeholders(src)
        dp, db = placeholders(dst)
        # A singular English form may drop the count ("One enterprise"), so only the named ones must match there.
        if e.msgid_plural is not None and i == 0:
            sp = [p for p in sp if "(" in p]
            dp = [p for p in dp if "(" in p]
            if set(dp) - set(placeholders(e.msgid_plural)[0]):
                found.append(f"form {i}: unknown placeholder {dp}")
            continue
        if sp != dp or (sb != db and "python-brace-format" in e.flags):
            found.append(f"form {i}: {sp + sb} ≠ {dp + db}")
        if sorted(TAG_RE.findall(src)) != sorted(TAG_RE.findall(dst)):
            found.append(f"form {i}: HTML tags differ")
    return found


HEADER_COMMENTS = ["# English translation of fugong (复工). The msgids are Chinese, the users' language.", "#"]
HEADER_FIELDS = {
    "Project-Id-Version": "fugong",
    "Last-Translator": "fugong <fugong@localhost>",
    "Language-Team": "English",
    "Language": "en",
    "Plural-Forms": "nplurals=2; plural=(n != 1);",
}


def fix_header(header: Entry) -> None:
    """makemessages writes a template header (fuzzy, no Language); a finished catalogue states its language."""
    fields = [line.split(": ", 1) for line in header.msgstr[0].split("\n") if ": " in line]
    known = {k for k, _v in fields}
    stamp = {"PO-Revision-Date": dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M%z")}
    fields = [[k, {**HEADER_FIELDS, **stamp}.get(k, v)] for k, v in fields] + [
        [k, v] for k, v in HEADER_FIELDS.items() if k not in known
    ]
    header.msgstr = ["".join(f"{k}: {v}\n" for k, v in fields)]
    header.flags.discard("fuzzy")
    header.comments = HEADER_COMMENTS + [c for c in header.comments if c.startswith("#,")]


def apply(entries: list[Entry], table: dict[str, str | list[str]]) -> int:
    filled = 0
    if entries and entries[0].msgid == "":
        fix_header(entries[0])
    for e in entries:
        if e.key not in table or e.msgid == "":
            continue
        value = table[e.key]
        if e.msgid_plural is not None:
            forms = value if isinstance(value, list) else [value, value]
            e.msgstr = [forms[0], forms[1]]
        else:
            e.msgstr = [value if isinstance(value, str) else value[0]]
        e.flags.discard("fuzzy")
        if not any(c.startswith("#,") for c in e.comments) and e.flags:
            e.comments.append("#,")
        filled += 1
    return filled


def _scan_files(suffix: str) -> list[Path]:
    return sorted(
        p
        for p in ROOT.rglob(f"*{suffix}")
        if not SCAN_SKIP & set(p.relative_to(ROOT).parts[:-1]) and "tests" not in p.parts
    )


def scan_python(path: Path) -> list[str]:
    """_(f"…"), _("…" + x), _("…".format(x)): the extracted msgid (if any) never equals the run-time string."""
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"))
    except SyntaxError:
        return []
    aliases = {
        a.asname
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module == "django.utils.translation"
        for a in node.names
        if a.asname and a.name in EXTRACTED_NAMES and a.asname not in EXTRACTED_NAMES
    }
    found = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and node.args):
            continue
        name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
        arg = node.args[0]
        where = f"{path.relative_to(ROOT)}:{node.lineno}"
        if name in aliases and HAN_RE.search(ast.unparse(arg)):
            found.append(f"{where}: alias {name}() is not extracted by makemessages: {ast.unparse(node)[:60]}")
        elif name in GETTEXT_NAMES and not isinstance(arg, ast.Constant | ast.Name | ast.Attribute | ast.Subscript):
            if HAN_RE.search(ast.unparse(arg)):
                found.append(f"{where}: {ast.unparse(node)[:80]}")
    return found


TEMPLATE_MARKED = re.compile(
    r"{%\s*blocktrans(?:late)?\b.*?{%\s*endblocktrans(?:late)?\s*%}"  # {% blocktranslate %}…{% endblocktranslate %}
    r"|{%\s*comment\s*%}.*?{%\s*endcomment\s*%}"
    r"|{#.*?#}"
    r"|{%\s*trans(?:late)?\s.*?%}"  # {% translate "…" %}
    r"|_\((?:\"[^\"]*\"|'[^']*')\)",  # {{ x|default:_("…") }}
    re.S,
)


def scan_template(path: Path) -> list[str]:
    text = path.read_text(encoding="utf-8")
    # Blank out marked regions but keep newlines, so line numbers stay right.
    bare = TEMPLATE_MARKED.sub(lambda m: re.sub(r"[^\n]", " ", m[0]), text)
    found = []
    for lineno, line in enumerate(bare.splitlines(), 1):
        if HAN_RE.search(line):
            found.append(f"{path.relative_to(ROOT)}:{lineno}: {line.strip()[:80]}")
    return found


def main(argv: list[str]) -> int:
    if argv[:1] == ["scan"]:
        hits = [h for p in _scan_files(".py") for h in scan_python(p)]
        hits += [h for p in _scan_files(".html") for h in scan_template(p)]
        print("\n".join(hits) or "nothing unmarked found")
        return 1 if hits and "--strict" in argv else 0
    text = PO_PATH.read_text(encoding="utf-8")
    entries = parse(text)
    body = [e for e in entries if e.msgid != ""]
    if argv[:1] == ["dump"]:
        todo = {e.key: ([e.msgid, e.msgid_plural] if e.msgid_plural else "") for e in body if not e.translated}
        Path(argv[1]).write_text(json.dumps(todo, ensure_ascii=False, indent=1), encoding="utf-8")
        print(f"{len(todo)} untranslated msgids → {argv[1]}")
        return 0
    if argv[:1] == ["export"]:
        out = Path(argv[1])
        table = json.loads(out.read_text(encoding="utf-8")) if out.exists() else {}
        for e in body:
            if e.translated:
                table[e.key] = e.msgstr if e.msgid_plural is not None else e.msgstr[0]
        out.write_text(json.dumps(dict(sorted(table.items())), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        print(f"{len(table)} translations in {out}")
        return 0
    if argv[:1] == ["apply"]:
        table: dict[str, str | list[str]] = {}
        for name in argv[1:]:
            table.update(json.loads(Path(name).read_text(encoding="utf-8")))
        n = apply(entries, {k: v for k, v in table.items() if v})
        PO_PATH.write_text(render(entries), encoding="utf-8")
        msgcat = shutil.which("msgcat")
        if msgcat:  # re-wrap the way makemessages does, so its next run changes nothing
            subprocess.run([msgcat, "-o", str(PO_PATH), str(PO_PATH)], check=False)  # noqa: S603 - our own file
        print(f"applied {n} translations")
        entries = parse(PO_PATH.read_text(encoding="utf-8"))
        body = [e for e in entries if e.msgid != ""]
    done = [e for e in body if e.translated]
    print(f"translated {len(done)} / {len(body)} ({100 * len(done) / max(len(body), 1):.1f}%)")
    bad = 0
    for e in body:
        if not e.translated:
            print(f"  untranslated{' (fuzzy)' if 'fuzzy' in e.flags else ''}: {e.msgid!r}")
        for p in problems(e):
            bad += 1
            print(f"  placeholder mismatch {e.msgid!r}: {p}")
    strict = "--strict" in argv
    return 1 if strict and (bad or len(done) != len(body)) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
