"""argparse's own texts (usage, errors, help headings) reach the user in Bahasa Indonesia."""

from __future__ import annotations

import argparse
import re

import pytest

from xlkinerja import cli

ENGLISH = re.compile(r"\b(usage|error|required|invalid choice|choose from|unrecognized|"
                     r"positional arguments|options:|show this help|expected one argument|"
                     r"invalid int value)\b", re.IGNORECASE)
COMMANDS = ["generate", "validate", "consolidate", "ledger", "master-template", "demo"]


def run(capsys, *argv) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_:
        cli.main(list(argv))
    out, err = capsys.readouterr()
    return exit_.value.code, out, err


@pytest.mark.parametrize("argv", [
    [], ["validate"], ["consolidate", "masuk"], ["validate", "--tahun", "dua", "x.xlsx"],
    ["validate", "--bogus", "x.xlsx"], ["consolidate", "x", "-o", "r.xlsx", "--triwulan", "5"],
    ["salah-perintah"],
])
def test_argparse_errors_are_indonesian(capsys, argv):
    code, out, err = run(capsys, *argv) if argv else (None, "", "")
    if not argv:  # no command: the help, exit 2 (nothing to do)
        assert cli.main([]) in (0, 2)
        out, err = capsys.readouterr()
    else:
        assert code == 2
        assert "galat:" in err and "Bantuan: xlkinerja" in err, err
    assert not ENGLISH.search(out + err), out + err


@pytest.mark.parametrize("command", [None] + COMMANDS)
def test_help_is_indonesian(capsys, command):
    code, out, err = run(capsys, *([command] if command else []), "--help")
    assert code == 0
    assert out.startswith("pemakaian: xlkinerja")
    assert "opsi:" in out and "tampilkan bantuan ini lalu keluar" in out
    assert not ENGLISH.search(out), out


def test_indonesian_command_names_work(capsys):
    """A user who types the Indonesian verb gets the command, not "invalid choice"."""
    for alias, command in [("validasi", "validate"), ("konsolidasi", "consolidate"),
                           ("buat", "generate")]:
        code, out, _ = run(capsys, alias, "--help")
        assert code == 0 and f"pemakaian: xlkinerja {command}" in out


def test_error_names_the_bad_value_in_indonesian(capsys):
    _, _, err = run(capsys, "validate", "--tahun", "dua", "x.xlsx")
    assert "argumen --tahun: nilai bilangan bulat tidak sah: 'dua'" in err
    _, _, err = run(capsys, "validasi-x")
    assert "pilihan tidak dikenal: 'validasi-x'" in err


def test_other_argparse_users_keep_their_texts():
    """The Indonesian texts are swapped in only while xlkinerja's parser works."""
    cli.build_parser().format_help()
    plain = argparse.ArgumentParser(prog="lain")
    assert "usage: lain" in plain.format_usage()
    assert "show this help message and exit" in plain.format_help()
