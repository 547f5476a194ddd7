"""The HTML report (``ladder report html``, ``/report`` in ``ladder serve``): see
:mod:`web.html_report.page`. Nothing here imports matplotlib until a chart is drawn."""
