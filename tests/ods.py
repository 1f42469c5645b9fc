"""OpenDocument spreadsheets built in code, the way LibreOffice lays them out: a cell's font
comes from its automatic style (content.xml), inherited from a named style (styles.xml), or
from a text span inside the cell. For tests that need an .ods without LibreOffice."""
from __future__ import annotations

import io
import zipfile
from xml.sax.saxutils import escape, quoteattr

NS = ('xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
      'xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" '
      'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
      'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
      'xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0" '
      'xmlns:svg="urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0" '
      'xmlns:calcext="urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0" '
      'office:version="1.3"')
MIMETYPE = "application/vnd.oasis.opendocument.spreadsheet"


def write_ods(grid: dict[str, list[list]], *, fonts=None, span_fonts=None,
              default_font: str = "Liberation Sans") -> bytes:
    """An .ods of `grid` (sheet name -> rows). `fonts` maps (sheet, row, col) to the font of
    the cell's style; `span_fonts` the same, but the font is set on a text span in the cell
    (a font chosen while typing). Numbers are float cells, the rest strings."""
    fonts, span_fonts = fonts or {}, span_fonts or {}
    families = sorted({default_font, *fonts.values(), *span_fonts.values()})
    faces = "".join(f'<style:font-face style:name={quoteattr(f)} svg:font-family={quoteattr(f)}/>'
                    for f in families)
    named = {f: f"Font{i}" for i, f in enumerate(families)}
    named_styles = "".join(
        f'<style:style style:name="{named[f]}" style:family="table-cell" '
        f'style:parent-style-name="Default"><style:text-properties style:font-name={quoteattr(f)}/>'
        f'</style:style>' for f in families)
    styles_xml = (f'<?xml version="1.0" encoding="UTF-8"?><office:document-styles {NS}>'
                  f'<office:font-face-decls>{faces}</office:font-face-decls><office:styles>'
                  f'<style:style style:name="Default" style:family="table-cell">'
                  f'<style:text-properties style:font-name={quoteattr(default_font)}/></style:style>'
                  f'{named_styles}</office:styles></office:document-styles>')
    # Automatic cell styles inherit the font from the named style; text styles set it directly.
    auto = "".join(f'<style:style style:name="ce{i}" style:family="table-cell" '
                   f'style:parent-style-name="{named[f]}"/>' for i, f in enumerate(families))
    auto += "".join(f'<style:style style:name="T{i}" style:family="text">'
                    f'<style:text-properties style:font-name={quoteattr(f)}/></style:style>'
                    for i, f in enumerate(families))
    index = {f: i for i, f in enumerate(families)}
    tables = []
    for name, rows in grid.items():
        body = []
        for r, row in enumerate(rows):
            cells = []
            for c, value in enumerate(row):
                if value is None:
                    cells.append("<table:table-cell/>")
                    continue
                style = (f' table:style-name="ce{index[fonts[(name, r, c)]]}"'
                         if (name, r, c) in fonts else "")
                if isinstance(value, (int, float)) and not isinstance(value, bool):
                    cells.append(f'<table:table-cell{style} office:value-type="float" '
                                 f'office:value="{value!r}" calcext:value-type="float">'
                                 f'<text:p>{value}</text:p></table:table-cell>')
                    continue
                text = escape(str(value))
                if (name, r, c) in span_fonts:
                    text = (f'<text:span text:style-name="T{index[span_fonts[(name, r, c)]]}">'
                            f'{text}</text:span>')
                cells.append(f'<table:table-cell{style} office:value-type="string" '
                             f'calcext:value-type="string"><text:p>{text}</text:p>'
                             f'</table:table-cell>')
            body.append(f"<table:table-row>{''.join(cells) or '<table:table-cell/>'}"
                        f"</table:table-row>")
        tables.append(f'<table:table table:name={quoteattr(name)}>'
                      f'<table:table-column table:number-columns-repeated="64" '
                      f'table:default-cell-style-name="Default"/>{"".join(body)}</table:table>')
    content_xml = (f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {NS}>'
                   f'<office:font-face-decls>{faces}</office:font-face-decls>'
                   f'<office:automatic-styles>{auto}</office:automatic-styles><office:body>'
                   f'<office:spreadsheet>{"".join(tables)}</office:spreadsheet></office:body>'
                   f'</office:document-content>')
    manifest = ('<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
                'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" '
                'manifest:version="1.3"><manifest:file-entry manifest:full-path="/" '
                f'manifest:media-type="{MIMETYPE}"/>'
                '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
                '<manifest:file-entry manifest:full-path="styles.xml" manifest:media-type="text/xml"/>'
                '</manifest:manifest>')
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(zipfile.ZipInfo("mimetype"), MIMETYPE)  # first and stored, as ODF requires
        z.writestr("content.xml", content_xml)
        z.writestr("styles.xml", styles_xml)
        z.writestr("META-INF/manifest.xml", manifest)
    return out.getvalue()
