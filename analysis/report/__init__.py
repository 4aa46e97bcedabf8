"""Presentation of plain data: Jupyter display, charts, documents, privacy.

Knows nothing of surveys or texts: charts take tidy frames, documents take a
:class:`~analysis.report.document.ReportDocument`.

* :mod:`.display`  results and frames in Jupyter
* :mod:`.plot`     the charts; :mod:`.fonts` CJK fonts for them
* :mod:`.document` the document model and the report's words in zh/en
* :mod:`.render`   documents to HTML, DOCX and XLSX; :mod:`.webfont` the embedded font
* :mod:`.tables`   tables to CSV and Parquet
* :mod:`.privacy`  masking, small-cell suppression, safe file names and cells
"""
