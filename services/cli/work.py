"""`aixin work places REGION`: the work lists of an office — here, the children registered at
their county (their list named no village) whose village is still to be set with
`POST /commands/intake/complete_child_place`."""

from __future__ import annotations

import json

import typer
from rich.table import Table

from services.cli.common import AsJson, DataDir, console, get_json, page, region_arg, shown

work_app = typer.Typer(help="Work lists of an office: what is still to be done.", no_args_is_help=True)


@work_app.command()
def places(region: str, json_out: AsJson = False, limit: int = 100, offset: int = 0, data_dir: DataDir = None) -> None:
    """Children registered at a county of REGION's subtree whose village is not known yet."""
    code, paging = region_arg(region), page(limit, offset)
    result = get_json(data_dir, f"/regions/{code}/work/places-to-complete", **paging)
    if json_out:
        typer.echo(json.dumps(result, ensure_ascii=False, indent=2))
        return
    table = Table("child id", "name", "county", "category", "registered at")
    for row in result["children"]:
        name = shown(row["name"]) if row.get("name") else "[dim](not shown to this role)"
        table.add_row(row["child_id"], name, row["county"], row["category"], row["registered_at"][:19])
    console.print(table)
    console.print(f"{result['total']:,} children to be given their village or community "
                  f"(complete_child_place)", highlight=False)
