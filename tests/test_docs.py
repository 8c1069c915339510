"""The README says what exists: every product, setting and CLI command is documented there (datasette's test_docs)."""

from __future__ import annotations

import re
from pathlib import Path

from migdev import cli
from migdev.config import SETTINGS
from migdev.sources import PRODUCTS

README = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")


def test_every_product_has_a_row_with_its_tables() -> None:
    rows = {m.group(1): m.group(0) for m in re.finditer(r"^\| `(\w+)` \|.*$", README, flags=re.MULTILINE)}
    for product in PRODUCTS:
        name = product.RELEASES.name
        assert name in rows, f"README's data table has no row for {name}"
        for table in product.RELEASES.tables:
            assert f"`{table}`" in rows[name], f"README row of {name} does not name its table {table}"


def test_every_setting_is_documented() -> None:
    for setting in SETTINGS:
        assert f"| `{setting.env}` |" in README, setting.env


def test_every_command_is_in_the_readme() -> None:
    for command in cli.app.registered_commands:
        name = command.name or command.callback.__name__.replace("_", "-")
        assert f"migdev {name}" in README, name


def test_the_first_two_code_blocks_are_the_commands() -> None:
    blocks = re.findall(r"```(?:\w+)?\n(.*?)```", README, flags=re.DOTALL)
    assert "migdev build" in blocks[0]
    assert "pytest" in blocks[1]
