#!/usr/bin/env python3
"""Man pages from the CLI's own --help texts (run at build time).

usage: help2man.py TOKALIGN_BINARY OUT_DIR VERSION

Writes OUT_DIR/tokalign.1 from `tokalign --help` and OUT_DIR/tokalign-CMD.1
from `tokalign CMD --help` for every command that `tokalign --help` lists.
The help texts are the only source, so a page cannot say something --help
does not. Layout of a help text: a "usage:" line, paragraphs, then sections
introduced by a line "name:" whose entries are indented by two spaces; an
entry starting with "-" is an option (its description starts at the first
run of two spaces, continuation lines are indented deeper).
"""
import os
import re
import subprocess
import sys


def run_help(binary, *args):
    out = subprocess.run([binary, *args, "--help"], check=True, stdout=subprocess.PIPE)
    return out.stdout.decode("utf-8")


def roff_text(s):
    s = s.replace("\\", "\\e")
    s = s.replace("-", "\\-")
    if s.startswith((".", "'")):
        s = "\\&" + s
    return s


def parse(text):
    """(synopsis lines, description lines, [(title, note, lines)]).

    A section starts with unindented lines ending in ":" right before
    indented ones ("options:", or "options (besides ...\n...):"); the title
    is one to three lower-case words before " (" or ":", the rest of the
    heading a note. Other lines ending in ":" are text."""
    lines = text.rstrip("\n").split("\n")
    synopsis = []
    i = 0
    while i < len(lines) and lines[i].strip():
        synopsis.append(re.sub(r"^usage: ", "", lines[i].strip()))
        i += 1
    description, sections = [], []
    current = None
    pending = []  # unindented lines that may turn out to head a section
    for line in lines[i:] + [""]:
        if line and not line.startswith(" "):
            pending.append(line)
            continue
        heading = " ".join(pending)[:-1] if pending and pending[-1].endswith(":") else ""
        m = re.match(r"^([a-z][a-z0-9/-]*(?: [a-z0-9/-]+){0,2})(?: \((.*)\))?$", heading)
        if m and line.startswith(" "):
            current = (m.group(1), m.group(2), [])
            sections.append(current)
        elif pending:
            (current[2] if current else description).extend(pending)
        pending = []
        (current[2] if current else description).append(line)
    return synopsis, description, sections


def emit_block(out, lines):
    """Lines as they are (no filling), blank lines kept."""
    while lines and not lines[-1].strip():
        lines = lines[:-1]
    if not lines:
        return
    out.append(".nf")
    for line in lines:
        out.append(roff_text(line) if line.strip() else "")
    out.append(".fi")


def emit_options(out, lines):
    entry = None
    entries, other = [], []
    for line in lines:
        m = re.match(r"^  (-\S.*?)(?:\s{2,}(.*))?$", line)
        if m:
            entry = [m.group(1), [m.group(2)] if m.group(2) else []]
            entries.append(("opt", entry))
        elif entry is not None and line.startswith("    ") and line.strip():
            entry[1].append(line.strip())
        else:
            entry = None
            entries.append(("line", line))
    block = []
    for kind, item in entries:
        if kind == "line":
            block.append(item)
            continue
        emit_block(out, block)
        block = []
        out.append(".TP")
        out.append("\\fB" + roff_text(item[0]) + "\\fR")
        out.append(roff_text(" ".join(item[1])))
    emit_block(out, block)


def page(name, summary, version, text, see_also):
    synopsis, description, sections = parse(text)
    out = ['.TH "%s" "1" "" "tokalign %s" "User Commands"' % (name.upper(), version),
           ".nh", ".ad l", ".SH NAME", roff_text("%s - %s" % (name, summary)), ".SH SYNOPSIS"]
    emit_block(out, synopsis)
    out.append(".SH DESCRIPTION")
    para = []
    for line in description + [""]:
        if line.strip():
            para.append(line)
        elif para:
            if re.match(r"^  -\S", para[0]) and all(l.startswith("  ") for l in para):
                emit_options(out, para)  # an option list without a heading
            elif any(l.startswith(" ") for l in para):
                emit_block(out, para)
            else:
                out.extend([".PP", roff_text(" ".join(l.strip() for l in para))])
            para = []
    for title, note, lines in sections:
        out.append(".SH " + roff_text(title.upper()))
        if note:
            out.extend([".PP", roff_text(note[0].upper() + note[1:] + ":")])
        if any(re.match(r"^  -\S", l) for l in lines):
            emit_options(out, lines)
        else:
            emit_block(out, lines)
    if see_also:
        out.append(".SH SEE ALSO")
        out.append(",\n".join("\\fB%s\\fR(1)" % roff_text(s) for s in see_also))
    return "\n".join(out) + "\n"


def main():
    binary, out_dir, version = sys.argv[1:4]
    os.makedirs(out_dir, exist_ok=True)
    for old in os.listdir(out_dir):  # a page of a removed command must not linger
        if old.endswith(".1"):
            os.remove(os.path.join(out_dir, old))
    top = run_help(binary)
    commands = []
    in_commands = False
    for line in top.split("\n"):
        if line == "commands:":
            in_commands = True
        elif in_commands:
            m = re.match(r"^  (\S+)\s+(.*)$", line)
            if not m:
                break
            commands.append((m.group(1), m.group(2)))
    if not commands:
        sys.exit("help2man.py: no commands found in `tokalign --help`")
    pages = {"tokalign": page("tokalign", "bit-exact NLP data pipelines and reprod_log dumps",
                              version, top, ["tokalign-" + c for c, _ in commands])}
    for cmd, summary in commands:
        pages["tokalign-" + cmd] = page("tokalign-" + cmd, summary, version,
                                        run_help(binary, cmd), ["tokalign"])
    for name, text in pages.items():
        with open(os.path.join(out_dir, name + ".1"), "w", encoding="utf-8") as f:
            f.write(text)


if __name__ == "__main__":
    main()
