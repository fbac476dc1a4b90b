"""Documentation generated from the table registry, so docs and schemas cannot drift."""

from __future__ import annotations

from fcc.core.tables import LAYERS, REGISTRY


def tables_markdown() -> str:
    lines = [
        "# Tables",
        "",
        "Generated from the table registry (`libs/fcc/core/tables/`) by `fcc docs tables`; do not edit.",
        "Every table lives at `<lakehouse>/<layer>/<name>` as a Delta table.",
        "",
    ]
    for layer in LAYERS:
        specs = [s for s in REGISTRY.values() if s.layer == layer]
        if not specs:
            continue
        lines += [f"## {layer}", ""]
        for spec in specs:
            lines += [f"### `{spec.qualified}`", "", spec.description, ""]
            lines.append(f"- keys: {', '.join(f'`{k}`' for k in spec.keys) or '-'}")
            lines.append(
                f"- partitioned by: {', '.join(f'`{k}`' for k in spec.partition_by) or '-'}"
            )
            lines.append(f"- owner: {spec.owner}")
            lines += ["", "| column | type | null | meaning |", "|---|---|---|---|"]
            for f in spec.schema.fields:
                doc = str(f.metadata.get("doc", "")).replace("|", "\\|")
                lines.append(
                    f"| `{f.name}` | {f.dataType.simpleString()} | {'yes' if f.nullable else 'no'} | {doc} |"
                )
            lines.append("")
    return "\n".join(lines)
