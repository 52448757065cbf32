"""Just enough shell parsing for the rules: split a RUN script into simple commands of words."""

from __future__ import annotations

import re
from functools import lru_cache

from imgforge.lint import lazy_re

_SEPARATORS = {"&&", "||", ";", "|", "&", ";;", "(", ")", "|&"}
_ASSIGN = lazy_re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=")
_WRAPPERS = {"sudo", "env", "exec", "nohup", "time", "command", "xargs"}
# A `#` that starts a word starts a comment to the end of the line (not `${VAR#pat}` or `a#b`).
_COMMENT = lazy_re.compile(r"(^|[ \t;&|])#[^\n]*", re.M)
_KEYWORDS = {"then", "do", "else", "elif", "if", "while", "until", "!", "{", "}", "fi", "done"}


# One word: unquoted characters, backslash escapes, '...' and "..." strings, glued together; or an operator.
_TOKEN = lazy_re.compile(r"""(&&|\|\||;;|\|&|[;&|()\n])|((?:[^\s'"\\;&|()]|\\.|'[^']*'|"(?:[^"\\]|\\.)*")+)|(['"])""",
                         re.S)
_QUOTED = lazy_re.compile(r"\\(.)|'([^']*)'|\"((?:[^\"\\]|\\.)*)\"", re.S)
_TOKENIZE_LIMIT = 64 * 1024
_DQ_ESCAPE = lazy_re.compile(r'\\([\\"$`])')
_SUBST_START = lazy_re.compile(r"`|\$\(")
_PAREN = lazy_re.compile(r"[()]")


def _unquote(word: str) -> str:
    """The word the shell passes on: quotes removed, escapes resolved (no expansion)."""
    if not any(ch in word for ch in "'\"\\"):
        return word

    def repl(m: re.Match[str]) -> str:
        if m.group(1) is not None:
            return m.group(1)
        if m.group(2) is not None:
            return m.group(2)
        return _DQ_ESCAPE.sub(r"\1", m.group(3))

    return _QUOTED.sub(repl, word)


def _tokens(text: str) -> list[str]:
    # A regex tokenizer (shlex is pure Python and was most of the linter's time); an unbalanced quote makes the
    # rest of the text plain whitespace-separated words, as a lenient reader should.
    if len(text) > _TOKENIZE_LIMIT:  # a hostile megabyte line: plain words keep it linear and quick
        return [w for w in re.split(r"\s+|(&&|\|\||;|\|)", text.replace("\n", " ; ")) if w]
    out: list[str] = []
    for m in _TOKEN.finditer(text):
        if m.group(3) is not None:  # a quote that never closes
            out += [w for w in re.split(r"\s+|(&&|\|\||;|\|)", text[m.start():]) if w]
            return out
        op, word = m.group(1), m.group(2)
        out.append(";" if op == "\n" else op if op is not None else _unquote(word))
    return out


def words_and_operators(script: str) -> list[str]:
    """The words (unquoted) and control operators of `script`, in order; a newline is `;`, comments are dropped."""
    return list(script_words(script))


@lru_cache(maxsize=4096)
def script_words(script: str) -> tuple[str, ...]:
    """`words_and_operators`, cached: commands() and top_commands() read the same scripts."""
    return tuple(_tokens(_COMMENT.sub(r"\1", script.replace("\\\n", " "))))


@lru_cache(maxsize=4096)
def commands(script: str) -> tuple[tuple[str, ...], ...]:
    """The simple commands of `script` (wrappers, keywords and leading VAR=value assignments removed), each followed
    by the commands of the script it hands a shell (`sudo bash -c "apt-get update && apt-get install ..."`)."""
    return _commands(script, _NEST_LIMIT)


@lru_cache(maxsize=4096)
def top_commands(script: str) -> tuple[tuple[str, ...], ...]:
    """The simple commands of `script` itself, without those of `sh -c` strings (what the shell running it sees)."""
    return _commands(script, 0)


@lru_cache(maxsize=256)
def without_substitutions(script: str) -> str:
    """`script` with each command substitution (`$(...)`, nested ones too, and backquotes) replaced by one word: what
    its own commands are, not those whose output becomes an argument (`exec httpd $([ -n "$X" ] && echo -D X)`)."""
    if "$(" not in script and "`" not in script:
        return script
    # Jumps from one `$(`, backquote or parenthesis to the next (a start script can be 100 KB: a loop over every
    # character was most of a batch's rule time); cached, since a batch's variants share their start scripts.
    out: list[str] = []
    depth, k = 0, 0
    while k < len(script):
        if depth == 0:
            m = _SUBST_START.search(script, k)
            if m is None:
                out.append(script[k:])
                break
            out.append(script[k:m.start()])
            if m.group() == "`":
                end = script.find("`", m.end())
                if end < 0:
                    break  # an unclosed backquote: the rest is dropped
                out.append("$_")
                k = end + 1
            else:
                out.append("$_")
                depth, k = 1, m.end()
        else:  # inside `$(...)`: `$(` and `(` both open one more level (the `$` is dropped either way)
            m = _PAREN.search(script, k)
            if m is None:
                break
            depth += 1 if m.group() == "(" else -1
            k = m.end()
    return "".join(out)


_NEST_LIMIT = 4  # `sh -c "su -c 'bash -c ...'"` deeper than this is not worth reading


def _commands(script: str, nest: int) -> tuple[tuple[str, ...], ...]:
    tokens = script_words(script)
    out: list[tuple[str, ...]] = []
    cur: list[str] = []
    for tok in [*tokens, ";"]:
        if tok in _SEPARATORS:
            cmd = _clean(cur)
            if cmd:
                out.append(cmd)
                inner = inline_script(cmd) if nest else None
                if inner:
                    out += _commands(inner, nest - 1)
            cur = []
        else:
            cur.append(tok)
    return tuple(out)


_SHELL_PROGRAMS = {"sh", "bash", "ash", "dash", "zsh", "ksh", "mksh"}
_SHELL_VALUED = {"-o", "+o", "-O", "+O", "--rcfile", "--init-file"}


def _shell_operand(cmd: tuple[str, ...]) -> tuple[bool, str | None]:
    """For a shell's command line: whether -c was given, and the first operand (the string, or a script file)."""
    k, string = 1, False
    while k < len(cmd) and cmd[k].startswith(("-", "+")):
        if cmd[k] == "--":
            k += 1
            break
        string |= not cmd[k].startswith("--") and "c" in cmd[k][1:] and cmd[k][1:].isalpha()
        k += 2 if cmd[k] in _SHELL_VALUED else 1
    return string, cmd[k] if k < len(cmd) else None


def inline_script(cmd: tuple[str, ...]) -> str | None:
    """The script a command hands a shell as a string: `bash -ec 'SCRIPT'`, `su user -c 'SCRIPT'`; else None."""
    prog = program(cmd)
    if prog in ("su", "runuser"):
        return option_value(cmd, "-c", "--command")
    if prog not in _SHELL_PROGRAMS:
        return None
    string, operand = _shell_operand(cmd)
    return operand if string else None


_SCRIPT_FILE = lazy_re.compile(r"\.(sh|bash)$")


def runs_script(cmd: tuple[str, ...]) -> bool:
    """A command that runs a script file: `bash /tmp/scripts/setup.sh`, `sh ./install.sh`, `/tmp/setup.sh`, `. x.sh`."""
    prog = program(cmd)
    if prog in _SHELL_PROGRAMS:
        string, operand = _shell_operand(cmd)
        return not string and operand is not None
    if prog in (".", "source"):
        return len(cmd) > 1 and bool(_SCRIPT_FILE.search(cmd[1]))  # not `. /etc/os-release`
    if prog in ("configure", "autogen.sh", "config.status"):
        return False  # a source build's set-up, not an installer
    return bool(cmd) and (cmd[0].startswith("./") or bool(_SCRIPT_FILE.search(cmd[0])))


def simple_command(words: list[str]) -> tuple[str, ...]:
    """The command a simple command's words run: wrappers, keywords and leading VAR=value assignments removed."""
    return _clean(words)


# Wrapper options that take a value (`sudo -u vscode bash -c ...`, `xargs -n 1 rm`): the value is not the program.
_WRAPPER_VALUED = {"sudo": {"-u", "-g", "-p", "-C", "-D", "-r", "-t", "-U", "-T", "--user", "--group"},
                   "env": {"-u", "-C", "-S", "--unset", "--chdir"},
                   "xargs": {"-I", "-n", "-P", "-d", "-a", "-L", "-s", "-E", "--max-args", "--max-procs",
                             "--delimiter", "--arg-file"}}


def _clean(words: list[str]) -> tuple[str, ...]:
    i = 0
    wrapper = ""
    while i < len(words):
        w = words[i]
        if w in ("<", ">", ">>", "2>", "<<<") and i + 1 < len(words):
            i += 2  # a redirection before the command (`xargs -rt < deps.txt apt-get install`)
        elif _ASSIGN.match(w) or w in _KEYWORDS or w in _WRAPPERS:
            wrapper = w if w in _WRAPPERS else wrapper
            i += 1
        elif wrapper and w.startswith("-"):
            i += 2 if w in _WRAPPER_VALUED.get(wrapper, ()) else 1  # options of a wrapper (`sudo -E`, `xargs -r`)
        else:
            break
    return tuple(words[i:])


def program(cmd: tuple[str, ...]) -> str:
    """The program name of a command (basename, so /usr/bin/pip is pip)."""
    return cmd[0].rsplit("/", 1)[-1] if cmd else ""


def args(cmd: tuple[str, ...]) -> list[str]:
    """The words after the program that are not options."""
    return [w for w in cmd[1:] if not w.startswith("-")]


def operands(words: tuple[str, ...] | list[str], valued: set[str] | frozenset[str]) -> list[str]:
    """The words that are not options, skipping the value after each option in `valued` (`-b main`)."""
    out: list[str] = []
    skip = False
    for w in words:
        if skip:
            skip = False
        elif w in valued:
            skip = True
        elif not w.startswith("-"):
            out.append(w)
    return out


def subcommand(cmd: tuple[str, ...]) -> str:
    """The first non-option word after the program (apt-get *install*, npm *ci*)."""
    rest = args(cmd)
    return rest[0] if rest else ""


_PIP = lazy_re.compile(r"pip[0-9.]*")
_PYTHON = lazy_re.compile(r"python[0-9.]*")


def is_pip_install(cmd: tuple[str, ...]) -> bool:
    """`pip install`, `pip3 install`, `python -m pip install`, `uv pip install`."""
    prog = program(cmd)
    if _PIP.fullmatch(prog):
        return subcommand(cmd) == "install"
    if _PYTHON.fullmatch(prog) and "-m" in cmd:
        k = cmd.index("-m")
        return cmd[k + 1: k + 3] == ("pip", "install")
    return False


def is_apt_install(cmd: tuple[str, ...]) -> bool:
    """`apt-get install` / `apt install` / `aptitude install`."""
    return program(cmd) in ("apt-get", "apt", "aptitude") and subcommand(cmd) == "install"


def is_apt_update(cmd: tuple[str, ...]) -> bool:
    """`apt-get update` / `apt update`."""
    return program(cmd) in ("apt-get", "apt") and subcommand(cmd) == "update"


def removed_paths(cmd: tuple[str, ...]) -> list[str]:
    """Paths an `rm` command deletes."""
    return args(cmd) if program(cmd) == "rm" else []


def option_value(cmd: tuple[str, ...], *names: str) -> str | None:
    """The value of the first `-o FILE` / `--output=FILE` style option among `names`.

    Short options may be clustered (`curl -fsSLo FILE`) or attached (`-oFILE`); long ones take `=` or a word.
    """
    for k, w in enumerate(cmd):
        for name in names:
            if name.startswith("--"):
                if w == name and k + 1 < len(cmd):
                    return cmd[k + 1]
                if w.startswith(name + "="):
                    return w.split("=", 1)[1]
            elif w.startswith("-") and not w.startswith("--") and len(w) > 1:
                letter = name[1:]
                cluster = w[1:]
                if cluster.endswith(letter) and (cluster == letter or cluster[:-1].isalpha()) and k + 1 < len(cmd):
                    return cmd[k + 1]
                if w.startswith(name) and len(w) > len(name) and not w[len(name):].isalpha():
                    return w[len(name):]
    return None


def has_option(cmd: tuple[str, ...], long: str, *, abbrev: str | None = None, short: str | None = None) -> bool:
    """True when `cmd` has `long` (or an unambiguous abbreviation of it down to `abbrev`, as getopt and optparse
    accept: `--no-cache` for `--no-cache-dir`), or the one-letter `short` alone or inside a cluster (`-fsSL`)."""
    shortest = abbrev or long
    for w in cmd[1:]:
        if w == "--":
            break
        name = w.split("=", 1)[0]
        if name.startswith("--") and long.startswith(name) and len(name) >= len(shortest):
            return True
        if short and w.startswith("-") and not w.startswith("--") and short in w[1:] and w[1:].isalpha():
            return True
    return False


_PROBES = {"--version", "-version", "version", "-V", "--help", "-h", "help", "-dumpversion", "env"}


def is_probe(cmd: tuple[str, ...]) -> bool:
    """A version or help probe (`javac --version`, `go version`, `yarn -v`): it checks a tool, it builds nothing."""
    rest = cmd[1:]
    return bool(rest) and len(rest) <= 2 and (rest[0] in _PROBES or (rest[0] == "-v" and len(rest) == 1))
