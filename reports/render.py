"""The report rendered to .docx (python-docx) and .pdf (fpdf2), with the same content; charts
by matplotlib. Chinese: Noto Sans CJK SC from the ``mplfonts`` wheel (SIL OFL)."""

from __future__ import annotations

import io
from functools import lru_cache
from pathlib import Path

import mplfonts

from reports.content import Chart, Report

FONT_NAME = "Noto Sans CJK SC"


def font_path() -> Path:
    return Path(mplfonts.__file__).parent / "fonts" / "NotoSansCJKsc-Regular.otf"


@lru_cache(maxsize=1)
def _figure_class():
    # Figure, not pyplot: the cockpit renders reports in its script threads, pyplot is global
    import matplotlib
    from matplotlib import font_manager
    from matplotlib.figure import Figure

    font_manager.fontManager.addfont(str(font_path()))
    matplotlib.rcParams["font.sans-serif"] = [FONT_NAME]
    matplotlib.rcParams["axes.unicode_minus"] = False
    return Figure


def chart_png(chart: Chart) -> bytes:
    fig = _figure_class()(figsize=(6.4, 2.8), dpi=110)
    ax = fig.subplots()
    if chart.kind == "line":
        ax.plot(chart.labels, chart.values, marker="o", color="#2f6db5")
        step = max(1, len(chart.labels) // 8)
        ax.set_xticks(range(0, len(chart.labels), step))
    else:
        ax.bar(chart.labels, chart.values, color="#2f6db5")
        ax.tick_params(axis="x", labelrotation=20 if len(chart.labels) > 4 else 0)
    if all(float(v).is_integer() for v in chart.values):  # counts: no "0.5 项" ticks
        from matplotlib.ticker import MaxNLocator

        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_title(chart.title, fontsize=11)
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return buf.getvalue()


def to_docx(report: Report) -> bytes:
    from docx import Document
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt

    doc = Document()
    for style in ("Normal", "Title", "Heading 1", "Heading 2"):
        st = doc.styles[style]
        st.font.name = FONT_NAME
        st.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), FONT_NAME)
    doc.styles["Normal"].font.size = Pt(10.5)
    doc.add_heading(report.title, level=0)
    doc.add_paragraph(report.subtitle)
    for section in report.sections:
        doc.add_heading(section.title, level=1)
        for text in section.paragraphs:
            doc.add_paragraph(text)
        for table in (t for t in section.tables if t.rows):
            t = doc.add_table(rows=1, cols=len(table.headers), style="Table Grid")
            for cell, text in zip(t.rows[0].cells, table.headers, strict=True):
                cell.text = text
            for row in table.rows:
                for cell, text in zip(t.add_row().cells, row, strict=True):
                    cell.text = text
            doc.add_paragraph()
        for chart in section.charts:
            if chart.values:
                doc.add_picture(io.BytesIO(chart_png(chart)), width=Cm(15))
        if section.comment:
            doc.add_heading("分析员意见", level=2)
            doc.add_paragraph(section.comment)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def to_pdf(report: Report) -> bytes:
    from fpdf import FPDF
    from fpdf.fonts import FontFace

    pdf = FPDF(format="A4")
    pdf.add_font("noto", "", str(font_path()))
    pdf.set_auto_page_break(True, margin=15)
    pdf.add_page()
    width = pdf.w - pdf.l_margin - pdf.r_margin
    pdf.set_font("noto", size=18)
    pdf.multi_cell(width, 10, report.title, new_x="LMARGIN", new_y="NEXT", align="L")
    pdf.set_font("noto", size=10)
    pdf.multi_cell(width, 6, report.subtitle, new_x="LMARGIN", new_y="NEXT", align="L")
    for section in report.sections:
        pdf.ln(3)
        pdf.set_font("noto", size=14)
        pdf.multi_cell(width, 8, section.title, new_x="LMARGIN", new_y="NEXT", align="L")
        pdf.set_font("noto", size=10)
        for text in section.paragraphs:
            pdf.multi_cell(width, 6, text, new_x="LMARGIN", new_y="NEXT", align="L")
        for table in (t for t in section.tables if t.rows):
            pdf.ln(1)
            with pdf.table(headings_style=FontFace(emphasis=None, fill_color=(230, 236, 245)),
                           line_height=6, text_align="LEFT") as t:  # fmt: skip
                t.row(table.headers)
                for row in table.rows:
                    t.row(row)
        for chart in section.charts:
            if chart.values:
                pdf.ln(2)
                pdf.image(io.BytesIO(chart_png(chart)), w=width * 0.9)
        if section.comment:
            pdf.set_font("noto", size=12)
            pdf.multi_cell(width, 7, "分析员意见", new_x="LMARGIN", new_y="NEXT", align="L")
            pdf.set_font("noto", size=10)
            pdf.multi_cell(width, 6, section.comment, new_x="LMARGIN", new_y="NEXT", align="L")
    return bytes(pdf.output())
