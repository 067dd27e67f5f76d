"""Turns the content's body descriptions into StreamField data (the JSON form, with ids for
images and pages) for ``town.blocks.BaseStreamBlock``, in one language."""

import uuid


def _block(block_type, value, key):
    # A stable id per block keeps revisions comparable between runs.
    return {"type": block_type, "value": value, "id": str(uuid.uuid5(uuid.NAMESPACE_URL, key))}


def stream(ctx, items, lang, key):
    """StreamField data for ``items`` (``(block_type, value)`` pairs from content.py)."""
    data = []
    for index, (kind, value) in enumerate(items):
        block_key = f"{key}/{index}/{lang}"
        if kind == "heading":
            data.append(_block("heading", {"text": value[lang], "size": "h2"}, block_key))
        elif kind == "paragraph":
            data.append(_block("paragraph", value[lang], block_key))
        elif kind == "image":
            image = ctx.image(value["key"], value["theme"], value["title"])
            data.append(
                _block(
                    "image",
                    {"image": image.pk, "caption": value["title"][lang], "attribution": "", "alt_text": ""},
                    block_key,
                )
            )
        elif kind == "table":
            rows = [[cell[lang] for cell in value["header"]]]
            rows += [[cell[lang] for cell in row] for row in value["rows"]]
            data.append(
                _block(
                    "table",
                    {
                        "data": rows,
                        "first_row_is_table_header": True,
                        "first_col_is_header": False,
                        "table_caption": "",
                    },
                    block_key,
                )
            )
        elif kind == "map":
            data.append(
                _block(
                    "map_point",
                    {
                        "title": value["title"][lang],
                        "latitude": f"{value['lat']:.6f}",
                        "longitude": f"{value['lng']:.6f}",
                        "zoom": value.get("zoom", 14),
                    },
                    block_key,
                )
            )
        elif kind == "cta":
            page = ctx.pages.get((value["link_page"], lang))
            data.append(
                _block(
                    "call_to_action",
                    {
                        "title": value["title"][lang],
                        "text": value["text"][lang],
                        "page": page.pk if page else None,
                        "external_url": "" if page else "/",
                        "button_label": value["link_label"][lang],
                    },
                    block_key,
                )
            )
        else:
            raise ValueError(f"unknown demo block {kind!r}")
    return data
