"""The product detail (详情) as rich text: what the editor offers and the HTML that is kept."""

from django_prose_editor.fields import create_sanitizer

# what a detail page needs: headings, lists, tables, links and pictures; no scripts, no styles
DESCRIPTION_EXTENSIONS = {
    "Bold": True,
    "Italic": True,
    "Underline": True,
    "Strike": True,
    "Heading": {"levels": [2, 3, 4]},
    "BulletList": True,
    "OrderedList": True,
    "ListItem": True,
    "Blockquote": True,
    "HorizontalRule": True,
    "HardBreak": True,
    "Link": {"enableTarget": False, "protocols": ["http", "https"]},
    "Image": True,
    "Table": True,
    "TableRow": True,
    "TableHeader": True,
    "TableCell": True,
}

_sanitize = create_sanitizer(DESCRIPTION_EXTENSIONS)


def description_clean(html: str) -> str:
    """The description with only the HTML the editor can make (nh3): no scripts, no handlers."""
    return _sanitize(html)
